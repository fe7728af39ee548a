import type { PlainValues } from "../../contracts";
import { InvalidAlarmError, UnsupportedAlarmError } from "./errors";

/**
 * An alarm definition: what `aws:cloudwatch/metricAlarm:MetricAlarm` declares, as the evaluator reads it. Built from
 * the resource's inputs so the local cloud judges the very alarm `pulumi up` creates, never a copy of its settings.
 */

export const METRIC_ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm";

export type ComparisonOperator =
  | "GreaterThanThreshold"
  | "GreaterThanOrEqualToThreshold"
  | "LessThanThreshold"
  | "LessThanOrEqualToThreshold";

export type TreatMissingData = "missing" | "notBreaching" | "breaching" | "ignore";

/** CloudWatch's Statistic values, or an ExtendedStatistic that is a plain percentile such as p99 or p99.9. */
export type StatisticName = "SampleCount" | "Sum" | "Average" | "Minimum" | "Maximum" | `p${number}`;

/** One metric (namespace, name, exact dimension set, optional unit) aggregated per period with one statistic. */
export interface MetricQuery {
  namespace: string;
  metricName: string;
  /** The complete dimension set: CloudWatch treats a series with one more or one fewer dimension as another metric. */
  dimensions: Readonly<Record<string, string>>;
  /** When set, only values published with this unit count; CloudWatch leaves a mismatched alarm without data. */
  unit?: string;
  /** Seconds: 10, 20, 30 or a multiple of 60. */
  period: number;
  statistic: StatisticName;
}

export interface AlarmDefinition extends MetricQuery {
  name: string;
  description?: string;
  /** N: how many of the most recent periods are judged. */
  evaluationPeriods: number;
  /**
   * M of an "M out of N" alarm. Undefined when the alarm leaves it unset: CloudWatch then needs all N periods
   * breaching, words its reasons without "out of the last", and leaves DatapointsToAlarm out of notifications.
   */
  datapointsToAlarm?: number;
  threshold: number;
  comparisonOperator: ComparisonOperator;
  /** As declared; CloudWatch's default is "missing". */
  treatMissingData: TreatMissingData;
  /** Only "evaluate" (CloudWatch's behaviour when unset) is supported; undefined when unset. */
  evaluateLowSampleCountPercentile?: "evaluate";
  actionsEnabled: boolean;
  alarmActions: string[];
  okActions: string[];
  insufficientDataActions: string[];
}

const OPERATORS: readonly ComparisonOperator[] = [
  "GreaterThanThreshold",
  "GreaterThanOrEqualToThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
];
const ANOMALY_OPERATORS = [
  "LessThanLowerOrGreaterThanUpperThreshold",
  "LessThanLowerThreshold",
  "GreaterThanUpperThreshold",
];
const STATISTICS = ["SampleCount", "Sum", "Average", "Minimum", "Maximum"];
const TREATMENTS: readonly TreatMissingData[] = ["missing", "notBreaching", "breaching", "ignore"];
/** p0 to p100 with at most two decimals: the percentile form of ExtendedStatistic (TM, WM, PR, TC, TS, IQM are not). */
const SIMPLE_PERCENTILE = /^p(\d{1,3}(\.\d{1,2})?)$/;

/** The percentile a statistic names (99 for p99), or undefined for the five plain statistics. */
export function percentileOf(statistic: StatisticName): number | undefined {
  return statistic.startsWith("p") ? Number(statistic.slice(1)) : undefined;
}

/**
 * An alarm definition from a MetricAlarm resource's inputs (plain values, as the engine and the mocks record them).
 * `name` is the alarm's name in CloudWatch (the physical name). Throws UnsupportedAlarmError for alarms this
 * evaluator does not emulate and InvalidAlarmError for inputs CloudWatch would refuse.
 */
