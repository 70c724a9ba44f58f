// Which calls are in the gate right now, so that work that can wait (the store writes that trail
// a call's `continue`) waits until no caller is held there: under a wave of calls, one call's
// write would otherwise run on the event loop while the others wait for their commands' answers.
/** The longest a write trailing a call's `continue` waits for the gate to empty. */
export const TRAILING_WRITE_CAP_MS = 100;

export class GateTraffic<T> {
  private readonly inGate = new Set<T>();
  private waiters: Array<() => void> = [];

  enter(call: T): void {
    this.inGate.add(call);
  }

  leave(call: T): void {
    if (!this.inGate.delete(call) || this.inGate.size > 0) return;
    const ready = this.waiters;
    this.waiters = [];
    for (const w of ready) w();
  }

  has(call: T): boolean {
    return this.inGate.has(call);
  }

  get size(): number {
    return this.inGate.size;
  }

  /** Resolves once no call is in the gate, or after `capMs` (steady traffic never empties it). */
  quiet(capMs: number): Promise<void> {
    if (this.inGate.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, capMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }
}
