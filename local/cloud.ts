import { mkdirSync } from "node:fs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import {
  type AccessDeniedLogLine,
  claimStateFile,
  DEFAULT_LOCAL_ROOT,
  type EmbeddedCloudState,
  EVENT_ID_ATTRIBUTE,
  LOCAL_ACCOUNT_ID,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localLayout,
  MAPPING_METRICS,
  releaseStateFile,
  type SynthesizedStack,
  writeState,
} from "../contracts";
import { CloudAlarms } from "./alarms";
import { type DeployedStack, deployStack } from "./deploy";
import {
  declareStackGauges,
  PeakSampler,
  recordDynamoCalls,
  recordSqsCalls,
  sampleAfterCalls,
} from "./emulator-metrics";
import { type EmulatorCall, injectedSqsApi, type RunningEmulator, startDynamo, startSqs } from "./emulators";
import { type PollerSqsApi, SqsEventSourceMapping } from "./event-source-mapping";
import { CloudFaults } from "./faults/cloud-faults";
import type { FaultSettings } from "./faults/injector";
import { type FauxqsStore, heldMessageIds, queueDepth } from "./fauxqs-store";
import { CloudIam, type CloudPrincipal } from "./iam/cloud-iam";
import { administrator } from "./iam/cloud-principals";
import { LambdaService } from "./lambda-service";
import { RunRecorder } from "./recorder";

export interface EmbeddedCloudOptions {
  /** The .local folder (state, runs, function code, persisted data). Must be inside the repository. */
  localRoot?: string;
  sqsPort?: number;
  dynamoPort?: number;
  /** Keep DynamoDB data on disk under <localRoot>/dynamodb and queue contents in <localRoot>/sqs/journal.jsonl. */
  persist?: boolean;
  /** Write the per-second record under <localRoot>/runs/<runId>/ (default true). */
  record?: boolean;
  runId?: string;
  /** Faults injected where AWS fails (--faults, --faults-seed): see faults/. */
  faults?: FaultSettings;
  /** Idle execution environments are discarded after this long. */
  idleMs?: number;
  /** Write <localRoot>/state.json (default true). */
  writeState?: boolean;
  /**
   * Environments to initialise per function right after deploy, before any message arrives (default 1; 0 for none).
   * One, so the first batch does not wait for a cold start; more would take the CPU the first batches need on a
   * laptop, where cold starts share the cores.
   */
  prewarm?: number;
  /** Authorize every SQS and DynamoDB call against the stack's policies (default true; false is --no-iam). */
  iam?: boolean;
}

/** Environments initialised ahead of the first invocation when the options do not say. */
const DEFAULT_PREWARMED_ENVIRONMENTS = 1;

/**
 * The whole pipeline on one machine: fauxqs for SQS and dynalite for DynamoDB on 127.0.0.1, the stack deployed into
 * them, one Lambda runtime per function and one poller group per event source mapping, and the recorder watching it all.
 */
export class EmbeddedCloud {
  readonly localRoot: string;
  readonly region = LOCAL_REGION;
  readonly recorder: RunRecorder | undefined;
  readonly sqs: SQSClient;
  readonly dynamo: DynamoDBClient;
  readonly runtimes = new Map<string, LambdaService>();
  readonly mappings: SqsEventSourceMapping[] = [];
  readonly faults: CloudFaults | undefined;
  /** Who holds which keys, the queues' policies, and the decision on every call (iam/). */
  readonly iam: CloudIam;
  readonly administrator: CloudPrincipal;
  /** The stack's alarms, judged every second (once deployed, when the run is recorded). */
  alarms: CloudAlarms | undefined;
  deployed: DeployedStack | undefined;
  private activityPeaks: PeakSampler[] | undefined;
  readonly startedAt = new Date();
  private stopped = false;

