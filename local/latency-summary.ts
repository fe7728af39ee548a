import { nearestRank } from "../contracts";

/** Send-to-stored latency (SentTimestamp to storedAt, both from the item) as run.json and the summary show it. */
export interface LatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentiles of ascending latencies, in ms; null when nothing was stored. */
export function latencySummary(sorted: readonly number[]): LatencySummary {
  const at = (p: number) => nearestRank(sorted, p) ?? null;
  return {
    count: sorted.length,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: sorted.length ? sorted[sorted.length - 1]! : null,
  };
}
