import type { ValidationErrorCode } from "./errors";
import { DeadLetterSendError, VehicleStoreError } from "./errors";

// The AWS SDK's own classification of errors worth retrying (@smithy/service-error-classification, which the SDK's
// retry strategy uses), restated here because the runtime does not expose that package to the function's code
// and carrying it would grow the archive for a dozen names.
const THROTTLING_ERROR_NAMES = [
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "LimitExceededException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TransactionInProgressException",
];
const TRANSIENT_ERROR_NAMES = ["TimeoutError", "RequestTimeout", "RequestTimeoutException"];
/**
 * Faults of the deployment, not of the message: a table that is missing or being restored, a role or key policy
 * that refuses, credentials that expired. The message is valid and passes once the environment is fixed, so it is
 * retried and, if the fix takes longer than maxReceiveCount receives, moved by the redrive policy without an
 * errorCode, ready for `dlq redrive --moved-only`. Dead-lettering it as rejected would brand valid data as bad.
 */
const ENVIRONMENT_ERROR_NAMES = [
  "ResourceNotFoundException",
  "AccessDeniedException",
  "UnrecognizedClientException",
  "ExpiredTokenException",
  "InvalidSignatureException",
  "KMSAccessDeniedException",
  "KMSDisabledException",
  "KMSInvalidStateException",
  "KMSNotFoundException",
];
/** Node's codes for a connection that failed or timed out, or a name that did not resolve this time. */
const NETWORK_ERROR_CODES = [
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
];

export type FailureClass =
  | { kind: "transient" }
  | { kind: "permanent"; code: ValidationErrorCode; reason: string }
  /** The DLQ itself refused: the record must stay on the source queue, whatever the cause. */
  | { kind: "undeliverable" };

/**
 * Decide what to do with an error thrown while handling a record. Only what may pass on retry is transient:
 * throttling, 5xx, timeouts, network errors, whatever the SDK marks retryable, and faults of the deployment rather
 * than the message (a missing table, a refused permission), anywhere in the cause chain.
 * Everything else (DynamoDB validation errors, our own bugs) is permanent: retrying it only delays the DLQ and
 * loses the reason, so it goes there now, with a code.
 */
export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof DeadLetterSendError) return { kind: "undeliverable" };
  for (let cause = error, depth = 0; cause && depth < 8; cause = (cause as { cause?: unknown }).cause, depth += 1) {
    if (mayPassOnRetry(cause)) return { kind: "transient" };
  }
  const code: ValidationErrorCode = error instanceof VehicleStoreError ? "STORE_REJECTED" : "CONSUMER_ERROR";
  return { kind: "permanent", code, reason: describe(error) };
}

/** One error, without its causes. */
export function mayPassOnRetry(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as {
    name?: unknown;
    code?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number; clockSkewCorrected?: boolean };
  };
  if (e.$retryable !== undefined || e.$metadata?.clockSkewCorrected) return true;
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (status === 429 || status >= 500) return true;
  const name = String(e.name ?? "");
  if ([THROTTLING_ERROR_NAMES, TRANSIENT_ERROR_NAMES, ENVIRONMENT_ERROR_NAMES].some((names) => names.includes(name)))
    return true;
  return NETWORK_ERROR_CODES.includes(String(e.code ?? ""));
}

/** By shape, not instanceof: the closure serializer rebuilds error classes without Error in their prototype chain. */
function describe(error: unknown): string {
  const e = error as { name?: unknown; message?: unknown } | null | undefined;
  if (typeof e?.message === "string") return `${String(e.name ?? "Error")}: ${e.message}`;
  return `non-error thrown: ${String(error)}`;
}