  private constructor(
    private readonly options: EmbeddedCloudOptions,
    readonly sqsEmulator: RunningEmulator & {
      app: import("fastify").FastifyInstance;
      store: FauxqsStore | undefined;
      journal: import("./sqs-journal").QueueJournal | undefined;
      onCall(listener: (call: EmulatorCall) => void): () => void;
    },
    readonly dynamoEmulator: RunningEmulator & {
      onCall(listener: (call: EmulatorCall) => void): () => void;
      setFaultSlowMs?(ms: number): void;
    },
    faults: CloudFaults | undefined,
    iam: CloudIam,
  ) {
    this.localRoot = options.localRoot ?? DEFAULT_LOCAL_ROOT;
    this.faults = faults;
    this.iam = iam;
    this.administrator = iam.principals().find((p) => p.role === "administrator")!;
    // The cloud's own clients (deploy, verification, `up`) are the administrator's, through the well-known test keys.
    const client = { region: this.region, credentials: LOCAL_CREDENTIALS };
    this.sqs = new SQSClient({ ...client, endpoint: sqsEmulator.endpoint });
    this.dynamo = new DynamoDBClient({ ...client, endpoint: dynamoEmulator.endpoint });
    if (options.record !== false) {
      this.recorder = new RunRecorder({ root: this.localRoot, runId: options.runId });
      this.recorder.start();
    }
    faults?.recordMetrics(this.recorder, () => this.deployed?.tables[0]?.name);
    iam.onDenial((denial) => {
      const line: AccessDeniedLogLine = { source: "cloud", event: "access-denied", level: "ERROR", ...denial };
      this.recorder?.log(line);
    });
  }

  /**
   * An event source mapping's receives and deletes: fauxqs's request handling without a socket or an SDK client
   * (Lambda's pollers are AWS-internal), acting as the function's execution role, as on AWS. The function's own SQS
   * and DynamoDB calls stay SDK calls over HTTP.
   */
  private pollerApiFor(functionName: string): PollerSqsApi {
    const host = new URL(this.sqsEmulator.endpoint).host;
    const { identity } = this.deployed?.principals.functions.get(functionName) ?? this.administrator;
    const caller = {
      accessKeyId: identity.accessKeyId,
      ...(identity.sessionToken ? { sessionToken: identity.sessionToken } : {}),
      region: this.region,
    };
    const api = injectedSqsApi(this.sqsEmulator.app, host, caller);
    return this.faults ? this.faults.pollerApi(api, this.sqsEmulator.app, host) : api;
  }

  get endpoints(): { sqs: string; dynamodb: string } {
    return { sqs: this.sqsEmulator.endpoint, dynamodb: this.dynamoEmulator.endpoint };
  }

  /** Starts both emulators. Throws AlreadyRunningError or EmulatorStartError (port in use) with what to do. */
  static async start(options: EmbeddedCloudOptions = {}): Promise<EmbeddedCloud> {
    const localRoot = options.localRoot ?? DEFAULT_LOCAL_ROOT;
    const layout = localLayout(localRoot);
    mkdirSync(localRoot, { recursive: true });
    if (options.writeState !== false) claimStateFile(localRoot);
    const faults = options.faults ? new CloudFaults(options.faults) : undefined;
    const iam = new CloudIam({ enforced: options.iam !== false, region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID });
    iam.addPrincipal(administrator(LOCAL_ACCOUNT_ID));
    // Both at once: fauxqs's import alone takes about 400 ms, dynalite's thread about as long to start.
    const [sqs, dynamo] = await Promise.allSettled([
      startSqs({
        port: options.sqsPort,
        loopbackQueueUrls: true,
        faults: faults?.injector,
        iam,
        ...(options.persist ? { journalFile: layout.sqsJournal } : {}),
      }),
      startDynamo({
        port: options.dynamoPort,
        inWorkerThread: true,
        ...faults?.dynamoOptions(),
        ...(iam.enforced ? { iam } : {}),
        ...(options.persist ? { path: layout.dynamodb } : {}),
      }),
    ]);
    if (sqs.status === "rejected" || dynamo.status === "rejected") {
      if (sqs.status === "fulfilled") await sqs.value.close();
      if (dynamo.status === "fulfilled") await dynamo.value.close();
      throw sqs.status === "rejected" ? sqs.reason : (dynamo as PromiseRejectedResult).reason;
    }
    const cloud = new EmbeddedCloud(options, sqs.value, dynamo.value, faults, iam);
    cloud.watchEmulators();
    return cloud;
  }

