/**
 * What the consumer writes to the dead-letter queue with a rejected message: the attribute names, and the reason
 * message that carries a reason a big body left no room for. Readers use dead-letter-reader.ts. Serialized into the
 * Lambda archive with the consumer: plain values only.
 */
export const DEAD_LETTER_ATTRIBUTES = {
  /** One of REJECTION_CODES; absent on a message SQS's redrive policy moved. */
  errorCode: "errorCode",
  /** The sentence that names the field and the rule. */
  errorReason: "errorReason",
  /** The rejected message's SQS messageId; extra DLQ copies of one message share it. */
  sourceMessageId: "sourceMessageId",
  /** On a reason message only: the hex MD5 of the body it describes (SQS's MD5OfBody of that message). */
  reasonForBodyMd5: "reasonForBodyMd5",
} as const;

/** The attributes that say why a message is in the DLQ; a reason message carries them when its body could not. */
export const REASON_ATTRIBUTE_NAMES = [
  DEAD_LETTER_ATTRIBUTES.errorCode,
  DEAD_LETTER_ATTRIBUTES.errorReason,
  DEAD_LETTER_ATTRIBUTES.sourceMessageId,
] as const;

/** Long enough for any reason the consumer writes; bounds what a hostile body can make it echo. */
export const MAX_REASON_LENGTH = 1024;

/** The body of a reason message: the same facts as its attributes, for readers that look only at bodies. */
export interface ReasonMessageBody {
  reasonFor: { sourceMessageId: string; bodyMd5: string };
  errorCode: string;
  errorReason: string;
}
