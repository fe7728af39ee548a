import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import { DEAD_LETTER_ATTRIBUTES, REASON_ATTRIBUTE_NAMES } from "./dead-letter";
import { EVENT_ID_ATTRIBUTE } from "./event-id";

/**
 * The one reader of the dead-letter queue's messages, for `npm run dlq` and the embedded cloud's verification: what
 * each message's attributes and body say, and which big message a reason message gives its reason to.
 */

/** A message in the dead-letter queue, with what its attributes and body say. */
export interface DeadLetter {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** Set by the consumer when it rejected the message; absent when SQS's redrive policy moved it. */
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
  /** Set on a reason message: the MD5 of the body it describes. A reason message is not a vehicle message. */
  reasonFor?: string;
  /** On a reason message: whether a message it describes is in the DLQ too. */
  reasonMatched?: boolean;
  /** On a big message: the reason message its errorCode, errorReason or sourceMessageId were read from. */
  reasonFrom?: string;
  attributes: Record<string, MessageAttributeValue>;
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

/** A received DLQ message (with MessageAttributeNames and MessageSystemAttributeNames "All") as a dead letter. */
export function readDeadLetter(message: Message): DeadLetter {
  const body = message.Body ?? "";
  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body,
    errorCode: stringAttribute(message, DEAD_LETTER_ATTRIBUTES.errorCode),
    errorReason: stringAttribute(message, DEAD_LETTER_ATTRIBUTES.errorReason),
    sourceMessageId: stringAttribute(message, DEAD_LETTER_ATTRIBUTES.sourceMessageId),
    eventId: stringAttribute(message, EVENT_ID_ATTRIBUTE),
    vehicleId: vehicleIdOf(body),
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    sentTimestamp: Number(message.Attributes?.SentTimestamp ?? 0),
    md5OfBody: message.MD5OfBody ?? "",
    reasonFor: stringAttribute(message, DEAD_LETTER_ATTRIBUTES.reasonForBodyMd5),
    attributes: message.MessageAttributes ?? {},
  };
}

export function isReasonMessage(message: DeadLetter): boolean {
  return message.reasonFor !== undefined;
}

/** A big message the reason message describes: one whose own attributes lack a reason, matched by body MD5 or id. */
function describedBy(reason: DeadLetter, message: DeadLetter): boolean {
  if (isReasonMessage(message)) return false;
  if (REASON_ATTRIBUTE_NAMES.every((name) => message.attributes[name] !== undefined)) return false;
  if (message.md5OfBody !== "" && message.md5OfBody === reason.reasonFor) return true;
  return message.sourceMessageId !== undefined && message.sourceMessageId === reason.sourceMessageId;
}

/**
 * Gives each big message the reason its reason message carries (errorCode, errorReason, sourceMessageId, where its
 * own attributes lack them), so it counts as rejected and is never redriven as if the redrive policy had moved it.
 * Updates the dead letters in place (readers track them by identity) and returns them.
 */
export function attachReasons<T extends DeadLetter>(messages: T[]): T[] {
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
