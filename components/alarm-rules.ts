import * as awsx from "@pulumi/awsx";
import type { PipelineSettings } from "../contracts";
import type { DashboardTargets } from "./dashboard-widgets";
import { type AlarmKey, DLQ_RUNBOOK_POINTER, runbookPointer } from "./runbook";

type Metric = awsx.classic.cloudwatch.Metric;

/** The settings the alarms read; config.ts gives each threshold's default and reason. */
export type AlarmSettings = Pick<
  PipelineSettings,
  "oldestMessageAgeAlarmSeconds" | "consumerErrorsAlarmThreshold" | "throttlesAlarmThreshold" | "alarmEmail"
>;

/** What the alarms watch: the same names the dashboard uses. */
export type AlarmTargets = DashboardTargets;

/**
 * Counts (errors, throttles) are judged per 5 minutes, the window config.ts's reasons speak of: long enough that a
 * single burst is one notification, short enough to page within minutes.
 */
export const COUNT_ALARM_PERIOD_SECONDS = 300;
/** Queue gauges are judged per minute, SQS's publishing interval, so a stuck queue is reported without delay. */
export const QUEUE_ALARM_PERIOD_SECONDS = 60;

export interface AlarmRule {
  /** Stable key, also the suffix of the alarm's resource name. */
  key: AlarmKey;
  /** Becomes the alarm description: what is wrong and what to look at, as the notification e-mail shows it. */
  description: string;
  metric(targets: AlarmTargets): Metric;
  comparisonOperator: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold";
  threshold: number;
  evaluationPeriods: number;
  /**
   * All rules use notBreaching: SQS stops publishing for a queue that has been idle (no messages, no calls) for six
   * hours, Lambda publishes Errors/Throttles only when invoked and DynamoDB ThrottledRequests only when a request is
   * throttled. In each case a missing datapoint means "nothing happened", which is the healthy state; "missing"
   * would leave an idle stack in INSUFFICIENT_DATA and "breaching" would page on every quiet night.
   */
  treatMissingData: "notBreaching";
}

/** The pipeline's alarms, with their thresholds taken from the stack settings. */
export function pipelineAlarmRules(settings: AlarmSettings): AlarmRule[] {
  const { sqs, lambda, dynamodb } = awsx.classic;
  const perMinute = { period: QUEUE_ALARM_PERIOD_SECONDS };
  const perFiveMinutes = { period: COUNT_ALARM_PERIOD_SECONDS, statistic: "Sum" as const };
  return [
    {
      key: "dlq-not-empty",
      description:
        "The dead-letter queue holds messages: invalid vehicles (see the errorCode/errorReason attributes) or " +
        `messages that failed maxReceiveCount times. Inspect them, fix the cause, then redrive or purge. ${DLQ_RUNBOOK_POINTER}`,
      metric: (t) =>
        sqs.metrics.approximateNumberOfMessagesVisible({
          ...perMinute,
          statistic: "Maximum",
          dimensions: { QueueName: t.dlqName },
        }),
      // Any message at all: a dead letter is never normal, so there is no tolerance to tune.
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    },
    {
      key: "oldest-message-age",
      description:
        `A message has waited more than ${settings.oldestMessageAgeAlarmSeconds} s in the vehicle ` +
        `queue: the consumer is failing, throttled or capped by maxConcurrency. ${runbookPointer("oldest-message-age")}`,
      metric: (t) =>
        sqs.metrics.approximateAgeOfOldestMessage({
          ...perMinute,
          statistic: "Maximum",
          dimensions: { QueueName: t.queueName },
        }),
      comparisonOperator: "GreaterThanThreshold",
      threshold: settings.oldestMessageAgeAlarmSeconds,
      // The age only grows while the backlog is stuck, so one minute above the threshold is already the answer.
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    },
    {
      key: "consumer-errors",
      description:
        `The consumer failed ${settings.consumerErrorsAlarmThreshold} or more invocations in 5 ` +
        `minutes (validation failures are not errors): read its log group. ${runbookPointer("consumer-errors")}`,
      metric: (t) => lambda.metrics.errors({ ...perFiveMinutes, dimensions: { FunctionName: t.functionName } }),
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: settings.consumerErrorsAlarmThreshold,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    },
    {
      key: "consumer-throttles",
      description:
        `Lambda throttled the consumer ${settings.throttlesAlarmThreshold} or more times in 5 ` +
        `minutes: account or reserved concurrency is exhausted. ${runbookPointer("consumer-throttles")}`,
      metric: (t) => lambda.metrics.throttles({ ...perFiveMinutes, dimensions: { FunctionName: t.functionName } }),
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: settings.throttlesAlarmThreshold,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    },
    {
      key: "table-throttles",
      description:
        `DynamoDB throttled ${settings.throttlesAlarmThreshold} or more PutItem requests in 5 ` +
        `minutes: the on-demand table is past its burst capacity; retries are delaying vehicles. ` +
        runbookPointer("table-throttles"),
      // PutItem is the only operation the consumer makes; ThrottledRequests is published per TableName and Operation.
      metric: (t) =>
        dynamodb.metrics.throttledRequests({
          ...perFiveMinutes,
          dimensions: { TableName: t.tableName, Operation: "PutItem" },
        }),
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: settings.throttlesAlarmThreshold,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    },
  ];
}
