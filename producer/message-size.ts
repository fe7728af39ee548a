import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { LEGACY_MAX_MESSAGE_BYTES, MAX_BATCH_PAYLOAD_BYTES, messageBytes, packBatches, UsageError } from "../contracts";
import { messageAttributesOf, type OutgoingMessage } from "./messages";
import { awsErrorCode, FatalSendError } from "./sender";

/** A message the queue would refuse; raised before anything is sent, naming the sizes. */
export class MessageTooLargeError extends UsageError {
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
  }
}

/** Bytes SQS counts for an outgoing message: its body and its eventId attribute. */
export function sizeOf(message: Pick<OutgoingMessage, "body" | "eventId">): number {
  return messageBytes(message.body, messageAttributesOf(message));
}

export interface MessageLimit {
  bytes: number;
  source: string;
}

/** The queue's MaximumMessageSize, or SQS's old limit with the reason. A missing queue stops the run here, before any send. */
export async function readMessageLimit(sqs: SQSClient, queueUrl: string): Promise<MessageLimit> {
  const fallback = (why: string) => ({ bytes: LEGACY_MAX_MESSAGE_BYTES, source: `256 KiB fallback: ${why}` });
  try {
    const answer = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["MaximumMessageSize"] }),
    );
    const bytes = Number(answer.Attributes?.MaximumMessageSize);
    if (Number.isInteger(bytes) && bytes > 0) return { bytes, source: "the queue's MaximumMessageSize" };
    return fallback("the queue did not report MaximumMessageSize");
  } catch (error) {
    const code = awsErrorCode(error);
    if (code === "QueueDoesNotExist" || code === "AWS.SimpleQueueService.NonExistentQueue") {
      throw new FatalSendError(code, `the queue ${queueUrl} does not exist at this endpoint`, error);
    }
    return fallback(`GetQueueAttributes failed (${code})`);
  }
}

/**
 * Splits messages into SendMessageBatch calls of at most `batchSize` entries, throwing MessageTooLargeError for any
 * message above the queue's limit. A batch's payload stays within SQS's batch limit, or within the queue's message
 * limit when that is the old 256 KiB one: an endpoint that still has it kept the old batch limit too.
 */
export function batchesOf(
  messages: readonly OutgoingMessage[],
  batchSize: number,
  limit: MessageLimit,
  payloadLimit = Math.min(MAX_BATCH_PAYLOAD_BYTES, Math.max(limit.bytes, LEGACY_MAX_MESSAGE_BYTES)),
): OutgoingMessage[][] {
  for (const message of messages) {
    const bytes = sizeOf(message);
    if (bytes > limit.bytes) throw new MessageTooLargeError(message.eventId, bytes, limit.bytes, limit.source);
  }
  return packBatches(messages, sizeOf, { maxEntries: batchSize, maxBytes: payloadLimit });
}
