// `bench:retention -- --blame`: which of the purge's steps the slowest inserts overlapped. Each
// insert's interval is set against the purge's SQL statements and file passes; a step that slows
// the inserts is over-represented among the slowest against the share of time it was active.

export interface Interval {
  from: number;
  to: number;
  what: string;
}

export class Overlaps {
  private readonly inserts: Array<[number, number]> = [];
  private readonly steps: Interval[] = [];

  insert(from: number, to: number): void {
    this.inserts.push([from, to]);
  }

  step(what: string, from: number, to: number): void {
    this.steps.push({ from, to, what });
  }

  /** The report's lines for the slowest `share` of the inserts started at or after `since`. */
  report(since: number, until: number, share = 0.02): string[] {
    const ins = this.inserts.filter(([a]) => a >= since);
    const slow = [...ins]
      .sort((x, y) => y[1] - y[0] - (x[1] - x[0]))
      .slice(0, Math.max(1, Math.ceil(ins.length * share)));
    const span = until - since;
    const active = new Map<string, number>();
    for (const s of this.steps) active.set(s.what, (active.get(s.what) ?? 0) + (s.to - s.from));
    const hit = new Map<string, number>();
    const overlapping = ([a, b]: [number, number]) =>
      new Set(this.steps.filter((s) => s.from < b && s.to > a).map((s) => s.what));
    let none = 0;
    for (const i of slow) {
      const seen = overlapping(i);
      if (seen.size === 0) none += 1;
      for (const w of seen) hit.set(w, (hit.get(w) ?? 0) + 1);
    }
    const noneAll = ins.filter((i) => overlapping(i).size === 0).length;
    const pctOf = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(0)}%`;
    const [worst] = slow;
    const last = slow[slow.length - 1];
    return [
      `the slowest ${slow.length} of ${ins.length} inserts (${share * 100}%, ${worst ? (worst[1] - worst[0]).toFixed(1) : '-'} to ${last ? (last[1] - last[0]).toFixed(1) : '-'} ms) overlapped:`,
      ...[...hit]
        .sort((x, y) => y[1] - x[1])
        .map(
          ([w, n]) =>
            `  ${w.padEnd(34)} ${pctOf(n, slow.length).padStart(4)} of them; active ${pctOf(active.get(w) ?? 0, span)} of the time`,
        ),
      `  ${'no step of the purge'.padEnd(34)} ${pctOf(none, slow.length).padStart(4)} of them; ${pctOf(noneAll, ins.length)} of all inserts`,
    ];
  }
}
