/**
 * Why the consumer dead-lettered a message on its first receive. The codes travel to the DLQ as the `errorCode`
 * message attribute and to CloudWatch as the `Reason` dimension, so they are part of the public contract: add codes,
 * never rename them. Serialized into the Lambda archive with the consumer: plain values only.
 */
export const REJECTION_CODES = [
  // The message itself is invalid (counted as ValidationFailures).
  "INVALID_JSON",
  "NOT_AN_OBJECT",
  "MISSING_FIELD",
  "WRONG_TYPE",
  "OUT_OF_RANGE",
  "BAD_FORMAT", // pattern mismatch, empty after trimming, or too long
  "UNKNOWN_FIELD",
  "NESTING_TOO_DEEP", // the body nests deeper than MAX_JSON_DEPTH
  "DUPLICATE_KEY", // a key repeated within one JSON object
  "UNPRINTABLE_TEXT", // a text field with a control character, or with nothing visible in it
  "BAD_EVENT_ID", // the eventId attribute is not a String, is empty, or is over 1,024 bytes
  "EVENT_ID_CONFLICT", // the eventId is already stored with different content
  // The message may be fine, but it can never be stored (counted as StoreRejections).
  "STORE_REJECTED", // DynamoDB refused the write for a reason a retry cannot change
  // A bug in the consumer's own code (counted as UnexpectedErrors).
  "CONSUMER_ERROR",
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

/** The codes that say the message itself is invalid: the only ones counted as validation failures. */
export const VALIDATION_CODES: readonly RejectionCode[] = REJECTION_CODES.filter(
  (code) => code !== "STORE_REJECTED" && code !== "CONSUMER_ERROR",
);
