import type { MetricLine } from "../contracts";
import { aggregateSeries, aggregateTotal, type SeriesPoint } from "../metrics";
import type { MetricsSource, SeriesQuery, TimeRange } from "./queries";

/** The report's view of a local run: the same statistics the dashboard computes, from metrics.jsonl. */
export class LocalMetricsSource implements MetricsSource {
  readonly kind = "local record";

  constructor(private readonly lines: readonly MetricLine[]) {}

  async series(
    queries: readonly SeriesQuery[],
    range: TimeRange,
    period: number,
  ): Promise<Record<string, SeriesPoint[]>> {
    const out: Record<string, SeriesPoint[]> = {};
    for (const q of queries)
      out[q.id] = aggregateSeries(this.lines, q, { stat: q.stat, period, start: range.start, end: range.end });
    return out;
  }

  async totals(queries: readonly SeriesQuery[], range: TimeRange): Promise<Record<string, number | undefined>> {
    const out: Record<string, number | undefined> = {};
    for (const q of queries) out[q.id] = aggregateTotal(this.lines, q, q.stat, range);
    return out;
  }
}
