import { nearestRank } from "../../contracts";
import { percentileOf, type StatisticName } from "./definition";

/**
 * The raw values of one series in one stretch of time (a second, a period), reduced to what the alarm's statistic
 * needs: count, sum, minimum and maximum always, the values themselves only for percentiles.
 */
export interface ValueSummary {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Kept only when the statistic is a percentile. */
  values?: number[];
}

export function emptySummary(keepValues: boolean): ValueSummary {
  return { count: 0, sum: 0, min: Infinity, max: -Infinity, values: keepValues ? [] : undefined };
}

export function addValues(summary: ValueSummary, values: readonly number[]): void {
  for (const v of values) {
    summary.count++;
    summary.sum += v;
    if (v < summary.min) summary.min = v;
    if (v > summary.max) summary.max = v;
    summary.values?.push(v);
  }
}

export function mergeSummary(into: ValueSummary, from: ValueSummary): void {
  into.count += from.count;
  into.sum += from.sum;
  if (from.min < into.min) into.min = from.min;
  if (from.max > into.max) into.max = from.max;
  if (into.values && from.values) for (const v of from.values) into.values.push(v);
}

/**
 * The statistic over every raw value summarized, or undefined when there is none: a period without values is
 * missing data, not a zero. Percentiles are nearest-rank (a value that really occurred).
 */
export function statisticValue(summary: ValueSummary, statistic: StatisticName): number | undefined {
  if (summary.count === 0) return undefined;
  switch (statistic) {
    case "SampleCount":
      return summary.count;
    case "Sum":
      return summary.sum;
    case "Average":
      return summary.sum / summary.count;
    case "Minimum":
      return summary.min;
    case "Maximum":
      return summary.max;
    default: {
      const sorted = (summary.values ?? []).slice().sort((a, b) => a - b);
      return nearestRank(sorted, percentileOf(statistic)!);
    }
  }
}
