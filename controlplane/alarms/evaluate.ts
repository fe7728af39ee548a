import type { AlarmDefinition, TreatMissingData } from "./definition";
import { filledReason, insufficientReason, type ListedDatapoint, thresholdReason } from "./reason";

/**
 * One evaluation of a metric alarm, following CloudWatch's documented rules:
 *
 * - Settings (User Guide, "Alarm evaluation",
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html): N = Evaluation Periods
 *   most recent periods are judged; ALARM needs Datapoints to Alarm (M) of them breaching, not necessarily
 *   consecutive; without DatapointsToAlarm, M = N.
 * - Missing data (User Guide, "Configuring how CloudWatch alarms treat missing data",
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html): CloudWatch retrieves
 *   more datapoints than N, the evaluation range. With at least N real datapoints in it, the most recent N real ones
 *   are judged and treatMissingData plays no part. With fewer, every real datapoint in the range is judged and the
 *   shortfall is filled as treatMissingData says, "as few times as possible". The page's two tables (3 of 3 and 2 of 3
 *   over 5 retrieved datapoints) are the specification the tests replay.
 * - For "missing" and "ignore" the tables need two rules the prose leaves implicit: a real datapoint within the
 *   threshold decides OK when fewer than M breach, and, for "missing" only, a lone run of breaching data with nothing
 *   but missing data after it decides ALARM once its oldest breaching datapoint is at least M periods old (AWS
 *   Knowledge Center, "Why did my CloudWatch alarm send me a notification after a single breached data point?",
 *   https://repost.aws/knowledge-center/cloudwatch-alarm-single-data-point). Otherwise "missing" gives
 *   INSUFFICIENT_DATA and "ignore" keeps the current state.
 * - AWS/DynamoDB (API reference, PutMetricAlarm, TreatMissingData,
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html): "Alarms that evaluate
 *   metrics in the AWS/DynamoDB namespace always ignore missing data even if you choose a different option for
 *   TreatMissingData."
 */

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/** One period of the evaluation range; `value` is undefined when the period had no data. */
export interface RangeSlot {
  start: number;
  value?: number;
}

export interface Verdict {
  state: AlarmState;
  reason: string;
}

/**
 * How many periods CloudWatch retrieves for one evaluation. The User Guide gives only its example (5 for 3
 * evaluation periods) and says the number depends on the period; N + 2 reproduces that example.
 */
export function evaluationRangeLength(alarm: AlarmDefinition): number {
  return alarm.evaluationPeriods + 2;
}

/**
 * Seconds between evaluations: every minute for periods of a minute or more, every 10 seconds for high-resolution
 * periods (User Guide, "Using Amazon CloudWatch alarms").
 */
export function evaluationInterval(alarm: AlarmDefinition): number {
  return alarm.period < 60 ? 10 : 60;
}

/** treatMissingData as CloudWatch applies it, which differs from the declared one for AWS/DynamoDB metrics. */
function effectiveTreatMissingData(alarm: AlarmDefinition): TreatMissingData {
  return alarm.namespace === "AWS/DynamoDB" ? "ignore" : alarm.treatMissingData;
}

function breaches(alarm: AlarmDefinition, value: number): boolean {
  switch (alarm.comparisonOperator) {
    case "GreaterThanThreshold":
      return value > alarm.threshold;
    case "GreaterThanOrEqualToThreshold":
      return value >= alarm.threshold;
    case "LessThanThreshold":
      return value < alarm.threshold;
    case "LessThanOrEqualToThreshold":
      return value <= alarm.threshold;
  }
}

/**
 * The state one evaluation decides from the evaluation range (oldest first, `evaluationRangeLength` slots), or
 * undefined when the alarm keeps its current state (ignore with too little data). Pure: the caller owns the state.
 */
export function evaluateRange(alarm: AlarmDefinition, range: readonly RangeSlot[]): Verdict | undefined {
  const n = alarm.evaluationPeriods;
  const m = alarm.datapointsToAlarm ?? n;
  const real: (ListedDatapoint & { age: number; breaching: boolean })[] = [];
  range.forEach((slot, i) => {
    if (slot.value !== undefined)
      real.push({
        start: slot.start,
        value: slot.value,
        age: range.length - i,
        breaching: breaches(alarm, slot.value),
      });
  });
  const judged = real.length >= n ? real.slice(-n) : real;
  const breaching = judged.filter((d) => d.breaching).reverse();
  const within = judged.filter((d) => !d.breaching).reverse();
  const byData = (): Verdict =>
    breaching.length >= m
      ? { state: "ALARM", reason: thresholdReason(alarm, "ALARM", breaching) }
      : { state: "OK", reason: thresholdReason(alarm, "OK", within) };

  if (real.length >= n) return byData();
  const received = real.length;
  switch (effectiveTreatMissingData(alarm)) {
    case "breaching":
      return {
        state: breaching.length + (n - received) >= m ? "ALARM" : "OK",
        reason: filledReason(alarm, received, "Breaching"),
      };
    case "notBreaching":
      return { state: breaching.length >= m ? "ALARM" : "OK", reason: filledReason(alarm, received, "NonBreaching") };
    case "missing": {
      if (breaching.length >= m || within.length > 0) return byData();
      const oldest = breaching[breaching.length - 1];
      if (oldest && oldest.age >= m) return { state: "ALARM", reason: thresholdReason(alarm, "ALARM", breaching) };
      return insufficient(n - received);
    }
    case "ignore":
      if (received > 0 && (breaching.length >= m || within.length > 0)) return byData();
      return undefined;
  }
}

function insufficient(unknown: number): Verdict {
  return { state: "INSUFFICIENT_DATA", reason: insufficientReason(unknown) };
}
