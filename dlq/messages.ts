// Pure logic over dead-lettered messages: what each one is, which ones a filter selects, the statistics and the
// redrive plan. No SQS calls here; dlq/sqs-io.ts does those.

import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import { type DeadLetter, EVENT_ID_ATTRIBUTE, isReasonMessage, messageBytes, packBatches } from "../contracts";

// Transitional names for the rest of dlq/, until it imports the contracts' reader directly.
export type DlqMessage = DeadLetter;
export { attachReasons, isReasonMessage, readDeadLetter as toDlqMessage } from "../contracts";

/** What a command selects: by consumer error code, or only the messages SQS's redrive policy moved. */
export interface MessageFilter {
  code?: string;
  movedOnly?: boolean;
}

/** Vehicle messages only: a reason message is never selected (it describes one, and is not one). */
export function matches(message: DeadLetter, filter: MessageFilter): boolean {
  if (isReasonMessage(message)) return false;
  if (filter.movedOnly && message.errorCode !== undefined) return false;
  if (filter.code !== undefined && message.errorCode !== filter.code) return false;
  return true;
}

/** The group a message counts under in stats: its errorCode, or how many receives SQS counted before moving it. */
export function groupOf(message: DeadLetter): string {
  // The count SQS reports includes this command's own receive, which did not move anything.
  return message.errorCode ?? `moved after ${Math.max(0, message.receiveCount - 1)} receives`;
}

export interface DlqStats {
  /** Every message in the DLQ, reason messages included. */
  total: number;
  /** Vehicle messages (reason messages excluded) by errorCode or "moved after N receives" -> count, largest first. */
  byGroup: Record<string, number>;
  rejected: number;
  /** Distinct sourceMessageIds among the rejected: fewer than rejected when one was dead-lettered more than once. */
  rejectedDistinct: number;
  moved: number;
  /** Distinct message ids among the moved (SQS keeps the id when its redrive policy moves a message). */
  movedDistinct: number;
  /** Distinct eventIds among vehicle messages: fewer than rejected + moved when a sender's retry sent one twice. */
  eventIdsDistinct: number;
  /** Companions carrying the reason of a body too big to carry it; `reasonMessagesUnmatched` describe no message here. */
  reasonMessages: number;
  reasonMessagesUnmatched: number;
  oldest: string | undefined;
  newest: string | undefined;
  /** vehicleId prefix ("(no vehicleId)" when the body has none) -> count; only with --by-prefix. */
  byPrefix?: Record<string, number>;
}

function countBy(messages: readonly DeadLetter[], key: (m: DeadLetter) => string): Record<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(key(m), (counts.get(key(m)) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

const distinct = (values: readonly (string | undefined)[]) => new Set(values.filter((v) => v !== undefined)).size;

/** Statistics of messages read by receiveAll, after attachReasons. */
export function dlqStats(all: readonly DeadLetter[], options: { byPrefix?: number } = {}): DlqStats {
  const times = all.map((m) => m.sentTimestamp).filter((t) => t > 0);
  const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : undefined);
  const reasons = all.filter(isReasonMessage);
  const messages = all.filter((m) => !isReasonMessage(m));
  const rejected = messages.filter((m) => m.errorCode !== undefined);
  const moved = messages.filter((m) => m.errorCode === undefined);
  const prefix = options.byPrefix;
  return {
    total: all.length,
    byGroup: countBy(messages, groupOf),
    rejected: rejected.length,
    rejectedDistinct: distinct(rejected.map((m) => m.sourceMessageId ?? m.messageId)),
    moved: moved.length,
    movedDistinct: distinct(moved.map((m) => m.messageId)),
    eventIdsDistinct: distinct(messages.map((m) => m.eventId)),
    reasonMessages: reasons.length,
    reasonMessagesUnmatched: reasons.filter((m) => !m.reasonMatched).length,
    oldest: times.length ? iso(Math.min(...times)) : undefined,
    newest: times.length ? iso(Math.max(...times)) : undefined,
    ...(prefix !== undefined
      ? { byPrefix: countBy(messages, (m) => (m.vehicleId ? m.vehicleId.slice(0, prefix) : "(no vehicleId)")) }
      : {}),
  };
}

export interface RedrivePlan {
  /** Messages to re-send to the source queue, in order. */
  send: DeadLetter[];
  /** Rejected messages (errorCode set) the filter selected but --force did not allow: they would come straight back. */
  refused: DeadLetter[];
  /** Selected but beyond --limit. */
  overLimit: number;
  /** Reason messages: never sent to the source queue, left in the DLQ. */
  reasonMessages: number;
}

export function redrivePlan(
  messages: readonly DeadLetter[],
  options: MessageFilter & { force?: boolean; limit?: number },
): RedrivePlan {
  const selected = messages.filter((m) => matches(m, options));
  const refused = options.force ? [] : selected.filter((m) => m.errorCode !== undefined);
  const allowed = selected.filter((m) => !refused.includes(m));
  const limit = options.limit ?? allowed.length;
  return {
    send: allowed.slice(0, limit),
    refused,
    overLimit: Math.max(0, allowed.length - limit),
    reasonMessages: messages.filter(isReasonMessage).length,
  };
}

/** The attributes a re-sent message carries: only eventId, so the consumer's conditional put keeps it exactly once. */
export function resendAttributes(message: DeadLetter): Record<string, MessageAttributeValue> {
  return message.eventId ? { [EVENT_ID_ATTRIBUTE]: { DataType: "String", StringValue: message.eventId } } : {};
}

/** The re-sends grouped for SendMessageBatch, within SQS's entry and payload limits. */
export function sendBatches(messages: readonly DeadLetter[]): DeadLetter[][] {
  return packBatches(messages, (message) => messageBytes(message.body, resendAttributes(message)));
}

/** One line of an export: every field a later investigation needs, receipt handle left out (it expires). */
export function exportRecord(message: DeadLetter): Record<string, unknown> {
  const { receiptHandle: _handle, ...kept } = message;
  return { ...kept, sentAt: message.sentTimestamp ? new Date(message.sentTimestamp).toISOString() : undefined };
}
