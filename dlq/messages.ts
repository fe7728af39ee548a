// Pure logic over dead-lettered messages: what each one is, which ones a filter selects, the statistics and the
// redrive plan. No SQS calls here; dlq/sqs-io.ts does those.

import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";

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
    attributes: message.MessageAttributes ?? {},
  };
}

export function matches(message: DlqMessage, filter: MessageFilter): boolean {
  if (filter.movedOnly && message.errorCode !== undefined) return false;
  if (filter.code !== undefined && message.errorCode !== filter.code) return false;
  return true;
}

/** The group a message counts under in stats: its errorCode, or how many receives SQS counted before moving it. */
export function groupOf(message: DlqMessage): string {
  return message.errorCode ?? `moved after ${message.receiveCount} receives`;
}

export interface DlqStats {
  total: number;
  /** errorCode or "moved after N receives" -> count, largest first. */
  byGroup: Record<string, number>;
  rejected: number;
  moved: number;
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

export function dlqStats(messages: readonly DlqMessage[], options: { byPrefix?: number } = {}): DlqStats {
  const times = messages.map((m) => m.sentTimestamp).filter((t) => t > 0);
  const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : undefined);
  const rejected = messages.filter((m) => m.errorCode !== undefined).length;
  const prefix = options.byPrefix;
  return {
    total: messages.length,
    byGroup: countBy(messages, groupOf),
    rejected,
    moved: messages.length - rejected,
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
}

export function redrivePlan(
  messages: readonly DlqMessage[],
  options: MessageFilter & { force?: boolean; limit?: number },
): RedrivePlan {
  const selected = messages.filter((m) => matches(m, options));
  const refused = options.force ? [] : selected.filter((m) => m.errorCode !== undefined);
  const allowed = selected.filter((m) => !refused.includes(m));
  const limit = options.limit ?? allowed.length;
  return { send: allowed.slice(0, limit), refused, overLimit: Math.max(0, allowed.length - limit) };
}

/** The attributes a re-sent message carries: only eventId, so the consumer's conditional put keeps it exactly once. */
export function resendAttributes(message: DlqMessage): Record<string, MessageAttributeValue> {
  return message.eventId ? { eventId: { DataType: "String", StringValue: message.eventId } } : {};
}

/** One line of an export: every field a later investigation needs, receipt handle left out (it expires). */
export function exportRecord(message: DlqMessage): Record<string, unknown> {
  const { receiptHandle: _handle, ...kept } = message;
  return { ...kept, sentAt: message.sentTimestamp ? new Date(message.sentTimestamp).toISOString() : undefined };
}
