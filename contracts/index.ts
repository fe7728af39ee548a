/**
 * The kernel: every fact two parts of this repository agree on, one module per fact. Other folders import this entry
 * module only. Re-exports are named one by one: Pulumi's closure serializer follows a named re-export to the one value
 * the consumer uses, whereas `export *` would hand it whole modules.
 */

// The command line: exit statuses and the error family every command uses.
export { CommandError, EXIT, type ExitStatus, OperatorError, reportError, UsageError } from "./cli-errors";
// Emulated fault metrics the embedded cloud records.
export { FAULTS_DIMENSION, FAULTS_METRIC, FAULTS_NAMESPACE } from "./fault-metrics";
// Local endpoints and credentials.
export {
  LOCAL_ACCOUNT_ID,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalEndpoints,
  localEnvironment,
} from "./local-endpoints";
// The per-second run record and run.json.
export {
  LAST_RUN_POINTER,
  LOGS_FILE,
  type LogLine,
  METRICS_FILE,
  type MetricLine,
  type ParsedLines,
  parseMetricLines,
  type RunInfo,
  type RunRecord,
  RunRecordError,
  RUNS_DIR,
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
