import { randomUUID } from "node:crypto";
import { LAMBDA_METRICS, LOGS_METRICS } from "../contracts";
import {
  ExecutionEnvironment,
  type FunctionInitError,
  type InvokeOutcome,
  type LocalFunction,
} from "./execution-environment";
import { parseFunctionLine } from "./function-output";
import type { RunRecorder, SeriesKey } from "./recorder";

export interface LambdaServiceOptions {
  recorder?: RunRecorder;
  /** Idle environments are discarded after this long (Lambda keeps them for minutes; locally, memory matters more). */
  idleMs?: number;
  /** Called with each structured log line the function writes, for callers that follow a run (the CLI). */
  onLog?: (record: Record<string, unknown>) => void;
  /** Injected Lambda failures (--faults lambda-crash, lambda-init-fail, lambda-first-invoke-error): faults/lambda-faults.ts. */
  faults?: LambdaFaults;
}

/** The Lambda service's own failures, decided per cold start and per invocation. */
export interface LambdaFaults {
  /** This cold start fails (the environment is discarded). */
  failInit(): boolean;
  /** This new environment's first invocation errors before the handler runs. */
  failFirstInvocation(): boolean;
  /** This invocation's environment dies after the handler ran, before the response. */
  crash(event: object): boolean;
  /** An invocation met a failed init (to note which messages it hit). */
  initFailed(event: object, error: Error): void;
  /** An invocation errored or timed out (to note which messages it hit). */
  failed(event: object, outcome: InvokeOutcome): void;
}

/** What one invocation did, for the event source mapping and for statistics. */
export interface InvocationResult {
  requestId: string;
  outcome: InvokeOutcome;
  coldStart: boolean;
  initMs?: number;
}

/**
 * The Lambda service for one function: a pool of execution environments (reused while warm, started on demand with
 * a timed cold start), the AWS/Lambda metrics of every invocation, and the function's output routed to the record.
 * It does not limit concurrency itself: the event source mapping's maximumConcurrency does, as in Lambda.
 */
export class LambdaService {
  private readonly idle: ExecutionEnvironment[] = [];
  /** Environments started by prewarm() and still in their init phase; an invocation may claim one. */
  private readonly warming: Array<{ env: ExecutionEnvironment; ready: Promise<number>; claimed: boolean }> = [];
  private readonly all = new Set<ExecutionEnvironment>();
  private busy = 0;
  private starting = 0;
  /** Highest number of simultaneous invocations since the recorder last sampled it. */
  private peakBusy = 0;
  /** The same since takePeakConcurrency() was last called (the CLI's status line). */
  private peakBusyForStatus = 0;
  private reaper: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly stats = {
    invocations: 0,
    errors: 0,
    timeouts: 0,
    coldStarts: 0,
    initMs: [] as number[],
    /** performance.now() when each cold start finished (the benchmark's steady state begins after the last). */
    initEndedAt: [] as number[],
    batchSizes: [] as number[],
    peakConcurrency: 0,
  };

  constructor(
    readonly fn: LocalFunction,
    private readonly options: LambdaServiceOptions = {},
  ) {
    const recorder = options.recorder;
    if (recorder) {
      for (const metric of [LAMBDA_METRICS.invocations, LAMBDA_METRICS.errors, LAMBDA_METRICS.throttles])
        recorder.declare(this.metric(metric, "Count"), "counter");
      recorder.declare(this.metric(LAMBDA_METRICS.duration, "Milliseconds"), "distribution");
      recorder.declare(this.logMetric(LOGS_METRICS.incomingBytes, "Bytes"), "counter");
      recorder.declare(this.logMetric(LOGS_METRICS.incomingLogEvents, "Count"), "counter");
      recorder.declare(this.metric(LAMBDA_METRICS.concurrentExecutions, "Count"), "gauge", () => {
        const peak = this.peakBusy;
        this.peakBusy = this.busy;
        return peak;
      });
    }
    const idleMs = options.idleMs ?? 60_000;
    this.reaper = setInterval(() => this.reapIdle(idleMs), Math.min(idleMs, 5_000));
    this.reaper.unref();
  }

  private metric(metric: string, unit: string): SeriesKey {
    return { namespace: LAMBDA_METRICS.namespace, metric, dimensions: { FunctionName: this.fn.name }, unit };
  }

  /** The function's log group, as CloudWatch Logs meters what it ingests. */
  private logMetric(metric: string, unit: string): SeriesKey {
    const logGroup = this.fn.environment.AWS_LAMBDA_LOG_GROUP_NAME ?? `/aws/lambda/${this.fn.name}`;
    return { namespace: LOGS_METRICS.namespace, metric, dimensions: { LogGroupName: logGroup }, unit };
  }

