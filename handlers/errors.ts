/**
 * Why a message was rejected (the name is historical: the later codes are not all about the body's validity).
 * The codes travel to the DLQ as the `errorCode` message attribute and to CloudWatch as the `Reason` dimension
 * of ValidationFailures, so they are part of the public contract: add codes, never rename them.
 */
export const VALIDATION_ERROR_CODES = [
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
  "STORE_REJECTED", // DynamoDB refused the write for a reason a retry cannot change
  "CONSUMER_ERROR", // an unexpected error in the consumer's own code
] as const;

export type ValidationErrorCode = (typeof VALIDATION_ERROR_CODES)[number];

/**
 * Base of this consumer's errors. Pulumi's closure serializer rewrites `class X extends Error` into a plain
 * function that calls `Error` without `new`, which silently drops message, cause and stack; assigning them
 * here keeps them in the deployed handler, whose logs and batch failures depend on them.
 */
class VehiclePipelineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.message = message;
    if (options && "cause" in options) this.cause = options.cause;
    if (!this.stack) Error.captureStackTrace?.(this, VehiclePipelineError);
  }
}

/**
 * DynamoDB refused or failed the write for a reason that may pass (throttling, 5xx, timeout, network).
 * Thrown out of the record handler so the record becomes a batch item failure and SQS retries it.
 */
export class VehicleStoreError extends VehiclePipelineError {
  constructor(
    readonly messageId: string,
    cause: unknown,
  ) {
    super(`could not store message ${messageId}: ${describeCause(cause)}`, { cause });
    this.name = "VehicleStoreError";
  }
}

/**
 * The DLQ did not accept a rejected message. Thrown so the record stays on the source queue: deleting
 * it now would lose it, and the redrive policy still moves it to the DLQ after maxReceiveCount.
 */
export class DeadLetterSendError extends VehiclePipelineError {
  constructor(
    readonly messageId: string,
    cause: unknown,
  ) {
    super(`could not send rejected message ${messageId} to the DLQ: ${describeCause(cause)}`, { cause });
    this.name = "DeadLetterSendError";
  }
}

/** A required environment variable is missing, named so the deployer knows what to set. */
export class ConsumerConfigurationError extends VehiclePipelineError {
  constructor(variable: string, why: string) {
    super(`environment variable ${variable} is not set: ${why}`);
    this.name = "ConsumerConfigurationError";
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}
