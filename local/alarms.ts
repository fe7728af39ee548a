import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { type AlarmRunSummary, type AlarmStateLogLine, type MetricLine, SNS_FILE, type SnsLine } from "../contracts";
import {
  type AlarmDefinition,
  AlarmMonitor,
  alarmNotification,
  datapoints,
  notificationSubject,
  notificationTargets,
  type StateTransition,
} from "../controlplane";
import type { RunRecorder } from "./recorder";

/**
 * CloudWatch for the embedded cloud's alarms: the stack's MetricAlarms judged over the run's record as each second is
 * written (controlplane's AlarmMonitor), every state change written to logs.jsonl, and the message CloudWatch would
 * publish to the alarm's topics written to the run's sns.jsonl (SNS itself is not emulated: nothing is delivered).
 */

export interface AlarmContext {
  region: string;
  accountId: string;
  /** Epoch seconds of the deploy: the alarms exist from then, and their configuration was written then. */
  deployedAt: number;
  /** The physical names of the deployed queues, functions and tables: what a dimension value may name. */
  resourceNames: readonly string[];
}

/** The values DynamoDB gives its Operation dimension (CloudWatch metrics for DynamoDB, "Dimensions"). */
const DYNAMODB_OPERATIONS = new Set([
  "PutItem",
  "DeleteItem",
  "UpdateItem",
  "GetItem",
  "BatchGetItem",
  "Scan",
  "Query",
  "BatchWriteItem",
  "TransactWriteItems",
  "TransactGetItems",
  "ExecuteTransaction",
  "BatchExecuteStatement",
  "ExecuteStatement",
]);

/**
 * Whether an alarm that saw no datapoint watches a series this stack does publish, only not in this run: the record
 * holds the same metric with the same dimension names, and each value names a deployed resource or an operation.
 * Anything else is a misspelled metric, dimension name or value, which CloudWatch would leave without data forever.
 */
function quietSeries(
  alarm: AlarmDefinition,
  lines: readonly MetricLine[],
  resourceNames: ReadonlySet<string>,
): boolean {
  const names = Object.keys(alarm.dimensions).sort().join(",");
  const sameShape = lines.some(
    (l) =>
      l.namespace === alarm.namespace &&
      l.metric === alarm.metricName &&
      Object.keys(l.dimensions).sort().join(",") === names,
  );
  const valuesKnown = Object.entries(alarm.dimensions).every(([name, value]) =>
    name === "Operation" ? DYNAMODB_OPERATIONS.has(value) : resourceNames.has(value),
  );
  return sameShape && valuesKnown;
}

export class CloudAlarms {
  private readonly monitor: AlarmMonitor;
  private readonly byName: Map<string, AlarmDefinition>;
  private readonly snsFile: string;
  private readonly stopFollowing: () => void;

  constructor(
    readonly definitions: readonly AlarmDefinition[],
    private readonly recorder: RunRecorder,
    private readonly context: AlarmContext,
  ) {
    this.monitor = new AlarmMonitor(definitions, { startAt: Math.floor(context.deployedAt) });
    this.byName = new Map(definitions.map((a) => [a.name, a]));
    this.snsFile = join(recorder.folder, SNS_FILE);
    // A run of 30-60 s ends inside a 60 or 300 s period: the last flush makes the evaluation due at the next boundary.
    this.stopFollowing = recorder.onFlush((lines, through, final) => {
      const made = this.monitor.update(lines, through);
      if (final) made.push(...this.monitor.finish());
      for (const transition of made) this.publish(transition);
    });
  }

  /** Each alarm's state now (the local dashboard and `up` read it). */
  statuses() {
    return this.monitor.statuses();
  }

  /** run.json's `alarms`: transitions, final state, the peak datapoint against the threshold, and a missing metric. */
  summary(lines: readonly MetricLine[] = this.recorder.lines()): AlarmRunSummary[] {
    return this.monitor.report().map((report) => {
      const alarm = this.byName.get(report.alarm)!;
      const values = datapoints(lines, alarm).map((d) => d.value);
      const quiet = report.noData !== undefined && quietSeries(alarm, lines, new Set(this.context.resourceNames));
      return {
        alarm: report.alarm,
        state: report.state,
        transitions: report.transitions.map(({ at, from, to, reason }) => ({ at, from, to, reason })),
        datapointsSeen: report.datapointsSeen,
        watches: describeAlarm(alarm),
        peak: values.length > 0 ? Math.max(...values) : null,
        ...(report.noData
          ? {
              noData: quiet
                ? `${alarm.namespace} ${alarm.metricName} never received data in this run: the series is one this ` +
                  "stack publishes, only nothing happened that it counts"
                : report.noData.message,
              quiet,
            }
          : {}),
      };
    });
  }

  stop(): void {
    this.stopFollowing();
  }

  private publish(transition: StateTransition): void {
    const line: AlarmStateLogLine = {
      source: "cloud",
      event: "alarm-state",
      level: transition.to === "ALARM" ? "WARN" : "INFO",
      message: `alarm ${transition.alarm}: ${transition.from} -> ${transition.to}`,
      alarm: transition.alarm,
      at: transition.at,
      from: transition.from,
      to: transition.to,
      reason: transition.reason,
    };
    this.recorder.log(line);
    const alarm = this.byName.get(transition.alarm)!;
    const targets = notificationTargets(alarm, transition);
    // CloudWatch publishes only when the new state has actions, and only while actions are enabled.
    if (targets.length === 0) return;
    const message = alarmNotification(alarm, transition, {
      accountId: this.context.accountId,
      region: this.context.region,
      configurationUpdatedAt: this.context.deployedAt,
    });
    const sns: SnsLine = {
      t: transition.at,
      targets,
      subject: notificationSubject(message),
      message: message as unknown as Record<string, unknown>,
    };
    appendFileSync(this.snsFile, `${JSON.stringify(sns)}\n`);
  }
}

/** `AWS/SQS ApproximateNumberOfMessagesVisible {QueueName=x} Maximum per 60 s > 0`. */
function describeAlarm(alarm: AlarmDefinition): string {
  const dims = Object.entries(alarm.dimensions)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  const operator = {
    GreaterThanThreshold: ">",
    GreaterThanOrEqualToThreshold: ">=",
    LessThanThreshold: "<",
    LessThanOrEqualToThreshold: "<=",
  }[alarm.comparisonOperator];
  return (
    `${alarm.namespace} ${alarm.metricName} {${dims}} ${alarm.statistic} per ${alarm.period} s ` +
    `${operator} ${alarm.threshold}, ${alarm.datapointsToAlarm ?? alarm.evaluationPeriods} of ${alarm.evaluationPeriods}`
  );
}