export function alarmFromInputs(name: string, inputs: PlainValues): AlarmDefinition {
  const invalid = (message: string) => new InvalidAlarmError(name, message);
  const unsupported = (message: string) => new UnsupportedAlarmError(name, message);

  if (Array.isArray(inputs.metricQueries) && inputs.metricQueries.length > 0)
    throw unsupported("metric math (metricQueries) is not evaluated here, only single-metric alarms");
  if (inputs.thresholdMetricId !== undefined || ANOMALY_OPERATORS.includes(inputs.comparisonOperator))
    throw unsupported("anomaly detection bands are not evaluated here, only static thresholds");
  const lowSample = inputs.evaluateLowSampleCountPercentiles ?? inputs.evaluateLowSampleCountPercentile;
  if (lowSample !== undefined && lowSample !== "" && lowSample !== "evaluate")
    throw unsupported(
      `evaluateLowSampleCountPercentile "${lowSample}" is not evaluated here (only "evaluate", which judges every datapoint)`,
    );

  const text = (key: string): string => {
    const value = inputs[key];
    if (typeof value !== "string" || value === "") throw invalid(`${key} must be a non-empty string`);
    return value;
  };
  const integer = (key: string, min: number): number => {
    const value = inputs[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min)
      throw invalid(`${key} must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
    return value;
  };
  const actions = (key: string): string[] => {
    const value = inputs[key] ?? [];
    if (!Array.isArray(value) || !value.every((a) => typeof a === "string"))
      throw invalid(`${key} must be a list of ARNs`);
    return [...value];
  };

  const period = integer("period", 1);
  // PutMetricAlarm's rules (API reference, Period): 10, 20, 30 or a multiple of 60, and at most one day of
  // evaluation for periods under an hour, seven days otherwise.
  if (![10, 20, 30].includes(period) && period % 60 !== 0)
    throw invalid(`period must be 10, 20, 30 or a multiple of 60 seconds, got ${period}`);
  const evaluationPeriods = integer("evaluationPeriods", 1);
  const limit = period < 3600 ? 86_400 : 604_800;
  if (period * evaluationPeriods > limit)
    throw invalid(`period x evaluationPeriods is ${period * evaluationPeriods} s, more than the ${limit} s allowed`);
  let datapointsToAlarm: number | undefined;
  if (inputs.datapointsToAlarm !== undefined) {
    datapointsToAlarm = integer("datapointsToAlarm", 1);
    if (datapointsToAlarm > evaluationPeriods)
      throw invalid(`datapointsToAlarm (${datapointsToAlarm}) exceeds evaluationPeriods (${evaluationPeriods})`);
  }

  const statistic = inputs.statistic;
  const extended = inputs.extendedStatistic;
  if ((statistic === undefined) === (extended === undefined))
    throw invalid("exactly one of statistic and extendedStatistic must be set");
  let statisticName: StatisticName;
  if (statistic !== undefined) {
    if (!STATISTICS.includes(statistic)) throw invalid(`statistic must be one of ${STATISTICS.join(", ")}`);
    statisticName = statistic as StatisticName;
  } else {
    const match = typeof extended === "string" ? SIMPLE_PERCENTILE.exec(extended) : null;
    if (!match || Number(match[1]) > 100)
      throw unsupported(`extendedStatistic ${JSON.stringify(extended)} is not a plain percentile (p0 to p100)`);
    statisticName = extended as StatisticName;
  }

  const comparisonOperator = inputs.comparisonOperator;
  if (!OPERATORS.includes(comparisonOperator))
    throw invalid(
      `comparisonOperator must be one of ${OPERATORS.join(", ")}, got ${JSON.stringify(comparisonOperator)}`,
    );
  const threshold = inputs.threshold;
  if (typeof threshold !== "number" || !Number.isFinite(threshold)) throw invalid("threshold must be a finite number");
  const treatMissingData = inputs.treatMissingData ?? "missing";
  if (!TREATMENTS.includes(treatMissingData)) throw invalid(`treatMissingData must be one of ${TREATMENTS.join(", ")}`);

  const rawDimensions = inputs.dimensions ?? {};
  if (typeof rawDimensions !== "object" || rawDimensions === null || Array.isArray(rawDimensions))
    throw invalid("dimensions must be a map of name to value");
  const dimensions: Record<string, string> = {};
  for (const [key, value] of Object.entries(rawDimensions)) {
    if (typeof value !== "string") throw invalid(`dimension ${key} must be a string`);
    dimensions[key] = value;
  }
  const unit = inputs.unit;
  if (unit !== undefined && typeof unit !== "string") throw invalid("unit must be a string");
  const description = inputs.alarmDescription;

  return {
    name,
    description: typeof description === "string" ? description : undefined,
    namespace: text("namespace"),
    metricName: text("metricName"),
    dimensions,
    unit: unit === "" ? undefined : unit,
    period,
    statistic: statisticName,
    evaluationPeriods,
    datapointsToAlarm,
    threshold,
    comparisonOperator,
    treatMissingData,
    evaluateLowSampleCountPercentile: lowSample === "evaluate" ? "evaluate" : undefined,
    actionsEnabled: inputs.actionsEnabled !== false,
    alarmActions: actions("alarmActions"),
    okActions: actions("okActions"),
    insufficientDataActions: actions("insufficientDataActions"),
  };
}