  /**
   * One log event as CloudWatch Logs would ingest it: every line the function writes (its logs and its EMF documents
   * alike) and the lines the Lambda service adds per invocation.
   */
  private ingest(bytes: number): void {
    const recorder = this.options.recorder;
    if (!recorder) return;
    recorder.count(this.logMetric(LOGS_METRICS.incomingBytes, "Bytes"), bytes);
    recorder.count(this.logMetric(LOGS_METRICS.incomingLogEvents, "Count"), 1);
  }

  /**
   * Lambda's own lines for an invocation in the Text log format: START, END and REPORT (the REPORT with Init Duration
   * after a cold start). Only their size is recorded; Max Memory Used is not measured here, so the memory size stands
   * in for it.
   */
  private ingestPlatformLines(requestId: string, durationMs: number, initMs: number | undefined): void {
    const memory = this.fn.memorySizeMb;
    this.ingest(Buffer.byteLength(`START RequestId: ${requestId} Version: $LATEST`));
    this.ingest(Buffer.byteLength(`END RequestId: ${requestId}`));
    this.ingest(
      Buffer.byteLength(
        `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\t` +
          `Memory Size: ${memory} MB\tMax Memory Used: ${memory} MB\t` +
          (initMs === undefined ? "" : `Init Duration: ${initMs.toFixed(2)} ms\t`),
      ),
    );
  }

  get concurrentExecutions(): number {
    return this.busy;
  }
  /** The most invocations that ran at once since the last call, those running now included. */
  takePeakConcurrency(): number {
    const peak = Math.max(this.peakBusyForStatus, this.busy);
    this.peakBusyForStatus = this.busy;
    return peak;
  }
  /**
   * Whether an invocation started now would run without waiting for another environment's init: an environment is
   * idle, or the one prewarm started is still unclaimed, or no init is under way (it would start its own).
   */
  get canStartInvocation(): boolean {
    return this.idle.some((env) => env.isAlive) || this.warming.some((w) => !w.claimed) || this.starting === 0;
  }

  private takeIdle(): ExecutionEnvironment | undefined {
    for (let env = this.idle.pop(); env; env = this.idle.pop()) if (env.isAlive) return env;
    return undefined;
  }

  /** Starts one environment's init phase, counting it as initialising until it is ready or failed. */
  private startEnvironment(): { env: ExecutionEnvironment; ready: Promise<number> } {
    const env: ExecutionEnvironment = new ExecutionEnvironment(
      this.fn,
      { onOutput: (line, stream) => this.onOutput(line, stream, env.id) },
      {
        failInit: this.options.faults?.failInit(),
        failFirstInvocation: this.options.faults?.failFirstInvocation(),
      },
    );
    this.all.add(env);
    this.starting += 1;
    const ready = env.start().then(
      (initMs) => {
        this.starting -= 1;
        this.stats.coldStarts += 1;
        this.stats.initMs.push(initMs);
        this.stats.initEndedAt.push(performance.now());
        this.options.recorder?.log({
          source: "cloud",
          message: `cold start of ${this.fn.name} in environment ${env.id.slice(0, 8)}: init ${initMs.toFixed(0)} ms`,
        });
        return initMs;
      },
      (error: unknown) => {
        this.starting -= 1;
        this.all.delete(env);
        throw error;
      },
    );
    return { env, ready };
  }

  /**
   * Lambda's proactive initialization: environments started ahead of the first invocations, one after another, so
   * the first batches do not wait for a cold start and the laptop's cores do not run several inits at once. An
   * invocation that finds no idle environment takes one still initialising rather than starting another.
   */
  async prewarm(count: number): Promise<void> {
    for (let i = 0; i < count && !this.stopped && this.all.size < count; i++) {
      // One init at a time, whoever started it.
      while (this.starting > 0 && !this.stopped) await new Promise((resolve) => setTimeout(resolve, 50));
      if (this.stopped || this.all.size >= count) return;
      const warming = { ...this.startEnvironment(), claimed: false };
      this.warming.push(warming);
      try {
        await warming.ready;
        if (!warming.claimed && warming.env.isAlive && !this.stopped) this.idle.push(warming.env);
      } catch {
        return; // The code cannot load: the first invocation will report why.
      } finally {
        this.warming.splice(this.warming.indexOf(warming), 1);
      }
    }
  }

