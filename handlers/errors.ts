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
 * DynamoDB did not take the write. Its cause decides what happens (handlers/failure-class.ts): throttling, 5xx, a
 * timeout or a deployment fault is retried by SQS; anything else DynamoDB refused for good is STORE_REJECTED.
 */
export class StoreWriteError extends VehiclePipelineError {
  constructor(
    readonly messageId: string,
    cause: unknown,
  ) {
    super(`could not store message ${messageId}: ${describeCause(cause)}`, { cause });
    this.name = "StoreWriteError";
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
