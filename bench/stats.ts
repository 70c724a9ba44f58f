// Order statistics for the benchmarks: the nearest-rank quantile and the median of a sample.

/** The q-quantile (0..1) by nearest rank; NaN for an empty sample. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);
