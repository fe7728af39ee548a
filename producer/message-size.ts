import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { OutgoingMessage } from "./messages";
import { FatalSendError } from "./sender";

/**
 * Used when the queue's MaximumMessageSize cannot be read (a send-only IAM policy, an endpoint without
 * GetQueueAttributes): 256 KiB was SQS's limit for years and every SQS-compatible endpoint accepts it.
 */
const FALLBACK_MAX_MESSAGE_BYTES = 262_144;
/** SendMessageBatch's ceiling on the sum of its entries (AWS raised it with the message limit to 1 MiB in 2025). */
const MAX_BATCH_PAYLOAD_BYTES = 1_048_576;

/** A message the queue would refuse; raised before anything is sent, naming the sizes. */
export class MessageTooLargeError extends Error {
  constructor(
    readonly eventId: string,
    readonly bytes: number,
    readonly limit: number,
    readonly limitSource: string,
  ) {
    super(
      `message ${eventId} is ${bytes} bytes (body plus attributes), above the queue's limit of ${limit} bytes ` +
        `(${limitSource}); nothing more was sent`,
    );
    this.name = "MessageTooLargeError";
  }
}

/** Bytes SQS counts for a message: the UTF-8 body plus each attribute's name, data type and value. */
export function messageBytes(message: Pick<OutgoingMessage, "body" | "eventId">): number {
  return (
    Buffer.byteLength(message.body, "utf8") +
    "eventId".length +
    "String".length +
    Buffer.byteLength(message.eventId, "utf8")
  );
}

export interface MessageLimit {
  bytes: number;
  source: string;
}

/** The queue's MaximumMessageSize, or the 256 KiB fallback with the reason. A missing queue stops the run here, before any send. */
export async function readMessageLimit(sqs: SQSClient, queueUrl: string): Promise<MessageLimit> {
  try {
    const answer = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["MaximumMessageSize"] }),
    );
    const bytes = Number(answer.Attributes?.MaximumMessageSize);
    if (Number.isInteger(bytes) && bytes > 0) return { bytes, source: "the queue's MaximumMessageSize" };
    return {
      bytes: FALLBACK_MAX_MESSAGE_BYTES,
      source: "256 KiB fallback: the queue did not report MaximumMessageSize",
    };
  } catch (error) {
    const name = (error as Error).name;
    if (name === "QueueDoesNotExist" || name === "AWS.SimpleQueueService.NonExistentQueue") {
      throw new FatalSendError(name, `the queue ${queueUrl} does not exist at this endpoint`, error);
    }
    return { bytes: FALLBACK_MAX_MESSAGE_BYTES, source: `256 KiB fallback: GetQueueAttributes failed (${name})` };
  }
}

/**
 * Splits messages into SendMessageBatch calls of at most `batchSize` entries and `payloadLimit` bytes,
 * throwing MessageTooLargeError for any message above `limit`.
 */
export function packBatches(
  messages: readonly OutgoingMessage[],
  batchSize: number,
  limit: MessageLimit,
  payloadLimit = Math.min(MAX_BATCH_PAYLOAD_BYTES, Math.max(limit.bytes, FALLBACK_MAX_MESSAGE_BYTES)),
): OutgoingMessage[][] {
  const batches: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    const bytes = messageBytes(message);
    if (bytes > limit.bytes) throw new MessageTooLargeError(message.eventId, bytes, limit.bytes, limit.source);
    if (current.length > 0 && (current.length >= batchSize || currentBytes + bytes > payloadLimit)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
