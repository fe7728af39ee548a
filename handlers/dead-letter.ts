import type { MessageAttributeValue, SQSClient } from "@aws-sdk/client-sqs";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import type { ValidationErrorCode } from "./errors";
import { DeadLetterSendError } from "./errors";

/** SQS allows at most 10 message attributes per message. */
export const MAX_MESSAGE_ATTRIBUTES = 10;
/** Long enough for any reason this consumer writes; bounds what a hostile body can make us echo. */
const MAX_REASON_LENGTH = 1024;

export interface Rejection {
  code: ValidationErrorCode;
  reason: string;
}

export interface DeadLetterAttributes {
  attributes: Record<string, MessageAttributeValue>;
  /** Original attribute names left out to stay within SQS's limit of 10. */
  dropped: string[];
}

/**
 * The rejected message's attributes: ours (errorCode, errorReason, sourceMessageId) first, because they are
 * why the message is in the DLQ, then as many of the original ones as fit, in name order so the choice is stable.
 */
export function deadLetterAttributes(record: SQSRecord, rejection: Rejection): DeadLetterAttributes {
  const ours: Record<string, MessageAttributeValue> = {
    errorCode: { DataType: "String", StringValue: rejection.code },
    errorReason: { DataType: "String", StringValue: sqsSafeText(rejection.reason).slice(0, MAX_REASON_LENGTH) },
    sourceMessageId: { DataType: "String", StringValue: record.messageId },
  };
  const attributes = { ...ours };
  const dropped: string[] = [];
  for (const name of Object.keys(record.messageAttributes ?? {}).sort()) {
    if (name in ours) continue; // ours describe this rejection; a sender's attribute of the same name must not mask them
    const converted = toSdkAttribute(record.messageAttributes[name]!);
    if (!converted) continue;
    if (Object.keys(attributes).length >= MAX_MESSAGE_ATTRIBUTES) dropped.push(name);
    else attributes[name] = converted;
  }
  return { attributes, dropped };
}

/** Lambda's event shape (camelCase, base64 binary) to the SDK's (PascalCase, bytes). List values are unsupported by SQS. */
function toSdkAttribute(value: SQSRecord["messageAttributes"][string]): MessageAttributeValue | undefined {
  if (value.stringValue !== undefined) return { DataType: value.dataType, StringValue: value.stringValue };
  if (value.binaryValue !== undefined)
    return { DataType: value.dataType, BinaryValue: Buffer.from(value.binaryValue, "base64") };
  return undefined;
}

/** SQS rejects attribute values with characters outside XML's allowed set; JSON.parse errors can quote such characters. */
function sqsSafeText(text: string): string {
  return text.replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD");
}

/** Send the same body to the DLQ with the rejection attached; throws DeadLetterSendError so the record is retried. */
export async function sendToDeadLetterQueue(
  sqs: SQSClient,
  dlqUrl: string,
  record: SQSRecord,
  rejection: Rejection,
): Promise<DeadLetterAttributes> {
  const built = deadLetterAttributes(record, rejection);
  try {
    await sqs.send(
      new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: record.body, MessageAttributes: built.attributes }),
    );
  } catch (error) {
    throw new DeadLetterSendError(record.messageId, error);
  }
  return built;
}
