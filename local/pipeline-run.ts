import { randomInt } from "node:crypto";
import { SQSClient } from "@aws-sdk/client-sqs";
import {
  type AlarmRunSummary,
  DEFAULT_LOCAL_ROOT,
  type IamRunSummary,
  INVALID_KIND_CODES,
  type RatePhase,
  type SynthesizedStack,
} from "../contracts";
import type { ProduceSummary } from "../producer";
import { EmbeddedCloud } from "./cloud";
import type { DeployedStack } from "./deploy";
import type { FaultSettings } from "./faults/injector";
import type { FaultReport } from "./faults/summary";
import { denialLine } from "./iam/cloud-iam";
import { faultReportOf } from "./run-fault-report";
import { runInfoOf } from "./run-info";
import {
  cachedStack,
  commandStackSource,
  type StackFromProgram,
  type StackSourceOptions,
  synthesizeStack,
} from "./stack-source";
import { judgeControlPlane, readTable, type Verification, verifyRun } from "./verify";

/** The producer's side of a run: the pass-through flags of `npm start`. */
export interface RunLoad {
  rate?: number;
  durationMs?: number;
  count?: number;
  profile?: RatePhase[];
  invalidRatio?: number;
  seed?: number;
  batchSize?: number;
  concurrency?: number;
}

export interface PipelineRunOptions {
  load: RunLoad;
  localRoot?: string;
  sqsPort?: number;
  dynamoPort?: number;
  persist?: boolean;
  /** Stack config values over Pulumi.dev.yaml (tests change batchSize this way). */
  configOverrides?: Record<string, string>;
  /** Reuse a synthesized stack when the program and config are unchanged (default true). */
  cacheSynth?: boolean;
  /** Where synthesized stacks are cached (default .local/synth-cache, shared by every local root). */
  synthCacheDir?: string;
  /** How long to wait for the queue to drain after the producer stops (default: 60 s + the visibility timeout). */
  drainTimeoutMs?: number;
  /** Faults injected where AWS fails (--faults, --faults-seed). */
  faults?: FaultSettings;
  /** The stack whose Pulumi.<name>.yaml gives the settings (--stack; default $PULUMI_STACK, else dev). */
  stackName?: string;
  idleMs?: number;
  /** Environments initialised ahead of the first invocation (EmbeddedCloudOptions.prewarm). */
  prewarm?: number;
  /** Authorize every call against the stack's policies (default true; false is --no-iam). */
  iam?: boolean;
  /** Changes the synthesized stack before it is deployed: tests plant a bug here, as an edit of the program would. */
  editStack?: (stack: SynthesizedStack) => void;
  /** Progress lines for a person watching (the CLI prints them). */
  onProgress?: (line: string) => void;
  /** Called once deployed, before the producer starts (the CLI prints the dashboard URL; tests inspect). */
  onDeployed?: (cloud: EmbeddedCloud, deployed: DeployedStack, stack: SynthesizedStack) => void | Promise<void>;
  /** Abort to stop the producer early (Ctrl-C); the run still drains and verifies what was sent. */
  signal?: AbortSignal;
}

export interface PipelineRunResult {
  runId: string | undefined;
  folder: string | undefined;
  verification: Verification;
  producer: Omit<ProduceSummary, "messages" | "unsent">;
  /** Milliseconds from the start of runPipeline to the first item DynamoDB stored. */
  timeToFirstStoredMs: number | undefined;
  /** Epoch milliseconds of that first stored item (the benchmark measures from the process start). */
  firstStoredAt: number | undefined;
  /** Milliseconds spent synthesizing (0 when cached), starting the emulators and deploying. */
  phases: {
    synthesizeMs: number;
    synthesizeCached: boolean;
    emulatorsMs: number;
    deployMs: number;
    produceMs: number;
    drainMs: number;
  };
  /** SentTimestamp to storedAt of every stored item, in ms, sorted. */
  latenciesMs: number[];
  lambda: {
    invocations: number;
    errors: number;
    coldStarts: number;
    peakConcurrency: number;
    batchSizes: number[];
    initMs: number[];
  };
  mapping: { peakReaders: number; scaleOuts: number; scaleIns: number; retriedBatches: number };
  /** The injected faults and what they caused (runs with --faults). */
  faults?: FaultReport;
  /** What IAM refused and what the calls used. */
  iam: IamRunSummary;
  /** Each alarm's transitions and final state. */
  alarms: AlarmRunSummary[];
  deployed: DeployedStack;
}

