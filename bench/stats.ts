// Order statistics for the benchmarks: the nearest-rank quantile and the median of a sample.

/** The q-quantile (0..1) by nearest rank; NaN for an empty sample. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/**
 * The q-quantile (0..1) of several histograms each given as [percentile, value] pairs (as node's
 * `histogram.percentiles`) and its sample count: each step between two listed percentiles weighs
 * its share of that histogram's samples at the upper value (a slight overestimate, never an under).
 */
export function mergedQuantile(
  hs: ReadonlyArray<{ pct: ReadonlyArray<[number, number]>; count: number }>,
  q: number,
): number {
  const w: Array<[number, number]> = [];
  for (const h of hs) {
    let prev = 0;
    for (const [p, v] of h.pct) {
      if (p > prev) w.push([v, ((p - prev) / 100) * h.count]);
      prev = p;
    }
  }
  w.sort((a, b) => a[0] - b[0]);
  const total = w.reduce((s, [, n]) => s + n, 0);
  let seen = 0;
  for (const [v, n] of w) {
    seen += n;
    if (seen >= q * total) return v;
  }
  return NaN;
}