  /**
   * Deploys a synthesized stack, starts its event source mappings (unless startMappings is false: the benchmark
   * fills the queue first, like a mapping created disabled) and writes the state file.
   */
  async deploy(stack: SynthesizedStack, options: { startMappings?: boolean } = {}): Promise<DeployedStack> {
    const deployed = await deployStack(stack, {
      sqs: this.sqs,
      dynamo: this.dynamo,
      region: this.region,
      endpoints: this.endpoints,
      codeRoot: localLayout(this.localRoot).functions,
      iamEnforced: this.iam.enforced,
    });
    this.deployed = deployed;
    this.iam.retainPrincipals((p) => p === this.administrator);
    for (const principal of [deployed.principals.producer, ...deployed.principals.functions.values()])
      if (principal) this.iam.addPrincipal(principal);
    if (this.recorder && deployed.alarms.length > 0)
      this.alarms = new CloudAlarms(deployed.alarms, this.recorder, {
        region: this.region,
        accountId: LOCAL_ACCOUNT_ID,
        deployedAt: Date.now() / 1000,
        resourceNames: [...deployed.queues, ...deployed.functions, ...deployed.tables].map((r) => r.name),
      });
    this.declareQueueGauges();
    for (const fn of deployed.functions) {
      this.runtimes.set(
        fn.name,
        new LambdaService(fn, {
          recorder: this.recorder,
          idleMs: this.options.idleMs,
          ...this.faults?.runtimeOptions(),
        }),
      );
    }
    if (this.faults)
      this.dynamoEmulator.setFaultSlowMs?.(this.faults.slowMsFor(deployed.functions.map((f) => f.timeoutSeconds)));
    for (const mapping of deployed.mappings) {
      const queue = mapping.config.queueUrl;
      const esm = new SqsEventSourceMapping(
        mapping.config,
        this.pollerApiFor(mapping.functionName),
        this.runtimes.get(mapping.functionName)!,
        { recorder: this.recorder, visibleMessages: () => queueDepth(this.queueView(queue)).visible },
      );
      this.mappings.push(esm);
      this.recorder?.declare(
        {
          namespace: MAPPING_METRICS.namespace,
          metric: MAPPING_METRICS.batchReaders,
          dimensions: { FunctionName: mapping.functionName },
          unit: "Count",
        },
        "gauge",
        () => (esm.isRunning ? esm.batchReaders : 0),
      );
      if (options.startMappings !== false) esm.start();
    }
    this.activityPeaks = this.sourceQueuePeaks();
    for (const [name, runtime] of this.runtimes) {
      const caps = deployed.mappings.filter((m) => m.functionName === name).map((m) => m.config.maximumConcurrency);
      const count = Math.min(this.options.prewarm ?? DEFAULT_PREWARMED_ENVIRONMENTS, ...caps);
      if (caps.length > 0 && count > 0) void runtime.prewarm(count);
    }
    this.recorder?.log({
      source: "cloud",
      message: `deployed ${deployed.resources.filter((r) => r.status === "emulated").length} emulated resources; not emulated: ${deployed.resources
        .filter((r) => r.status === "not emulated")
        .map((r) => r.type)
        .join(", ")}`,
    });
    if (this.options.writeState !== false) writeState(this.localRoot, this.state());
    return deployed;
  }

  /** Starts event source mappings deployed with startMappings: false (enabling them). */
  startMappings(): void {
    for (const esm of this.mappings) esm.start();
  }

  /** The state file's content (docs/CONTRACTS.md). */
  state(extra: Partial<EmbeddedCloudState> = {}): EmbeddedCloudState {
    const outputs = (this.deployed?.outputs ?? {}) as EmbeddedCloudState["outputs"];
    const keys = (principal: CloudPrincipal | undefined) =>
      principal && {
        arn: principal.identity.arn,
        accessKeyId: principal.identity.accessKeyId,
        secretAccessKey: principal.identity.secretAccessKey,
      };
    const producer = keys(this.deployed?.principals.producer);
    return {
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      region: this.region,
      endpoints: this.endpoints,
      outputs,
      credentials: { administrator: keys(this.administrator)!, ...(producer ? { producer } : {}) },
      iamEnforced: this.iam.enforced,
      ...extra,
    };
  }

  updateState(extra: Partial<EmbeddedCloudState>): void {
    if (this.options.writeState !== false) writeState(this.localRoot, this.state(extra));
  }