/**
 * `npm start`: start the cloud and synthesize the program (in parallel), deploy, produce, wait for the queue to
 * drain, verify the table and the DLQ against what the producer sent, and write run.json beside the record.
 */
export async function runPipeline(options: PipelineRunOptions): Promise<PipelineRunResult> {
  const started = performance.now();
  const say = options.onProgress ?? (() => undefined);
  const startedAt = new Date();
  // What is on the way to the first stored item runs side by side: a stack that must be synthesized runs in a child
  // process while this one starts the emulators and loads the producer (its faker data takes a second or more to
  // load); a cached stack is read at once, and the producer loads after deploy, while the first execution
  // environment initialises in its own thread.
  const cached = cachedStack(stackSourceOf(options));
  const synthesizing = cached ? Promise.resolve({ stack: cached, ms: 0 }) : synthesizeTimed(options);
  const t0 = performance.now();
  let cloud: EmbeddedCloud;
  try {
    cloud = await startCloud(options);
  } catch (error) {
    await synthesizing.catch(() => undefined);
    throw error;
  }
  // Each distinct refusal as it happens: the verdict fails on it, but only once the queue has drained or the drain
  // has timed out, which a record the consumer could not process (back after the visibility timeout) makes minutes.
  let refusals = 0;
  let drainLimitMs: number | undefined;
  cloud.iam.onDistinctDenial((d) => {
    say(denialLine(d));
    if (refusals++ === 0)
      say(
        "  the run goes on: a record the consumer could not process comes back after the queue's visibility " +
          `timeout; the run waits${drainLimitMs === undefined ? "" : ` at most ${Math.round(drainLimitMs / 1000)} s`} ` +
          "for the queue to drain, then fails naming this refusal",
      );
  });
  try {
    const emulatorsMs = performance.now() - t0;
    say(
      `emulators up in ${emulatorsMs.toFixed(0)} ms: SQS ${cloud.endpoints.sqs}, DynamoDB ${cloud.endpoints.dynamodb}`,
    );
    if (!cached) producerModule();
    const { stack, ms: synthesizeMs } = await synthesizing;
    say(
      `program synthesized${stack.cached ? " (cached: program and config unchanged)" : ""} in ` +
        `${synthesizeMs.toFixed(0)} ms`,
    );
    const firstStored = watchFirstStored(cloud);
    const putItems = countPutItems(cloud);
    const t1 = performance.now();
    options.editStack?.(stack);
    const deployed = await cloud.deploy(stack);
    drainLimitMs = drainTimeoutOf(deployed, options);
    const deployMs = performance.now() - t1;
    reportDeployed(deployed, deployMs, say);
    await options.onDeployed?.(cloud, deployed, stack);

    const t2 = performance.now();
    const load = await produceLoad(cloud, String(deployed.outputs.queueUrl), options, say);
    const produceMs = performance.now() - t2;
    const t3 = performance.now();
    await drain(cloud, drainLimitMs, say);
    const drainMs = performance.now() - t3;
    firstStored.stop();
    putItems.stop();
    // One full idle second in the record, so charts show concurrency and depth back at zero.
    await new Promise((resolve) => setTimeout(resolve, 2000 - (Date.now() % 1000)));
    await Promise.all(cloud.mappings.map((m) => m.stop()));

    const { verification, latenciesMs } = await verifyLoad(cloud, deployed, load);
    const { messages: _messages, unsent: _unsent, ...producer } = load.summary;
    const result: PipelineRunResult = {
      runId: cloud.recorder?.runId,
      folder: cloud.recorder?.folder,
      verification,
      producer,
      timeToFirstStoredMs: firstStored.at === undefined ? undefined : firstStored.at - started,
      firstStoredAt: firstStored.epoch,
      phases: {
        synthesizeMs: stack.cached ? 0 : synthesizeMs,
        synthesizeCached: stack.cached,
        emulatorsMs,
        deployMs,
        produceMs,
        drainMs,
      },
      latenciesMs,
      ...runtimeCounters(cloud),
      iam: cloud.iam.summary(),
      alarms: [],
      deployed,
    };
    // The last flush also makes the alarms' last evaluation (the run ends inside a period).
    cloud.recorder?.stop();
    result.alarms = cloud.alarms?.summary() ?? [];
    result.iam = cloud.iam.summary();
    judgeControlPlane(verification, result.iam, result.alarms);
    if (cloud.faults) result.faults = faultReportOf(cloud, result, putItems.answered);
    if (cloud.recorder) {
      cloud.recorder.writeRun(
        runInfoOf(result, {
          runId: cloud.recorder.runId,
          startedAt,
          region: cloud.region,
          stack,
          seed: load.seed,
          options,
        }),
      );
    }
    return result;
  } finally {
    await cloud.stop();
  }
}

