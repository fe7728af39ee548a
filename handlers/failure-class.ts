import { isDeploymentFault, isTransientAwsError } from "../contracts/aws-errors";
import type { RejectionCode } from "../contracts/rejection-codes";
import { DeadLetterSendError, StoreWriteError } from "./errors";

export type FailureClass =
  | { kind: "transient" }
  | { kind: "permanent"; code: RejectionCode; reason: string }
  /** The DLQ itself refused: the record must stay on the source queue, whatever the cause. */
  | { kind: "undeliverable" };

/**
 * Decide what to do with an error thrown while handling a record. Only what may pass on retry is transient, anywhere
 * in the cause chain: throttling, 5xx, timeouts, network errors, whatever the SDK marks retryable, and faults of the
 * deployment rather than the message (a missing table, a refused permission, expired credentials). Such a message is
 * valid and passes once the environment is fixed, so it is retried and, if the fix takes longer than maxReceiveCount
 * receives, moved by the redrive policy without an errorCode, ready for `dlq redrive --moved-only`; dead-lettering it
 * as rejected would brand valid data as bad. Everything else (DynamoDB validation errors, our own bugs) is permanent:
 * retrying it only delays the DLQ and loses the reason, so it goes there now, with a code.
 */
export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof DeadLetterSendError) return { kind: "undeliverable" };
  for (let cause = error, depth = 0; cause && depth < 8; cause = (cause as { cause?: unknown }).cause, depth += 1) {
    if (mayPassOnRetry(cause)) return { kind: "transient" };
  }
  const code: RejectionCode = error instanceof StoreWriteError ? "STORE_REJECTED" : "CONSUMER_ERROR";
  return { kind: "permanent", code, reason: describe(error) };
}

/** One error, without its causes. */
export function mayPassOnRetry(error: unknown): boolean {
  return isTransientAwsError(error) || isDeploymentFault(error);
}

/** By shape, not instanceof: the closure serializer rebuilds error classes without Error in their prototype chain. */
function describe(error: unknown): string {
  const e = error as { name?: unknown; message?: unknown } | null | undefined;
  if (typeof e?.message === "string") return `${String(e.name ?? "Error")}: ${e.message}`;
  return `non-error thrown: ${String(error)}`;
}
