import type { Logger } from "@aws-lambda-powertools/logger";
import type { MessageAttributeValue, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import {
  DEAD_LETTER_ATTRIBUTES,
  MAX_REASON_LENGTH,
  REASON_ATTRIBUTE_NAMES,
  type ReasonMessageBody,
} from "../contracts/dead-letter";
import { EVENT_ID_ATTRIBUTE } from "../contracts/event-id";
import type { RejectionCode } from "../contracts/rejection-codes";
import { attributeBytes, MAX_MESSAGE_ATTRIBUTES, MAX_MESSAGE_BYTES } from "../contracts/sqs-limits";
import { DeadLetterSendError } from "./errors";
import { sqsSdk } from "./runtime-sdk";

/** The attributes this pipeline defines, kept before any other a sender set. */
const PIPELINE_ATTRIBUTES: readonly string[] = [...REASON_ATTRIBUTE_NAMES, EVENT_ID_ATTRIBUTE];

export interface Rejection {
  code: RejectionCode;
  reason: string;
}

export interface DeadLetterAttributes {
  attributes: Record<string, MessageAttributeValue>;
  /** Attribute names left out: over SQS's limit of 10 or its size limit, or values SQS would refuse (empty). */
  dropped: string[];
  /** Set when errorCode, errorReason or sourceMessageId did not fit beside the body: a reason message must carry them. */
  reasonMessage?: { body: string; attributes: Record<string, MessageAttributeValue> };
}

/**
 * The rejected message's attributes, chosen in order while they fit in SQS's count and size limits: the pipeline's
 * own (errorCode, errorReason, sourceMessageId, which say why it is here, then eventId, which says what it is), then
 * the sender's others in name order so the choice is stable. When one of the three reason attributes does not fit
 * beside the body (a body near 1 MiB), the body still goes unchanged, and `reasonMessage` is a small companion for the
 * DLQ with the reason and the body's MD5, which SQS reports as MD5OfBody on the big message.
 */
export function deadLetterAttributes(record: SQSRecord, rejection: Rejection): DeadLetterAttributes {
  const reasonAttributes = reasonAttributesOf(record, rejection);
  const candidates: [string, MessageAttributeValue | undefined][] = [
    ...Object.entries(reasonAttributes),
    ...senderAttributes(record),
  ];
  const attributes: Record<string, MessageAttributeValue> = {};
  const dropped: string[] = [];
  let bytes = Buffer.byteLength(record.body, "utf8");
  for (const [name, value] of candidates) {
    const size = value ? attributeBytes(name, value) : 0;
    if (!value || Object.keys(attributes).length >= MAX_MESSAGE_ATTRIBUTES || bytes + size > MAX_MESSAGE_BYTES) {
      dropped.push(name);
      continue;
    }
    attributes[name] = value;
    bytes += size;
  }
  const missingReason = Object.keys(reasonAttributes).some((name) => !(name in attributes));
  return missingReason
    ? { attributes, dropped, reasonMessage: reasonMessageFor(record, reasonAttributes) }
    : { attributes, dropped };
}

function reasonAttributesOf(record: SQSRecord, rejection: Rejection): Record<string, MessageAttributeValue> {
  return {
    [DEAD_LETTER_ATTRIBUTES.errorCode]: { DataType: "String", StringValue: rejection.code },
    [DEAD_LETTER_ATTRIBUTES.errorReason]: {
      DataType: "String",
      StringValue: sqsSafeText(rejection.reason).slice(0, MAX_REASON_LENGTH),
    },
    [DEAD_LETTER_ATTRIBUTES.sourceMessageId]: { DataType: "String", StringValue: record.messageId },
  };
}

/** The sender's attributes: eventId first, then the rest by name; names the pipeline defines are never the sender's. */
function senderAttributes(record: SQSRecord): [string, MessageAttributeValue | undefined][] {
  const first = EVENT_ID_ATTRIBUTE;
  const names = Object.keys(record.messageAttributes ?? {})
    .filter((name) => name === first || !PIPELINE_ATTRIBUTES.includes(name))
    .sort((a, b) => (a === first ? -1 : b === first ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => [name, toSdkAttribute(record.messageAttributes[name]!)]);
}

/** The companion that carries a reason the body left no room for; it names the body by MD5 and source messageId. */
function reasonMessageFor(
  record: SQSRecord,
  reason: Record<string, MessageAttributeValue>,
): { body: string; attributes: Record<string, MessageAttributeValue> } {
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  const bodyMd5 = createHash("md5").update(record.body, "utf8").digest("hex");
  const attributes = {
    ...reason,
    [DEAD_LETTER_ATTRIBUTES.reasonForBodyMd5]: { DataType: "String", StringValue: bodyMd5 },
  };
  const body: ReasonMessageBody = {
    reasonFor: { sourceMessageId: record.messageId, bodyMd5 },
    errorCode: reason[DEAD_LETTER_ATTRIBUTES.errorCode]!.StringValue!,
    errorReason: reason[DEAD_LETTER_ATTRIBUTES.errorReason]!.StringValue!,
  };
  return { body: JSON.stringify(body), attributes };
}

/**
 * Lambda's event shape (camelCase, base64 binary) to the SDK's (PascalCase, bytes). Undefined for what SQS would
 * refuse: list values (unsupported) and empty values.
 */
function toSdkAttribute(value: SQSRecord["messageAttributes"][string]): MessageAttributeValue | undefined {
  if (value.stringValue) return { DataType: value.dataType, StringValue: value.stringValue };
  if (value.binaryValue) return { DataType: value.dataType, BinaryValue: Buffer.from(value.binaryValue, "base64") };
  return undefined;
}

/** SQS rejects attribute values with characters outside XML's allowed set; JSON.parse errors can quote such characters. */
function sqsSafeText(text: string): string {
  return text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD");
}

/**
 * Delete a dead-lettered record from its source queue now rather than when the invocation returns: SQS would deliver
 * it again with the rest of its batch if the invocation times out or crashes, and it would be dead-lettered twice.
 * A failure is only logged: the event source mapping deletes it anyway once the invocation succeeds.
 */
export async function deleteFromSource(
  sqs: SQSClient,
  queueUrl: string,
  record: SQSRecord,
  logger: Pick<Logger, "warn">,
): Promise<void> {
  const { DeleteMessageCommand } = sqsSdk();
  try {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle }));
  } catch (error) {
    logger.warn("dead-lettered record not deleted from its source queue yet", {
      messageId: record.messageId,
      reason: (error as Error)?.message ?? String(error),
    });
  }
}

/**
 * Send the same body to the DLQ with the rejection attached, the reason companion first when there is one (a
 * duplicate companion after a retry is cheaper than a big message whose reason is missing). Throws
 * DeadLetterSendError so the record stays on the source queue.
 */
export async function sendToDeadLetterQueue(
  sqs: SQSClient,
  dlqUrl: string,
  record: SQSRecord,
  rejection: Rejection,
): Promise<DeadLetterAttributes> {
  const { SendMessageCommand } = sqsSdk();
  const built = deadLetterAttributes(record, rejection);
  try {
    if (built.reasonMessage) {
      const { body, attributes } = built.reasonMessage;
      await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: body, MessageAttributes: attributes }));
    }
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: dlqUrl,
        MessageBody: record.body,
        ...(Object.keys(built.attributes).length ? { MessageAttributes: built.attributes } : {}),
      }),
    );
  } catch (error) {
    throw new DeadLetterSendError(record.messageId, error);
  }
  return built;
}
