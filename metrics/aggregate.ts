import { type MetricLine, OperatorError, percentile } from "../contracts";

/**
 * CloudWatch statistics over the per-second record. The local dashboard and the report both go through
 * here, so a number on the page and the same number in REPORT.md cannot disagree.
 *
 * Every value in a record line is one datapoint, as CloudWatch sees a published datapoint: a counter's
 * per-second sum, a gauge's sample, or one observation of a distribution. So Average of a counter is
 * the mean per-second sum, exactly what CloudWatch shows for a metric published every second.
 */

export type Statistic = "Sum" | "Average" | "Minimum" | "Maximum" | "SampleCount" | `p${number}`;

/** A statistic name CloudWatch would reject, or one this module does not compute (TM99, IQM, ...). */
export class UnsupportedStatisticError extends OperatorError {
  constructor(readonly stat: string) {
    super(`unsupported statistic "${stat}": use Sum, Average, Minimum, Maximum, SampleCount or pNN (e.g. p99, p99.9)`);
  }
}

const PERCENTILE = /^p(\d{1,2}(?:\.\d+)?|100)$/;

/** Accepts CloudWatch's spellings (case-insensitive names, "p99", "p99.9") and returns the canonical one. */
export function parseStatistic(stat: string): Statistic {
  const names = ["Sum", "Average", "Minimum", "Maximum", "SampleCount"] as const;
  const named = names.find((n) => n.toLowerCase() === stat.toLowerCase());
  if (named) return named;
  const match = PERCENTILE.exec(stat.toLowerCase());
  if (match && Number(match[1]) <= 100) return `p${match[1]}` as Statistic;
  throw new UnsupportedStatisticError(stat);
}

/** Computes one statistic over datapoints. Undefined for no datapoints (CloudWatch shows a gap, not zero). */
export function computeStatistic(values: readonly number[], stat: Statistic): number | undefined {
  if (values.length === 0) return undefined;
  switch (stat) {
    case "Sum":
      return values.reduce((a, b) => a + b, 0);
    case "Average":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "Minimum":
      return values.reduce((a, b) => Math.min(a, b), Infinity);
    case "Maximum":
      return values.reduce((a, b) => Math.max(a, b), -Infinity);
    case "SampleCount":
      return values.length;
    default:
      return percentile(values, Number(stat.slice(1)));
  }
}

/** Which record lines feed one series: namespace, metric and the exact dimension set, like CloudWatch. */
export interface MetricSelector {
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  /**
   * Extra dimension names pooled over every value they take, e.g. ["Reason"] to count ValidationFailures
   * of all reasons together (CloudWatch needs SUM(SEARCH(...)) for this; see reporting/cloudwatch-source.ts).
   */
  pooledDimensions?: readonly string[];
}

export interface SeriesPoint {
  /** Start of the period, epoch seconds. */
  t: number;
  value: number;
}

export function matchesSelector(line: MetricLine, selector: MetricSelector): boolean {
  if (line.namespace !== selector.namespace || line.metric !== selector.metric) return false;
  const pooled = new Set(selector.pooledDimensions ?? []);
  const wanted = Object.entries(selector.dimensions);
  const lineKeys = Object.keys(line.dimensions);
  if (lineKeys.length !== wanted.length + [...pooled].filter((k) => k in line.dimensions).length) return false;
  if (pooled.size > 0 && ![...pooled].every((k) => k in line.dimensions)) return false;
  return wanted.every(([k, v]) => line.dimensions[k] === v);
}

export interface AggregateOptions {
  stat: Statistic;
  /** Seconds; buckets start at multiples of the period since the epoch, as CloudWatch aligns them. */
  period: number;
  /** Inclusive start and exclusive end, epoch seconds; omitted means the whole record. */
  start?: number;
  end?: number;
}

/** Aggregates the matching lines into one point per period that has data, ordered by time. */
export function aggregateSeries(
  lines: readonly MetricLine[],
  selector: MetricSelector,
  options: AggregateOptions,
): SeriesPoint[] {
  if (!(options.period > 0)) throw new RangeError(`period must be a positive number of seconds, got ${options.period}`);
  const buckets = new Map<number, number[]>();
  for (const line of lines) {
    if (options.start !== undefined && line.t < options.start) continue;
    if (options.end !== undefined && line.t >= options.end) continue;
    if (!matchesSelector(line, selector)) continue;
    const bucket = Math.floor(line.t / options.period) * options.period;
    let values = buckets.get(bucket);
    if (!values) {
      values = [];
      buckets.set(bucket, values);
    }
    for (const v of line.values) values.push(v);
  }
  const points: SeriesPoint[] = [];
  for (const [t, values] of [...buckets].sort((a, b) => a[0] - b[0])) {
    const value = computeStatistic(values, options.stat);
    if (value !== undefined) points.push({ t, value });
  }
  return points;
}

/** The statistic over every matching datapoint in the range, as one number (a singleValue over the time range). */
export function aggregateTotal(
  lines: readonly MetricLine[],
  selector: MetricSelector,
  stat: Statistic,
  range: { start?: number; end?: number } = {},
): number | undefined {
  const values: number[] = [];
  for (const line of lines) {
    if (range.start !== undefined && line.t < range.start) continue;
    if (range.end !== undefined && line.t >= range.end) continue;
    if (matchesSelector(line, selector)) for (const v of line.values) values.push(v);
  }
  return computeStatistic(values, stat);
}

/** First and last second present in the record, or undefined for an empty record. */
export function recordSpan(lines: readonly MetricLine[]): { start: number; end: number } | undefined {
  if (lines.length === 0) return undefined;
  let start = Infinity;
  let end = -Infinity;
  for (const { t } of lines) {
    if (t < start) start = t;
    if (t > end) end = t;
  }
  return { start, end };
}

/** Periods CloudWatch offers in its period override, in seconds (the sub-minute ones for high-resolution data). */
const DISPLAY_PERIODS = [1, 5, 10, 30, 60, 300, 900, 3600] as const;

/**
 * The period a chart uses when "auto": the declared period if the span holds at least `minPoints` of
 * them, else the largest finer standard period that does (a 2-minute local run at a declared 300 s would
 * otherwise be one dot). Never coarser than declared.
 */
export function autoPeriod(declared: number, spanSeconds: number, minPoints = 30): number {
  if (spanSeconds / declared >= minPoints) return declared;
  const finer = DISPLAY_PERIODS.filter((p) => p <= declared && spanSeconds / p >= minPoints);
  return finer.length > 0 ? finer[finer.length - 1]! : 1;
}
