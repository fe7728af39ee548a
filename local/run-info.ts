import { type RunInfo, settingsFromStackConfig } from "../contracts";
import { latencySummary } from "./latency-summary";
import type { PipelineRunOptions, PipelineRunResult } from "./pipeline-run";
import type { StackFromProgram } from "./stack-source";

/** run.json (docs/CONTRACTS.md): the stack's outputs and settings as data, the load, the verdict, the timings. */
export function runInfoOf(
  result: PipelineRunResult,
  context: {
    runId: string;
    startedAt: Date;
    region: string;
    stack: StackFromProgram;
    /** The producer's seed, chosen by the run when the options gave none. */
    seed: number;
    options: PipelineRunOptions;
  },
): RunInfo {
  const { deployed } = result;
  const { stack, options } = context;
  return {
    runId: context.runId,
    startedAt: context.startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    region: context.region,
    outputs: deployed.outputs,
    settings: settingsFromStackConfig(stack.config),
    parameters: {
      producer: { ...options.load, seed: context.seed, invalidRatio: options.load.invalidRatio ?? 0 },
      stackConfig: stack.config,
      settings: {
        eventSourceMappings: deployed.mappings.map((m) => ({ function: m.functionName, ...m.config })),
        functions: deployed.functions.map((f) => ({
          name: f.name,
          timeoutSeconds: f.timeoutSeconds,
          memorySizeMb: f.memorySizeMb,
        })),
        queues: deployed.queues.map((q) => ({ name: q.name, attributes: q.attributes })),
      },
      faults: options.faults ?? null,
    },
    faults: result.faults ?? null,
    iam: result.iam,
    alarms: result.alarms,
    producer: result.producer,
    verification: { ...result.verification },
    timings: {
      timeToFirstStoredMs: result.timeToFirstStoredMs,
      firstStoredAt: result.firstStoredAt,
      processStartedAt: Date.now() - process.uptime() * 1000,
      ...result.phases,
    },
    latency: latencySummary(result.latenciesMs),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    lambda: { ...result.lambda, batchSizes: undefined, initMs: result.lambda.initMs },
    mapping: result.mapping,
    resources: deployed.resources,
  };
}
