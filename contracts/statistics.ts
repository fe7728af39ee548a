/**
 * Nearest-rank percentile: the smallest value with at least p% of the values at or below it, so a reported
 * p99 is a value that really occurred. `sorted` must be ascending; undefined when it is empty.
 */
export function nearestRank(sorted: ArrayLike<number>, p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** The nearest-rank percentile of values in any order. */
export function percentile(values: readonly number[], p: number): number | undefined {
  return nearestRank(
    [...values].sort((a, b) => a - b),
    p,
  );
}
