// Which calls are in the gate right now, so that work that can wait (the store writes that trail
// a call's `continue`, and those of calls already past the gate) waits until no caller is held
// there: under a wave of calls, one call's write would otherwise run on the event loop while the
// others wait for their commands' answers.
/** The longest a write waits for the gate to empty. */
export const TRAILING_WRITE_CAP_MS = 100;
/**
 * How long the gate stays empty before the writes waiting on it start: a wave's calls enter a few
 * ms apart, and a write started in such a gap holds the next call's StasisStart (issue 23).
 */
export const GATE_SETTLE_MS = 10;

export class GateTraffic<T> {
  private readonly inGate = new Set<T>();
  private waiters: Array<() => void> = [];
  private emptySince = -Infinity;
  private settling: NodeJS.Timeout | undefined;

  constructor(private readonly settleMs = 0) {}

  enter(call: T): void {
    this.inGate.add(call);
    clearTimeout(this.settling);
    this.settling = undefined;
  }

  leave(call: T): void {
    if (!this.inGate.delete(call) || this.inGate.size > 0) return;
    this.emptySince = performance.now();
    if (this.settleMs <= 0) return this.wake();
    clearTimeout(this.settling);
    this.settling = setTimeout(() => this.wake(), this.settleMs);
  }

  has(call: T): boolean {
    return this.inGate.has(call);
  }

  get size(): number {
    return this.inGate.size;
  }

  /** Resolves once no call has been in the gate for the settle time, or after `capMs` (steady traffic never empties it). */
  quiet(capMs: number): Promise<void> {
    if (this.inGate.size === 0 && performance.now() - this.emptySince >= this.settleMs) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, capMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  private wake(): void {
    this.settling = undefined;
    const ready = this.waiters;
    this.waiters = [];
    for (const w of ready) w();
  }
}
