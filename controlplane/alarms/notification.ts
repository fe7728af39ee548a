import type { AlarmDefinition, StatisticName } from "./definition";
import type { StateTransition } from "./monitor";

/**
 * What CloudWatch publishes to an SNS topic when an alarm changes state: the JSON message (field names, order and
 * value formats as real notifications carry them), the subject line, and which of the alarm's actions fire. Only
 * the actions for the new state run: AlarmActions on a change to ALARM, OKActions to OK, InsufficientDataActions to
 * INSUFFICIENT_DATA, none when actions are disabled (User Guide, "Notifying users on alarm changes",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html).
 */

export interface NotificationContext {
  accountId: string;
  /** Region code, e.g. us-east-1; the message names it the way the console does. */
  region: string;
  /** Epoch seconds at which the alarm's configuration was last written (its deployment). */
  configurationUpdatedAt: number;
  /** Defaults to arn:aws:cloudwatch:<region>:<account>:alarm:<name>. */
  alarmArn?: string;
}

export interface AlarmTrigger {
  MetricName: string;
  Namespace: string;
  StatisticType: "Statistic" | "ExtendedStatistic";
  Statistic?: string;
  ExtendedStatistic?: string;
  Unit: string | null;
  Dimensions: { value: string; name: string }[];
  Period: number;
  EvaluationPeriods: number;
  /** Present only when the alarm sets it. */
  DatapointsToAlarm?: number;
  ComparisonOperator: string;
  Threshold: number;
  TreatMissingData: string;
  EvaluateLowSampleCountPercentile: string;
}

export interface AlarmNotification {
  AlarmName: string;
  AlarmDescription: string | null;
  AWSAccountId: string;
  AlarmConfigurationUpdatedTimestamp: string;
  NewStateValue: string;
  NewStateReason: string;
  StateChangeTime: string;
  Region: string;
  AlarmArn: string;
  OldStateValue: string;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  Trigger: AlarmTrigger;
}

/** Region names as notifications write them; a region not listed here is written as its code. */
const REGION_NAMES: Record<string, string> = {
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-1": "US West (N. California)",
  "us-west-2": "US West (Oregon)",
  "eu-west-1": "EU (Ireland)",
  "eu-central-1": "EU (Frankfurt)",
  "ap-northeast-1": "Asia Pacific (Tokyo)",
  "ap-northeast-2": "Asia Pacific (Seoul)",
  "ap-southeast-1": "Asia Pacific (Singapore)",
  "ap-southeast-2": "Asia Pacific (Sydney)",
};

/** Notifications write the statistic in upper case (AVERAGE, SUM, MAXIMUM); SAMPLE_COUNT follows that pattern. */
const STATISTIC_NAMES: Record<string, string> = {
  SampleCount: "SAMPLE_COUNT",
  Sum: "SUM",
  Average: "AVERAGE",
  Minimum: "MINIMUM",
  Maximum: "MAXIMUM",
};

/** CloudWatch's timestamp format in notifications: 2022-07-09T02:39:54.536+0000. */
function cloudWatchTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace("Z", "+0000");
}

/** The ARNs the transition notifies: the actions of the new state, or none when the alarm's actions are disabled. */
export function notificationTargets(alarm: AlarmDefinition, transition: StateTransition): string[] {
  if (!alarm.actionsEnabled) return [];
  switch (transition.to) {
    case "ALARM":
      return [...alarm.alarmActions];
    case "OK":
      return [...alarm.okActions];
    case "INSUFFICIENT_DATA":
      return [...alarm.insufficientDataActions];
  }
}

function trigger(alarm: AlarmDefinition): AlarmTrigger {
  const extended = !(alarm.statistic in STATISTIC_NAMES);
  const statistic: Pick<AlarmTrigger, "StatisticType" | "Statistic" | "ExtendedStatistic"> = extended
    ? { StatisticType: "ExtendedStatistic", ExtendedStatistic: alarm.statistic }
    : { StatisticType: "Statistic", Statistic: STATISTIC_NAMES[alarm.statistic as StatisticName] };
  return {
    MetricName: alarm.metricName,
    Namespace: alarm.namespace,
    ...statistic,
    Unit: alarm.unit ?? null,
    Dimensions: Object.entries(alarm.dimensions).map(([name, value]) => ({ value, name })),
    Period: alarm.period,
    EvaluationPeriods: alarm.evaluationPeriods,
    ...(alarm.datapointsToAlarm === undefined ? {} : { DatapointsToAlarm: alarm.datapointsToAlarm }),
    ComparisonOperator: alarm.comparisonOperator,
    Threshold: alarm.threshold,
    TreatMissingData: alarm.treatMissingData,
    EvaluateLowSampleCountPercentile: alarm.evaluateLowSampleCountPercentile ?? "",
  };
}

/** The message CloudWatch publishes for a transition (JSON.stringify it for SNS's Message). */
export function alarmNotification(
  alarm: AlarmDefinition,
  transition: StateTransition,
  context: NotificationContext,
): AlarmNotification {
  return {
    AlarmName: alarm.name,
    AlarmDescription: alarm.description ?? null,
    AWSAccountId: context.accountId,
    AlarmConfigurationUpdatedTimestamp: cloudWatchTime(context.configurationUpdatedAt),
    NewStateValue: transition.to,
    NewStateReason: transition.reason,
    StateChangeTime: cloudWatchTime(transition.at),
    Region: REGION_NAMES[context.region] ?? context.region,
    AlarmArn: context.alarmArn ?? `arn:aws:cloudwatch:${context.region}:${context.accountId}:alarm:${alarm.name}`,
    OldStateValue: transition.from,
    OKActions: [...alarm.okActions],
    AlarmActions: [...alarm.alarmActions],
    InsufficientDataActions: [...alarm.insufficientDataActions],
    Trigger: trigger(alarm),
  };
}

/** The SNS subject CloudWatch sets: ALARM: "name" in US East (N. Virginia). */
export function notificationSubject(notification: AlarmNotification): string {
  return `${notification.NewStateValue}: "${notification.AlarmName}" in ${notification.Region}`;
}