  /** Invokes the function once with this event, in a warm environment if one is idle, else after a cold start. */
  async invoke(event: object & { Records?: unknown[] }): Promise<InvocationResult> {
    if (this.stopped) throw new Error(`function ${this.fn.name} is stopped`);
    const requestId = randomUUID();
    this.busy += 1;
    this.peakBusy = Math.max(this.peakBusy, this.busy);
    this.peakBusyForStatus = Math.max(this.peakBusyForStatus, this.busy);
    this.stats.peakConcurrency = Math.max(this.stats.peakConcurrency, this.busy);
    const recorder = this.options.recorder;
    recorder?.count(this.metric(LAMBDA_METRICS.invocations, "Count"));
    this.stats.invocations += 1;
    if (Array.isArray(event.Records)) this.stats.batchSizes.push(event.Records.length);
    let env = this.takeIdle();
    // One init at a time: while another environment initialises, wait for it or for a busy one to come back, then
    // start a new one only if still nothing is free.
    while (!env && this.starting > 0 && !this.warming.some((w) => !w.claimed) && !this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      env = this.takeIdle();
    }
    let coldStart = false;
    let outcome: InvokeOutcome;
    try {
      if (!env) {
        coldStart = true;
        const warming = this.warming.find((w) => !w.claimed);
        if (warming) warming.claimed = true;
        const started = warming ?? this.startEnvironment();
        env = started.env;
        try {
          await started.ready;
        } catch (error) {
          const init = error as FunctionInitError;
          this.options.faults?.initFailed(event, init);
          outcome = { kind: "error", errorType: init.name, errorMessage: init.message, durationMs: 0 };
          return this.finish(requestId, outcome, coldStart, undefined);
        }
      }
      outcome = await env.invoke(event, requestId, this.options.faults?.crash(event));
      if (outcome.kind !== "ok") this.options.faults?.failed(event, outcome);
      return this.finish(requestId, outcome, coldStart, coldStart ? env.initMs : undefined);
    } finally {
      this.busy -= 1;
      if (env?.isAlive && !this.stopped) this.idle.push(env);
      else if (env) this.all.delete(env);
    }
  }

  private finish(
    requestId: string,
    outcome: InvokeOutcome,
    coldStart: boolean,
    initMs: number | undefined,
  ): InvocationResult {
    const recorder = this.options.recorder;
    recorder?.observe(this.metric(LAMBDA_METRICS.duration, "Milliseconds"), outcome.durationMs);
    this.ingestPlatformLines(requestId, outcome.durationMs, initMs);
    if (outcome.kind !== "ok") {
      this.stats.errors += 1;
      if (outcome.kind === "timeout") this.stats.timeouts += 1;
      recorder?.count(this.metric(LAMBDA_METRICS.errors, "Count"));
      const message =
        outcome.kind === "timeout"
          ? `${requestId} Task timed out after ${this.fn.timeoutSeconds.toFixed(2)} seconds`
          : `${requestId} invocation failed: ${outcome.errorType}: ${outcome.errorMessage}`;
      recorder?.log({ source: "cloud", level: "ERROR", functionName: this.fn.name, requestId, message });
    }
    return { requestId, outcome, coldStart, initMs };
  }

  private onOutput(line: string, stream: "stdout" | "stderr", environmentId: string): void {
    const recorder = this.options.recorder;
    if (line !== "") this.ingest(Buffer.byteLength(line));
    const parsed = parseFunctionLine(line);
    if (parsed.kind === "emf") {
      for (const m of parsed.metrics) {
        const key = { namespace: m.namespace, metric: m.metric, dimensions: m.dimensions, unit: m.unit };
        // Counts add up within a second; timings keep every value for percentiles.
        if (m.unit === "Count")
          recorder?.count(
            key,
            m.values.reduce((a, b) => a + b, 0),
          );
        else for (const v of m.values) recorder?.observe(key, v);
      }
    } else if (parsed.kind === "log") {
      recorder?.log({
        source: "function",
        functionName: this.fn.name,
        environment: environmentId.slice(0, 8),
        ...parsed.record,
      });
      this.options.onLog?.(parsed.record);
    } else if (parsed.message.trim() !== "") {
      recorder?.log({
        source: "function",
        functionName: this.fn.name,
        environment: environmentId.slice(0, 8),
        stream,
        message: parsed.message,
      });
    }
  }

  private reapIdle(idleMs: number): void {
    const now = Date.now();
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const env = this.idle[i]!;
      if (now - env.lastUsed > idleMs) {
        this.idle.splice(i, 1);
        this.all.delete(env);
        void env.terminate();
      }
    }
  }

  /** Terminates every environment (running invocations end as errors: call after the pollers have stopped). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reaper) clearInterval(this.reaper);
    const envs = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(envs.map((env) => env.terminate()));
  }
}
