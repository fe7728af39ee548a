import type { LogLine } from "./run-record";

/**
 * What the embedded cloud's control plane adds to a run record (docs/CONTRACTS.md): IAM refusals and alarm state
 * changes as logs.jsonl lines with source "cloud", the SNS messages CloudWatch would publish in sns.jsonl, and the
 * `iam` and `alarms` fields of run.json. The cloud writes them; the local dashboard and the report read them here.
 */

/** The SNS log of a run folder: one line per message CloudWatch would publish to an alarm's topics. */
export const SNS_FILE = "sns.jsonl";

/** A call IAM refused: who, what, on which resource, and AWS's message as the caller received it. */
export interface AccessDenial {
  /** `arn:aws:iam::<account>:user/<name>`, `arn:aws:sts::<account>:assumed-role/<role>/<session>`, or the access key id when no principal has it. */
  principal: string;
  service: "sqs" | "dynamodb";
  /** The API operation, e.g. SendMessageBatch. */
  operation: string;
  /** The IAM action, e.g. sqs:SendMessage; empty for an unknown access key (refused before any action is judged). */
  action: string;
  resource: string;
  /** AWS's error code (AccessDenied, AccessDeniedException, InvalidClientTokenId, UnrecognizedClientException). */
  code: string;
  message: string;
}

/** logs.jsonl: one refused call. */
export type AccessDeniedLogLine = LogLine & AccessDenial & { source: "cloud"; event: "access-denied" };

/** One distinct refusal of a run (principal, action, resource), with how often it happened. */
export interface DenialSummary extends AccessDenial {
  count: number;
  /** Epoch seconds of the first and last refusal. */
  first: number;
  last: number;
}

/** run.json `iam`: whether calls were authorized, what was refused, and what was used. */
export interface IamRunSummary {
  enforced: boolean;
  denials: DenialSummary[];
  /** Every distinct permission a call used (principal, action, resource), for least-privilege reviews. */
  used: { principal: string; action: string; resource: string; count: number }[];
}

export type AlarmStateValue = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/** logs.jsonl: an alarm changed state (what CloudWatch's alarm history records). */
export interface AlarmStateLogLine extends LogLine {
  source: "cloud";
  event: "alarm-state";
  alarm: string;
  /** Epoch seconds of the evaluation that changed the state. */
  at: number;
  from: AlarmStateValue;
  to: AlarmStateValue;
  reason: string;
}

/** run.json `alarms`: each alarm's transitions and final state, and why it saw no data if it saw none. */
export interface AlarmRunSummary {
  alarm: string;
  state: AlarmStateValue;
  transitions: { at: number; from: AlarmStateValue; to: AlarmStateValue; reason: string }[];
  datapointsSeen: number;
  /** The metric the alarm watches, its statistic per period, the threshold, and the highest datapoint seen. */
  watches: string;
  peak: number | null;
  /** Set when the metric never received a datapoint: why, and the nearest series the record does hold. */
  noData?: string;
  /**
   * With noData: the metric and its dimensions are ones this stack publishes (the same metric and dimension names are
   * in the record, every value names a deployed resource or an operation), only nothing happened that it counts, as
   * DynamoDB publishes ThrottledRequests only for an operation called. Unset: a misspelled metric or dimension.
   */
  quiet?: boolean;
}

/** sns.jsonl: the message CloudWatch publishes for one state change, to every target of the new state. */
export interface SnsLine {
  t: number;
  targets: string[];
  subject: string;
  /** The notification as SNS's Message carries it, parsed (AlarmName, NewStateValue, Trigger, ...). */
  message: Record<string, unknown>;
}

export function isAlarmStateLine(line: LogLine): line is AlarmStateLogLine {
  return line.source === "cloud" && line.event === "alarm-state" && typeof line.alarm === "string";
}
