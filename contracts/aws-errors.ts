/**
 * How AWS SDK errors are told apart, for every caller of AWS here: the consumer (what SQS should retry), the producer
 * and `npm run dlq` (what to retry, what to stop for). Serialized into the Lambda archive with the consumer: plain
 * values and pure functions only.
 */

// The AWS SDK's own classification of errors worth retrying (@smithy/service-error-classification, which the SDK's
// retry strategy uses), restated because the Lambda runtime does not expose that package to the function's code.
const THROTTLING_ERROR_NAMES: readonly string[] = [
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "KmsThrottled",
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
const TIMEOUT_ERROR_NAMES: readonly string[] = ["TimeoutError", "RequestTimeout", "RequestTimeoutException"];

/**
 * Faults of the deployment, not of the request: a permission refused, credentials unknown or expired, a queue or table
 * or key that is missing or unusable. They pass once someone fixes the environment, never by retrying at once.
 */
const DEPLOYMENT_FAULT_NAMES: readonly string[] = [
  // Permissions (SQS answers AccessDenied, DynamoDB and KMS AccessDeniedException).
  "AccessDenied",
  "AccessDeniedException",
  "KMSAccessDeniedException",
  // Credentials.
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "InvalidSignatureException",
  "InvalidSecurity",
  "ExpiredToken",
  "ExpiredTokenException",
  "CredentialsProviderError",
  // Missing or unusable resources.
  "ResourceNotFoundException",
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
  "KMSDisabledException",
  "KMSInvalidStateException",
  "KMSNotFoundException",
];

/** Node's codes for a connection that failed or timed out, or a name that did not resolve this time. */
const NETWORK_ERROR_CODES: readonly string[] = [
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
/** The network codes that mean nothing answered at the endpoint at all: no request was delivered. */
export const UNREACHABLE_ERROR_CODES: readonly string[] = [
  "ECONNREFUSED",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
];

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number; clockSkewCorrected?: boolean };
}

/**
 * Whether one error (not its causes) may pass if the same call is made again soon: throttling, HTTP 429 and 5xx,
 * timeouts, network errors, or the SDK's own retryable mark. By shape, not instanceof: the closure serializer rebuilds
 * classes without Error in their prototype chain.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as SdkErrorShape;
  if (e.$retryable !== undefined || e.$metadata?.clockSkewCorrected) return true;
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (status === 429 || status >= 500) return true;
  const name = String(e.name ?? "");
  if (THROTTLING_ERROR_NAMES.includes(name) || TIMEOUT_ERROR_NAMES.includes(name)) return true;
  return NETWORK_ERROR_CODES.includes(String(e.code ?? ""));
}

/** Whether one error (not its causes) is a fault of the deployment: see DEPLOYMENT_FAULT_NAMES. */
export function isDeploymentFault(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  return DEPLOYMENT_FAULT_NAMES.includes(String((error as SdkErrorShape).name ?? ""));
}
