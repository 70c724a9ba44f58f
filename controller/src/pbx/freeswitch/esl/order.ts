// FreeSWITCH dispatches events from several threads: on the wire an event can arrive before one
// with a lower Event-Sequence (seen in the fixtures: 560 before 559, 592 before 591). Timestamps
// step in ~20 ms, so order by sequence: hold events for a short window, release them sorted.

export interface Sequenced {
  seq: number;
}

export class EventOrderer<T extends Sequenced> {
  private held: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastSeq = -1;

  constructor(
    private readonly emit: (e: T) => void,
    private readonly windowMs = 5,
    private readonly onLate?: (e: T, last: number) => void,
  ) {}

  push(e: T): void {
    if (this.windowMs <= 0) return this.release([e]);
    this.held.push(e);
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  /** Releases everything held now, in sequence order. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.held.sort((a, b) => a.seq - b.seq);
    this.held = [];
    this.release(batch);
  }

  private release(batch: T[]): void {
    for (const e of batch) {
      if (e.seq <= this.lastSeq) this.onLate?.(e, this.lastSeq);
      else this.lastSeq = e.seq;
      this.emit(e);
    }
  }

  /** After a reconnect the switch may have restarted: sequences start again. */
  reset(): void {
    this.flush();
    this.lastSeq = -1;
  }
}
