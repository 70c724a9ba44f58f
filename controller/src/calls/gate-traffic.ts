// Which calls are in the gate right now, and when the last one entered, so that work that can
// wait (a call's store writes and its file's settling once it is past the gate) waits until the
// PBX is done letting a wave of callers through. On a real Asterisk, callrec's writes during a
// wave take the cores the PBX needs to release the callers still in it, even once none is in
// callrec's gate (docs/performance.md, "Twelfth pass").
/**
 * The longest work that can wait waits for the gate to settle (steady traffic never settles it).
 * A call's next step waits behind it: a pause pressed right after the agent answered reaches the
 * PBX at most this much later.
 */
export const TRAILING_WRITE_CAP_MS = 100;
/** The gate has settled when it is empty and no call entered it for this long. */
export const GATE_SETTLE_MS = 100;

export class GateTraffic<T> {
  private readonly inGate = new Set<T>();
  /** Each waiter, with the call it waits for (hurry). */
  private readonly waiters = new Map<() => void, T | undefined>();
  /** Calls with an urgent step queued: how many. */
  private readonly hurried = new Map<T, number>();
  private lastEntry = Number.NEGATIVE_INFINITY;
  private check: NodeJS.Timeout | null = null;

  constructor(
    private readonly settleMs = GATE_SETTLE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  enter(call: T): void {
    this.inGate.add(call);
    this.lastEntry = this.now();
  }

  leave(call: T): void {
    if (this.inGate.delete(call)) this.release();
  }

  has(call: T): boolean {
    return this.inGate.has(call);
  }

  get size(): number {
    return this.inGate.size;
  }

  /** Work waiting for the gate to settle (tests: one that reached its cap is forgotten). */
  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Resolves once the gate has settled (empty, no entry for `settleMs`), after `capMs`, or when
   * the call has an urgent step queued (`urgent`).
   */
  quiet(capMs: number, call?: T): Promise<void> {
    if (this.settled() || (call !== undefined && this.hurried.has(call))) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        if (this.waiters.size === 0 && this.check) {
          clearTimeout(this.check); // nobody left for the settle check to let go
          this.check = null;
        }
        resolve();
      };
      const timer = setTimeout(done, capMs);
      this.waiters.set(done, call);
      this.release();
    });
  }

  /**
   * `step` with nothing of its call waiting for the gate to settle until it has run: the call's
   * waiters go now, and the steps queued before it do not wait either (a pause or a key pressed
   * reaches the PBX after their writes, not after the wave).
   */
  urgent<R>(call: T, step: () => Promise<R>): () => Promise<R> {
    this.hurried.set(call, (this.hurried.get(call) ?? 0) + 1);
    for (const [w, c] of [...this.waiters]) if (c === call) w();
    return () =>
      step().finally(() => {
        const n = (this.hurried.get(call) ?? 1) - 1;
        if (n > 0) this.hurried.set(call, n);
        else this.hurried.delete(call);
      });
  }

  private settled(): boolean {
    return this.inGate.size === 0 && this.now() - this.lastEntry >= this.settleMs;
  }

  /** Lets the waiters go once the gate has settled; while it is empty, checks again when it will have. */
  private release(): void {
    if (this.check || this.inGate.size > 0 || this.waiters.size === 0) return;
    const due = this.lastEntry + this.settleMs - this.now();
    if (due > 0) {
      this.check = setTimeout(() => {
        this.check = null;
        this.release();
      }, Math.ceil(due));
      return;
    }
    for (const w of [...this.waiters.keys()]) w();
  }
}