function stackSourceOf(options: PipelineRunOptions): StackSourceOptions {
  const source = commandStackSource(options.stackName);
  return {
    ...source,
    overrides: options.configOverrides,
    cacheDir: options.cacheSynth === false ? undefined : (options.synthCacheDir ?? source.cacheDir),
  };
}

function synthesizeTimed(options: PipelineRunOptions): Promise<{ stack: StackFromProgram; ms: number }> {
  return (async () => {
    const t = performance.now();
    const stack = await synthesizeStack(stackSourceOf(options));
    return { stack, ms: performance.now() - t };
  })();
}

/** The producer, loaded when the run reaches a moment where loading it costs no waiting (see runPipeline). */
function producerModule(): typeof import("../producer") {
  // require, not import(): under tsx's CommonJS hook a dynamic import of a .ts file is not transpiled.
  return require("../producer") as typeof import("../producer");
}

function startCloud(options: PipelineRunOptions): Promise<EmbeddedCloud> {
  return EmbeddedCloud.start({
    localRoot: options.localRoot ?? DEFAULT_LOCAL_ROOT,
    sqsPort: options.sqsPort,
    dynamoPort: options.dynamoPort,
    persist: options.persist,
    faults: options.faults,
    idleMs: options.idleMs,
    prewarm: options.prewarm,
    iam: options.iam,
  });
}

/** Counts the PutItem calls DynamoDB answered (the fault report's calls per stored item). */
function countPutItems(cloud: EmbeddedCloud): { answered: number; stop(): void } {
  const counted: { answered: number; stop(): void } = { answered: 0, stop: () => undefined };
  counted.stop = cloud.dynamoEmulator.onCall((call) => {
    if (call.operation === "PutItem") counted.answered += 1;
  });
  return counted;
}

/** Notes when DynamoDB first stores an item: the run's time to first result. */
function watchFirstStored(cloud: EmbeddedCloud): { at?: number; epoch?: number; stop(): void } {
  const seen: { at?: number; epoch?: number; stop(): void } = { stop: () => undefined };
  seen.stop = cloud.dynamoEmulator.onCall((call) => {
    if (seen.at === undefined && call.operation === "PutItem" && call.statusCode === 200) {
      seen.at = performance.now();
      seen.epoch = Date.now();
    }
  });
  return seen;
}

function reportDeployed(deployed: DeployedStack, deployMs: number, say: (line: string) => void): void {
  const o = deployed.outputs;
  say(
    `deployed in ${deployMs.toFixed(0)} ms: queue ${String(o.queueUrl)}, table ${String(o.tableName)}, ` +
      `function ${String(o.functionName)}`,
  );
  const notEmulated = deployed.resources.filter((r) => r.status === "not emulated");
  say(`not emulated (${notEmulated.length}): ${[...new Set(notEmulated.map((r) => r.type))].join(", ")}`);
}

/** What the producer sent (every accepted message with its body: verification compares the table to them). */
interface ProducedLoad {
  summary: ProduceSummary;
  seed: number;
}

async function produceLoad(
  cloud: EmbeddedCloud,
  queueUrl: string,
  options: PipelineRunOptions,
  say: (line: string) => void,
): Promise<ProducedLoad> {
  const load = options.load;
  const seed = load.seed ?? randomInt(0, 2 ** 32);
  const { produce } = producerModule();
  // The producer's own keys: it may do what the producerPolicyArn output grants, as on AWS.
  const { identity } = cloud.deployed?.principals.producer ?? cloud.administrator;
  const credentials = { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey };
  const sqs = new SQSClient({ endpoint: cloud.endpoints.sqs, region: cloud.region, credentials });
  try {
    const summary = await produce(
      { ...load, queueUrl, invalidRatio: load.invalidRatio ?? 0, seed },
      {
        sqs,
        signal: options.signal,
        onProgress: (p) => {
          // Peaks since the previous line: at 200/s a batch is in flight for tens of milliseconds, which a sample taken
          // once a second would mostly miss.
          const a = cloud.activity();
          say(
            `${(p.elapsedMs / 1000).toFixed(0).padStart(4)} s  sent ${p.sent} (${Math.round(p.currentRate)}/s)  ` +
              `queue ${a.visible} visible, up to ${a.inFlight} in flight  up to ${a.running} running ` +
              `(${a.batchReaders} batch readers)`,
          );
        },
      },
    );
    say(`producer done: ${summary.sent} sent, ${summary.failed} failed, ${summary.achievedRate.toFixed(1)}/s achieved`);
    return { summary, seed };
  } finally {
    sqs.destroy();
  }
}