  /** Source queues of the event source mappings: visible + in flight, and invocations running. */
  backlog(): { visible: number; inFlight: number; running: number } {
    let visible = 0;
    let inFlight = 0;
    for (const esm of this.mappings) {
      const depth = queueDepth(this.queueView(esm.config.queueUrl));
      visible += depth.visible + depth.delayed;
      inFlight += depth.inFlight;
    }
    const running = [...this.runtimes.values()].reduce((n, r) => n + r.concurrentExecutions, 0);
    return { visible, inFlight, running };
  }

  /** Queues and table are kept on disk (--persist): what they hold outlives a stop. */
  get persists(): boolean {
    return this.options.persist === true;
  }

  /** The eventIds (else message ids) of every message the source queues still hold: not stored, not lost yet. */
  heldInSourceQueues(): Set<string> {
    const ids = new Set<string>();
    for (const esm of this.mappings)
      for (const id of heldMessageIds(this.queueView(esm.config.queueUrl), EVENT_ID_ATTRIBUTE)) ids.add(id);
    return ids;
  }

  /**
   * For a person watching a run: messages visible in the source queues now and, since the previous call, the most in
   * flight and the most invocations running at once (a batch received and deleted between two calls still counts), and
   * the batch readers the mappings allow.
   */
  activity(): { visible: number; inFlight: number; running: number; batchReaders: number } {
    this.activityPeaks ??= this.sourceQueuePeaks();
    return {
      visible: this.backlog().visible,
      inFlight: this.activityPeaks.reduce((n, peak) => n + peak.take(), 0),
      running: [...this.runtimes.values()].reduce((n, r) => n + r.takePeakConcurrency(), 0),
      batchReaders: this.mappings.reduce((n, m) => n + m.batchReaders, 0),
    };
  }

  private sourceQueuePeaks(): PeakSampler[] {
    const byQueue = new Map<string, PeakSampler[]>();
    for (const esm of this.mappings) {
      const url = esm.config.queueUrl;
      byQueue.set(url.slice(url.lastIndexOf("/") + 1), [
        new PeakSampler(() => queueDepth(this.queueView(url)).inFlight),
      ]);
    }
    sampleAfterCalls(this.sqsEmulator, byQueue);
    return [...byQueue.values()].flat();
  }

  /** Resolves once every source queue is empty and nothing is in flight or running, or rejects after timeoutMs. */
  async waitForDrain(
    timeoutMs: number,
    onTick?: (backlog: ReturnType<EmbeddedCloud["backlog"]>) => void,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quietSince: number | undefined;
    for (;;) {
      const backlog = this.backlog();
      onTick?.(backlog);
      if (backlog.visible === 0 && backlog.inFlight === 0 && backlog.running === 0) {
        // Twice in a row, 200 ms apart: a batch between receive and invoke shows as in flight, so this is enough.
        quietSince ??= Date.now();
        if (Date.now() - quietSince >= 200) return;
      } else quietSince = undefined;
      if (Date.now() > deadline)
        throw new Error(`the queue did not drain within ${Math.round(timeoutMs / 1000)} s: ${JSON.stringify(backlog)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private queueView(url: string) {
    const name = url.slice(url.lastIndexOf("/") + 1);
    return this.sqsEmulator.store?.getQueueByName(name);
  }

  /** SQS and DynamoDB metrics from the calls the emulators answer, as CloudWatch would count them. */
  private watchEmulators(): void {
    if (!this.recorder) return;
    recordSqsCalls(this.sqsEmulator, this.recorder);
    recordDynamoCalls(this.dynamoEmulator, this.recorder, () => this.deployed?.tables[0]?.name);
  }

  private declareQueueGauges(): void {
    if (this.recorder && this.deployed)
      declareStackGauges(this.recorder, this.deployed, this.sqsEmulator.store, this.sqsEmulator);
  }

  /** Stops pollers (finishing running batches), function environments, emulators, the recorder and the state file. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.mappings.map((m) => m.stop()));
    await Promise.all([...this.runtimes.values()].map((r) => r.stop()));
    this.recorder?.stop();
    this.alarms?.stop();
    this.sqs.destroy();
    this.dynamo.destroy();
    await Promise.all([this.sqsEmulator.close(), this.dynamoEmulator.close()]);
    if (this.options.writeState !== false) releaseStateFile(this.localRoot);
  }
}
