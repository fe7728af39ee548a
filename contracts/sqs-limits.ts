/**
 * SQS's API limits, as every part that sends, receives or emulates SQS calls must agree on them: the producer, the
 * consumer's dead-letter sends, `npm run dlq`, and the embedded cloud's event source mapping and fidelity rules.
 * The consumer's copy of what it uses is serialized into the Lambda archive: keep this module plain values and pure
 * functions (no imports), which Pulumi's closure serializer carries by value.
 */

/** SQS's message size limit since August 2025: the body plus every attribute's name, data type and value. */
export const MAX_MESSAGE_BYTES = 1_048_576;
/**
 * SQS's limit before August 2025, and the fallback when a queue's MaximumMessageSize cannot be read (a send-only
 * policy, an endpoint without GetQueueAttributes): every SQS-compatible endpoint accepts it.
 */
export const LEGACY_MAX_MESSAGE_BYTES = 262_144;
/** SendMessageBatch's ceiling on the sum of its entries; AWS raised it with the message limit. */
export const MAX_BATCH_PAYLOAD_BYTES = 1_048_576;
/** Entries per SendMessageBatch, DeleteMessageBatch or ChangeMessageVisibilityBatch, and messages per ReceiveMessage. */
export const MAX_BATCH_ENTRIES = 10;
/** Message attributes per message. */
export const MAX_MESSAGE_ATTRIBUTES = 10;
/** A message move task moves at most 500 messages a second (MaxNumberOfMessagesPerSecond). */
export const MAX_MOVE_TASK_VELOCITY = 500;
/** ListMessageMoveTasks returns at most 10 tasks (MaxResults). */
export const MAX_MOVE_TASKS_LISTED = 10;

/** A message attribute as the SDK writes it (the fields SQS counts toward the size limit). */
export interface SizedAttribute {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

/** Bytes an attribute counts toward SQS's message size: its name, data type and value. */
export function attributeBytes(name: string, value: SizedAttribute): number {
  const data =
    value.StringValue !== undefined ? Buffer.byteLength(value.StringValue, "utf8") : (value.BinaryValue?.length ?? 0);
  return Buffer.byteLength(name, "utf8") + Buffer.byteLength(value.DataType ?? "", "utf8") + data;
}

/** Bytes SQS counts for a message: its UTF-8 body plus each attribute's name, data type and value. */
export function messageBytes(body: string, attributes: Record<string, SizedAttribute> = {}): number {
  let bytes = Buffer.byteLength(body, "utf8");
  for (const name in attributes) bytes += attributeBytes(name, attributes[name]!);
  return bytes;
}

/**
 * Groups items, in order, into batch calls of at most `maxEntries` entries whose sizes add up to at most `maxBytes`.
 * An item alone above `maxBytes` still gets a batch of its own: whether it may be sent at all is the caller's rule.
 */
export function packBatches<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: { maxEntries?: number; maxBytes?: number } = {},
): T[][] {
  const maxEntries = limits.maxEntries ?? MAX_BATCH_ENTRIES;
  const maxBytes = limits.maxBytes ?? MAX_BATCH_PAYLOAD_BYTES;
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    const bytes = sizeOf(item);
    if (current.length > 0 && (current.length >= maxEntries || currentBytes + bytes > maxBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
