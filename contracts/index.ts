/**
 * The kernel: every fact two parts of this repository agree on, one module per fact. Other folders import this entry
 * module only. Re-exports are named one by one: Pulumi's closure serializer follows a named re-export to the one value
 * the consumer uses, whereas `export *` would hand it whole modules. At load time the kernel needs Node's built-ins
 * only (a package is required inside the function that uses it), so a command can load it before checking that
 * node_modules is installed.
 */

// AWS errors: what may pass on retry, what is a fault of the deployment.
export { isDeploymentFault, isTransientAwsError, UNREACHABLE_ERROR_CODES } from "./aws-errors";
// CloudWatch names: AWS's metrics and the embedded cloud's fault counts; the consumer's metrics.
export {
  DYNAMODB_METRICS,
  FAULT_METRICS,
  LAMBDA_METRICS,
  LOGS_METRICS,
  MAPPING_METRICS,
  SQS_METRICS,
} from "./aws-metric-names";
// The command line: exit statuses and the error family every command uses.
export { CommandError, EXIT, type ExitStatus, OperatorError, reportError, UsageError } from "./cli-errors";
// The command line: parsing flags into UsageErrors that name them.
export { parseCommandLine } from "./command-line";
// The consumer's log lines.
export { BATCH_SUMMARY_MESSAGE, type RecordOutcome } from "./consumer-log";
// The control plane's part of a run record: IAM refusals, alarm state changes, SNS messages.
export {
  type AccessDenial,
  type AccessDeniedLogLine,
  type AlarmRunSummary,
  type AlarmStateLogLine,
  type DenialSummary,
  type IamRunSummary,
  isAlarmStateLine,
  SNS_FILE,
  type SnsLine,
} from "./control-plane-record";
// The one reader of the dead-letter queue (what the consumer writes there: dead-letter.ts, which handlers/ imports).
export { attachReasons, type DeadLetter, isReasonMessage, readDeadLetter } from "./dead-letter-reader";
// The eventId attribute.
export { EVENT_ID_ATTRIBUTE, MAX_EVENT_ID_BYTES } from "./event-id";
// The command line: the values the commands share (rates, durations, counts, profiles, URLs, regions).
export {
  parseCount,
  parseDuration,
  parseInteger,
  parseInvalidRatio,
  parseProfile,
  parseRate,
  parseRegion,
  parseSeed,
  parseUrl,
  type RatePhase,
} from "./flag-values";
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
// Finding the stack's queues: flag, environment, `pulumi stack output`, the embedded cloud.
export {
  discoverQueue,
  pulumiOnPath,
  QueueNotFoundError,
} from "./queue-discovery";
// Why the consumer rejects a message.
export { REJECTION_CODES, VALIDATION_CODES } from "./rejection-codes";
// The per-second run record and run.json.
export {
  LOGS_FILE,
  type LogLine,
  METRICS_FILE,
  type MetricLine,
  parseMetricLines,
  type RunInfo,
  type RunRecord,
  RunRecordError,
  readRunRecord,
  resolveLastRun,
  writeRunInfo,
} from "./run-record";
// The pipeline's settings: defaults, reasons and rules.
export {
  ConfigError,
  DLQ_RETENTION_SECONDS,
  type PipelineSettings,
  parseSettings,
  SETTINGS,
  settingsFromStackConfig,
  VISIBILITY_TIMEOUT_FACTOR,
} from "./settings";
// The endpoint, region and credentials of an SQS command line.
export { chooseSqsClient, chooseSqsClientFor, RegionMissingError } from "./sqs-client";
// SQS's limits and the one batch packer.
export {
  attributeBytes,
  LEGACY_MAX_MESSAGE_BYTES,
  MAX_BATCH_ENTRIES,
  MAX_BATCH_PAYLOAD_BYTES,
  MAX_MESSAGE_ATTRIBUTES,
  MAX_MESSAGE_BYTES,
  MAX_MOVE_TASK_VELOCITY,
  MAX_MOVE_TASKS_LISTED,
  messageBytes,
  packBatches,
} from "./sqs-limits";
// The stacks: Pulumi.<stack>.yaml, the default stack, the stack config.
export {
  DEFAULT_STACK,
  defaultStack,
  StackConfigError,
  stackConfigFromYaml,
  stackFileNamed,
  stackFilePath,
} from "./stack-files";
// A deployed stack's outputs, from the Pulumi CLI.
export { askStackOutputs, findPulumi } from "./stack-outputs";
// The embedded cloud's state file.
export {
  claimStateFile,
  type EmbeddedCloudState,
  isAlive,
  readState,
  releaseStateFile,
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
export { MAX_MILEAGE, MIN_MODEL_YEAR, VEHICLE_FIELDS, type Vehicle } from "./vehicle";
export { VEHICLE_TABLE_KEY, vehicleTableInput } from "./vehicle-table";
// The checkout: the project, its root and the embedded cloud's .local/ layout.
export {
  COMPILE_CACHE_DIR,
  DEFAULT_LOCAL_ROOT,
  LAST_RUN_POINTER,
  type LocalLayout,
  localLayout,
  PROJECT_NAME,
  PROJECT_ROOT,
  RUNS_DIR,
  SYNTH_CACHE_DIR,
} from "./workspace";
