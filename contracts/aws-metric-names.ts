/**
 * What AWS publishes to CloudWatch for the queue, the function and the table, which the embedded cloud records as AWS
 * would and the dashboard, the alarms and the report read; and the embedded cloud's own fault counts.
 */

/** What SQS publishes per QueueName. */
export const SQS_METRICS = {
  namespace: "AWS/SQS",
  sent: "NumberOfMessagesSent",
  sentSize: "SentMessageSize",
  received: "NumberOfMessagesReceived",
  deleted: "NumberOfMessagesDeleted",
  emptyReceives: "NumberOfEmptyReceives",
  visible: "ApproximateNumberOfMessagesVisible",
  notVisible: "ApproximateNumberOfMessagesNotVisible",
  delayed: "ApproximateNumberOfMessagesDelayed",
  oldestAge: "ApproximateAgeOfOldestMessage",
} as const;

/** What Lambda publishes per FunctionName. */
export const LAMBDA_METRICS = {
  namespace: "AWS/Lambda",
  invocations: "Invocations",
  errors: "Errors",
  throttles: "Throttles",
  duration: "Duration",
  concurrentExecutions: "ConcurrentExecutions",
} as const;

/** What DynamoDB publishes per TableName (and Operation, for latency and throttles). */
export const DYNAMODB_METRICS = {
  namespace: "AWS/DynamoDB",
  consumedWrites: "ConsumedWriteCapacityUnits",
  latency: "SuccessfulRequestLatency",
  throttledRequests: "ThrottledRequests",
  writeThrottleEvents: "WriteThrottleEvents",
  /** 4xx answers, throttling included, for the account and region (no dimensions). */
  userErrors: "UserErrors",
  /** 5xx answers per TableName and Operation. */
  systemErrors: "SystemErrors",
} as const;

/**
 * Where the embedded cloud counts the faults it injects: one counter series per fault kind. Local only: AWS publishes
 * nothing like it, so the deployed dashboard never draws it; the local dashboard and the report do when a run had faults.
 */
export const FAULT_METRICS = {
  namespace: "EmbeddedCloud/Faults",
  injected: "FaultsInjected",
  kindDimension: "Kind",
} as const;

/** What CloudWatch Logs publishes per LogGroupName: the log data ingested, which is what its ingestion price bills. */
export const LOGS_METRICS = {
  namespace: "AWS/Logs",
  incomingBytes: "IncomingBytes",
  incomingLogEvents: "IncomingLogEvents",
} as const;

/**
 * The embedded cloud's event source mapping model: the batch readers its scaling allows (local/batch-reader-scaling.ts),
 * per function. Local only: AWS publishes nothing like it for a standard SQS mapping.
 */
export const MAPPING_METRICS = {
  namespace: "EmbeddedCloud/EventSourceMapping",
  batchReaders: "BatchReaders",
} as const;
