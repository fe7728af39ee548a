// Pure logic over dead-lettered messages: what each one is, which ones a filter selects, the statistics and the
// redrive plan. No SQS calls here; dlq/sqs-io.ts does those.

import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import { attributeBytes, MAX_MESSAGE_BYTES } from "../handlers/dead-letter";

/** A message in the dead-letter queue, with what the runbook needs read out of its attributes and body. */
export interface DlqMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** Set by the consumer when it rejected the message (docs/CONTRACTS.md); absent when redrive moved it. */
  errorCode?: string;
  errorReason?: string;
  sourceMessageId?: string;
  eventId?: string;
  vehicleId?: string;
  receiveCount: number;
  /** Epoch milliseconds (SentTimestamp). */
  sentTimestamp: number;
  /** Hex MD5 of the body, as SQS reports it. */
  md5OfBody: string;
  /**
   * Set on a reason message: the companion the consumer sends when a body near 1 MiB leaves no room for errorCode,
   * errorReason or sourceMessageId (its reasonForBodyMd5 attribute). It is not a vehicle message.
   */
  reasonFor?: string;
  /** On a reason message: whether a message it describes is in the DLQ too. */
  reasonMatched?: boolean;
  /** On a big message: the reason message its errorCode, errorReason or sourceMessageId were read from. */
  reasonFrom?: string;
  attributes: Record<string, MessageAttributeValue>;
}

/** What a command selects: by consumer error code, or only the messages SQS's redrive policy moved. */
export interface MessageFilter {
  code?: string;
  movedOnly?: boolean;
}

function stringAttribute(message: Message, name: string): string | undefined {
  return message.MessageAttributes?.[name]?.StringValue;
}

function vehicleIdOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body);
    return parsed && typeof parsed === "object" && typeof parsed.vehicleId === "string" ? parsed.vehicleId : undefined;
  } catch {
    return undefined;
  }
}

export function toDlqMessage(message: Message): DlqMessage {
  const body = message.Body ?? "";
  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body,
    errorCode: stringAttribute(message, "errorCode"),
    errorReason: stringAttribute(message, "errorReason"),
    sourceMessageId: stringAttribute(message, "sourceMessageId"),
    eventId: stringAttribute(message, "eventId"),
    vehicleId: vehicleIdOf(body),
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    sentTimestamp: Number(message.Attributes?.SentTimestamp ?? 0),
    md5OfBody: message.MD5OfBody ?? "",
    reasonFor: stringAttribute(message, "reasonForBodyMd5"),
    attributes: message.MessageAttributes ?? {},
  };
}

export function isReasonMessage(message: DlqMessage): boolean {
  return message.reasonFor !== undefined;
}

const REASON_ATTRIBUTES = ["errorCode", "errorReason", "sourceMessageId"] as const;

/** A big message the companion describes: one its own attributes left without a reason, with the body's MD5 or id. */
function describedBy(reason: DlqMessage, message: DlqMessage): boolean {
  if (isReasonMessage(message)) return false;
  if (REASON_ATTRIBUTES.every((name) => message.attributes[name] !== undefined)) return false;
  if (message.md5OfBody !== "" && message.md5OfBody === reason.reasonFor) return true;
  return message.sourceMessageId !== undefined && message.sourceMessageId === reason.sourceMessageId;
}

/**
 * Gives each big message the reason its companion carries (errorCode, errorReason, sourceMessageId, where its own
 * attributes lack them), so it counts as rejected and is never redriven as if the redrive policy had moved it.
 * Updates the messages in place (commands track them by identity) and returns them.
 */
export function attachReasons(messages: DlqMessage[]): DlqMessage[] {
  for (const reason of messages.filter(isReasonMessage)) {
    for (const message of messages.filter((m) => describedBy(reason, m))) {
      message.errorCode ??= reason.errorCode;
      message.errorReason ??= reason.errorReason;
      message.sourceMessageId ??= reason.sourceMessageId;
      message.reasonFrom ??= reason.messageId;
      reason.reasonMatched = true;
    }
    reason.reasonMatched ??= false;
  }
  return messages;
}

/** Vehicle messages only: a reason message is never selected (it describes one, and is not one). */
export function matches(message: DlqMessage, filter: MessageFilter): boolean {
  if (isReasonMessage(message)) return false;
  if (filter.movedOnly && message.errorCode !== undefined) return false;
  if (filter.code !== undefined && message.errorCode !== filter.code) return false;
  return true;
}

/** The group a message counts under in stats: its errorCode, or how many receives SQS counted before moving it. */
export function groupOf(message: DlqMessage): string {
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

function countBy(messages: readonly DlqMessage[], key: (m: DlqMessage) => string): Record<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(key(m), (counts.get(key(m)) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

const distinct = (values: readonly (string | undefined)[]) => new Set(values.filter((v) => v !== undefined)).size;

/** Statistics of messages read by receiveAll, after attachReasons. */
export function dlqStats(all: readonly DlqMessage[], options: { byPrefix?: number } = {}): DlqStats {
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
  send: DlqMessage[];
  /** Rejected messages (errorCode set) the filter selected but --force did not allow: they would come straight back. */
  refused: DlqMessage[];
  /** Selected but beyond --limit. */
  overLimit: number;
  /** Reason messages: never sent to the source queue, left in the DLQ. */
  reasonMessages: number;
}

export function redrivePlan(
  messages: readonly DlqMessage[],
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
export function resendAttributes(message: DlqMessage): Record<string, MessageAttributeValue> {
  return message.eventId ? { eventId: { DataType: "String", StringValue: message.eventId } } : {};
}

/** The re-sends grouped for SendMessageBatch: at most 10 entries and SQS's 1 MiB per batch. */
export function sendBatches(messages: readonly DlqMessage[]): DlqMessage[][] {
  const batches: DlqMessage[][] = [];
  let bytes = 0;
  for (const message of messages) {
    const size =
      Buffer.byteLength(message.body, "utf8") +
      Object.entries(resendAttributes(message)).reduce((sum, [name, value]) => sum + attributeBytes(name, value), 0);
    const last = batches.at(-1);
    if (last && last.length < 10 && bytes + size <= MAX_MESSAGE_BYTES) {
      last.push(message);
      bytes += size;
    } else {
      batches.push([message]);
      bytes = size;
    }
  }
  return batches;
}

/** One line of an export: every field a later investigation needs, receipt handle left out (it expires). */
export function exportRecord(message: DlqMessage): Record<string, unknown> {
  const { receiptHandle: _handle, ...kept } = message;
  return { ...kept, sentAt: message.sentTimestamp ? new Date(message.sentTimestamp).toISOString() : undefined };
}
