/**
 * The kernel: every fact two parts of this repository agree on, one module per fact. Other folders import this entry
 * module only. Re-exports are named one by one: Pulumi's closure serializer follows a named re-export to the one value
 * the consumer uses, whereas `export *` would hand it whole modules.
 */

// AWS errors: what may pass on retry, what is a fault of the deployment.
export {
  DEPLOYMENT_FAULT_NAMES,
  isDeploymentFault,
  isTransientAwsError,
  NETWORK_ERROR_CODES,
  THROTTLING_ERROR_NAMES,
  TIMEOUT_ERROR_NAMES,
  UNREACHABLE_ERROR_CODES,
} from "./aws-errors";
// CloudWatch names: AWS's metrics and the embedded cloud's fault counts; the consumer's metrics.
export { DYNAMODB_METRICS, FAULT_METRICS, LAMBDA_METRICS, SQS_METRICS } from "./aws-metric-names";
// The command line: exit statuses and the error family every command uses.
export { CommandError, EXIT, type ExitStatus, OperatorError, reportError, UsageError } from "./cli-errors";
// The consumer's log lines.
export { BATCH_SUMMARY_MESSAGE, type RecordOutcome } from "./consumer-log";
// What the consumer writes to the dead-letter queue, and the one reader of it.
export {
  DEAD_LETTER_ATTRIBUTES,
  MAX_REASON_LENGTH,
  REASON_ATTRIBUTE_NAMES,
  type ReasonMessageBody,
} from "./dead-letter";
export { attachReasons, type DeadLetter, isReasonMessage, readDeadLetter } from "./dead-letter-reader";
// The eventId attribute.
export { checkEventId, EVENT_ID_ATTRIBUTE, type EventIdCheck, MAX_EVENT_ID_BYTES } from "./event-id";
// The producer's malformed kinds and the code the consumer gives each.
export { INVALID_KIND_CODES, INVALID_KINDS, type InvalidKind } from "./invalid-kinds";
// Local endpoints and credentials.
export {
  LOCAL_ACCOUNT_ID,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalEndpoints,
  localEnvironment,
} from "./local-endpoints";
export {
  CONSUMER_METRICS,
  CONSUMER_NAMESPACE,
  CONSUMER_SERVICE_NAME,
  REASON_DIMENSION,
  SERVICE_DIMENSION,
} from "./metric-names";
// Why the consumer rejects a message.
export { REJECTION_CODES, type RejectionCode, VALIDATION_CODES } from "./rejection-codes";
// The per-second run record and run.json.
export {
  LAST_RUN_POINTER,
  LOGS_FILE,
  type LogLine,
  METRICS_FILE,
  type MetricLine,
  type ParsedLines,
  parseMetricLines,
  RUNS_DIR,
  type RunInfo,
  type RunRecord,
  RunRecordError,
  readRunRecord,
  resolveLastRun,
  writeRunInfo,
} from "./run-record";
// SQS's limits and the one batch packer.
export {
  attributeBytes,
  LEGACY_MAX_MESSAGE_BYTES,
  MAX_BATCH_ENTRIES,
  MAX_BATCH_PAYLOAD_BYTES,
  MAX_MESSAGE_ATTRIBUTES,
  MAX_MESSAGE_BYTES,
  MAX_MOVE_TASK_VELOCITY,
  messageBytes,
  packBatches,
  type SizedAttribute,
} from "./sqs-limits";
// The embedded cloud's state file.
export {
  claimStateFile,
  DEFAULT_STATE_FILE,
  type EmbeddedCloudState,
  inspectStateFile,
  isAlive,
  readState,
  releaseStateFile,
  type StateAnswer,
  stateFilePath,
  writeState,
} from "./state-file";
// Percentiles.
export { nearestRank, percentile } from "./statistics";
// The synthesized stack.
export {
  consumerFunction,
  FUNCTION_TYPE,
  type PlainValues,
  type SynthesizedCode,
  type SynthesizedResource,
  type SynthesizedStack,
} from "./synthesized-stack";
// The vehicle message.
export {
  MAX_MILEAGE,
  MAX_TEXT_LENGTH,
  MIN_MODEL_YEAR,
  maxModelYear,
  VEHICLE_FIELDS,
  VEHICLE_ID_PATTERN,
  VEHICLE_TEXT_FIELDS,
  type Vehicle,
} from "./vehicle";
