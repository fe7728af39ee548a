/**
 * The embedded cloud: the stack deployed into SQS and DynamoDB emulators on this machine, the consumer run the way
 * Lambda runs it, and a whole pipeline run (deploy, produce, drain, verify) for the report and the benchmarks.
 */
export { EmbeddedCloud } from "./cloud";
export { startSqs } from "./emulators";
export type { FaultRates } from "./faults/spec";
export { runPipeline } from "./pipeline-run";
export { synthesizeStack } from "./stack-source";
