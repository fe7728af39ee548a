import type { MetricLine } from "../../contracts";
import { addValues, emptySummary, statisticValue, type ValueSummary } from "./aggregate";
import type { MetricQuery } from "./definition";
import { seriesKey } from "./series";

/** One CloudWatch datapoint: the statistic over every raw value of one period. */
export interface Datapoint {
  /** Epoch seconds at which the period starts: the timestamp CloudWatch gives the datapoint. */
  start: number;
  value: number;
  /** How many raw values the period held. */
  sampleCount: number;
}

export interface DatapointOptions {
  /**
   * Period starts are congruent to this many seconds modulo the period. 0 (the default) aligns them to the epoch, as
   * GetMetricData and the dashboard do; an alarm's sliding window aligns them to its evaluation time instead.
   */
  offset?: number;
}

/** Whether a record line belongs to the query's metric: same namespace and name, exactly the same dimensions. */
function lineMatches(line: MetricLine, query: MetricQuery): boolean {
  return (
    line.namespace === query.namespace &&
    line.metric === query.metricName &&
    (query.unit === undefined || line.unit === query.unit) &&
    seriesKey("", "", line.dimensions) === seriesKey("", "", query.dimensions)
  );
}

/**
 * The query's datapoints from per-second record lines, oldest first. A period with no value is left out: it is
 * missing data, which the alarm treats as its treatMissingData says, never as zero.
 */
export function datapoints(
  lines: readonly MetricLine[],
  query: MetricQuery,
  options: DatapointOptions = {},
): Datapoint[] {
  const offset = options.offset ?? 0;
  const keep = query.statistic.startsWith("p");
  const periods = new Map<number, ValueSummary>();
  for (const line of lines) {
    if (line.values.length === 0 || !lineMatches(line, query)) continue;
    const start = line.t - mod(line.t - offset, query.period);
    let summary = periods.get(start);
    if (!summary) {
      summary = emptySummary(keep);
      periods.set(start, summary);
    }
    addValues(summary, line.values);
  }
  return [...periods.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, summary]) => ({
      start,
      value: statisticValue(summary, query.statistic)!,
      sampleCount: summary.count,
    }));
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