/** How long a run waits for the queue to drain: a minute, plus a visibility timeout per receive a message may need. */
function drainTimeoutOf(deployed: DeployedStack, options: PipelineRunOptions): number {
  if (options.drainTimeoutMs !== undefined) return options.drainTimeoutMs;
  const visibility = Math.max(...deployed.queues.map((q) => Number(q.attributes.VisibilityTimeout ?? 30)));
  // Under faults a message may need every one of its receives, a visibility timeout apart, before it settles.
  const rounds = options.faults ? (maxReceiveCountOf(deployed) ?? 1) + 1 : 1;
  return 60_000 + rounds * visibility * 1000;
}

async function drain(cloud: EmbeddedCloud, timeoutMs: number, say: (line: string) => void): Promise<void> {
  const started = performance.now();
  try {
    await cloud.waitForDrain(timeoutMs, () => undefined);
    say(`queue drained ${(performance.now() - started).toFixed(0)} ms after the producer stopped`);
  } catch (error) {
    // Verify anyway: the verdict (messages left in the queue, lost ones) says more than the timeout.
    say((error as Error).message);
    cloud.recorder?.log({ source: "cloud", level: "ERROR", message: (error as Error).message });
  }
}

/** The verdict on what was sent, and the send-to-stored latency of every stored item. */
async function verifyLoad(
  cloud: EmbeddedCloud,
  deployed: DeployedStack,
  load: ProducedLoad,
): Promise<{ verification: Verification; latenciesMs: number[] }> {
  const sent = load.summary.messages;
  const backlog = cloud.backlog();
  const tableName = String(deployed.outputs.tableName);
  const verification = await verifyRun(sent, {
    sqs: cloud.sqs,
    dynamo: cloud.dynamo,
    tableName,
    dlqUrl: String(deployed.outputs.dlqUrl),
    leftInQueue: backlog.visible + backlog.inFlight,
    expectedCodes: INVALID_KIND_CODES,
    context: {
      maxReceiveCount: maxReceiveCountOf(deployed),
      whyOf: cloud.faults && ((id) => cloud.faults!.injector.whyOf(id)),
      heldInQueue: cloud.heldInSourceQueues(),
      persist: cloud.persists,
    },
  });
  const sentIds = new Set(sent.map((m) => m.eventId));
  const latenciesMs = (await readTable(cloud.dynamo, tableName))
    .filter((item) => sentIds.has(String(item.eventId)))
    .map((item) => Date.parse(String(item.storedAt)) - Date.parse(String(item.sentAt)))
    .sort((a, b) => a - b);
  return { verification, latenciesMs };
}

/** The source queue's maxReceiveCount, from the RedrivePolicy deploy set on it. */
function maxReceiveCountOf(deployed: DeployedStack): number | undefined {
  const queueUrl = String(deployed.outputs.queueUrl);
  const policy = deployed.queues.find((q) => q.url === queueUrl)?.attributes.RedrivePolicy;
  try {
    return policy ? Number(JSON.parse(String(policy)).maxReceiveCount) : undefined;
  } catch {
    return undefined;
  }
}

function runtimeCounters(cloud: EmbeddedCloud): Pick<PipelineRunResult, "lambda" | "mapping"> {
  const runtime = [...cloud.runtimes.values()][0];
  const mapping = cloud.mappings[0];
  return {
    lambda: {
      invocations: runtime?.stats.invocations ?? 0,
      errors: runtime?.stats.errors ?? 0,
      coldStarts: runtime?.stats.coldStarts ?? 0,
      peakConcurrency: runtime?.stats.peakConcurrency ?? 0,
      batchSizes: runtime?.stats.batchSizes ?? [],
      initMs: runtime?.stats.initMs ?? [],
    },
    mapping: {
      peakReaders: mapping?.stats.peakReaders ?? 0,
      scaleOuts: mapping?.stats.scaleOuts ?? 0,
      scaleIns: mapping?.stats.scaleIns ?? 0,
      retriedBatches: mapping?.stats.retriedBatches ?? 0,
    },
  };
}
