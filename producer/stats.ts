import { nearestRank } from "../contracts";

/** Latency of the SendMessageBatch calls of a run, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Collects every sample (a Float64Array that doubles as it fills: 8 bytes a call, exact percentiles). */
export class LatencyRecorder {
  private samples = new Float64Array(1024);
  private length = 0;
  private total = 0;

  record(ms: number): void {
    if (this.length === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.length++] = ms;
    this.total += ms;
  }

  get count(): number {
    return this.length;
  }

  summary(): LatencySummary {
    const sorted = this.samples.slice(0, this.length).sort();
    const round = (ms: number) => Math.round(ms * 100) / 100;
    // A summary of no calls says 0 rather than nothing.
    const at = (p: number) => round(nearestRank(sorted, p) ?? 0);
    return {
      count: this.length,
      p50: at(50),
      p95: at(95),
      p99: at(99),
      max: round(this.length === 0 ? 0 : sorted[this.length - 1]!),
      mean: round(this.length === 0 ? 0 : this.total / this.length),
    };
  }
}

/**
 * Messages per second over a sliding window of recent seconds, for the progress line: the lifetime
 * average hides a stall that started ten seconds ago.
 */
export class RecentRate {
  private readonly points: { atMs: number; total: number }[] = [];

  constructor(private readonly windowMs = 2000) {}

  /** Record the running total at `atMs`; returns the rate over the window ending now. */
  update(atMs: number, total: number): number {
    this.points.push({ atMs, total });
    while (this.points.length > 2 && this.points[0]!.atMs < atMs - this.windowMs) this.points.shift();
    const first = this.points[0]!;
    const spanMs = atMs - first.atMs;
    return spanMs <= 0 ? 0 : ((total - first.total) * 1000) / spanMs;
  }
}
