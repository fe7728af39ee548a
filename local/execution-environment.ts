import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Worker, type WorkerOptions } from "node:worker_threads";
import { OperatorError } from "../contracts";

/** A deployed function as the runtime needs it: where its code is and how Lambda would run it. */
export interface LocalFunction {
  name: string;
  arn: string;
  /** Absolute path of the written __index.js. */
  codePath: string;
  /** Lambda's handler string, e.g. "__index.handler". */
  handler: string;
  timeoutSeconds: number;
  memorySizeMb: number;
  /** The function's declared environment plus what the Lambda service adds (see runtimeEnvironment in deploy.ts). */
  environment: Record<string, string>;
}

export type InvokeOutcome =
  | { kind: "ok"; response: unknown; durationMs: number }
  | { kind: "error"; errorType: string; errorMessage: string; durationMs: number }
  | { kind: "timeout"; durationMs: number };

/** The function's code could not be loaded (syntax error, missing module, no such export). */
export class FunctionInitError extends OperatorError {
  constructor(functionName: string, errorType: string, errorMessage: string) {
    super(`function ${functionName} failed to initialise: ${errorType}: ${errorMessage}`);
  }
}

/** Faults injected into one environment by the Lambda service (faults/lambda-faults.ts), never by the function. */
interface EnvironmentFaults {
  /** The init phase fails. */
  failInit?: boolean;
  /** The first invocation errors before the handler runs. */
  failFirstInvocation?: boolean;
}

export interface EnvironmentHooks {
  /** Every line the function writes to stdout or stderr (logs and EMF). */
  onOutput(line: string, stream: "stdout" | "stderr"): void;
}

const WORKER_FILE = join(__dirname, "lambda-runtime-worker.js");
/** Lambda gives the init phase 10 s of its own (a longer function timeout applies if set). */
const INIT_TIMEOUT_SECONDS = 10;

/**
 * One execution environment: a worker thread holding one loaded copy of the function, running one invocation at a
 * time. A timeout terminates the thread (its state is gone, as in Lambda), so the next invocation needs a new
 * environment and pays a new cold start.
 */
export class ExecutionEnvironment {
  readonly id = randomUUID();
  private worker: Worker | undefined;
  private state: "new" | "idle" | "busy" | "dead" = "new";
  /** Milliseconds the init phase took (the cold start), once started. */
  initMs = 0;
  lastUsed = Date.now();
  private pending:
    | { requestId: string; resolve: (outcome: InvokeOutcome) => void; timer: NodeJS.Timeout; started: number }
    | undefined;

  constructor(
    private readonly fn: LocalFunction,
    private readonly hooks: EnvironmentHooks,
    private readonly faults: EnvironmentFaults = {},
  ) {}

  get isAlive(): boolean {
    return this.state === "idle" || this.state === "busy";
  }
  get isBusy(): boolean {
    return this.state === "busy";
  }

  /** The init phase: start the thread, load the code once. Resolves with the cold-start time. */
  start(): Promise<number> {
    const started = performance.now();
    const worker = new Worker(WORKER_FILE, workerOptions(this.fn, this.faults));
    this.worker = worker;
    for (const stream of ["stdout", "stderr"] as const) {
      createInterface({ input: worker[stream], crlfDelay: Infinity }).on("line", (line) =>
        this.hooks.onOutput(line, stream),
      );
    }
    return new Promise<number>((resolve, reject) => {
      const initSeconds = Math.max(INIT_TIMEOUT_SECONDS, this.fn.timeoutSeconds);
      const initTimer = setTimeout(() => {
        void this.terminate();
        reject(new FunctionInitError(this.fn.name, "InitTimeout", `init did not finish within ${initSeconds} s`));
      }, initSeconds * 1000);
      worker.on("message", (message: WorkerMessage) => {
        if (message.type === "ready") {
          clearTimeout(initTimer);
          this.initMs = performance.now() - started;
          if (message.error) {
            void this.terminate();
            reject(new FunctionInitError(this.fn.name, message.error.errorType, message.error.errorMessage));
            return;
          }
          this.state = "idle";
          resolve(this.initMs);
        } else if (message.type === "result") {
          this.settle(
            message.requestId,
            message.ok
              ? { kind: "ok", response: message.response, durationMs: message.durationMs }
              : { kind: "error", ...message.error!, durationMs: message.durationMs },
          );
        }
      });
      worker.on("error", (error) => {
        clearTimeout(initTimer);
        // An uncaught exception in the function's own async code kills the environment, as in Lambda.
        this.failPending(error.name, error.message);
        this.state = "dead";
        reject(new FunctionInitError(this.fn.name, error.name, error.message));
      });
      worker.on("exit", () => {
        clearTimeout(initTimer);
        this.failPending("Runtime.ExitError", "the environment exited during the invocation");
        this.state = "dead";
      });
    });
  }

  /** Runs one invocation; resolves (never rejects) with what happened. */
  /** crash: injected, the environment dies once the handler has run, before its response (Runtime.ExitError). */
  invoke(event: unknown, requestId: string = randomUUID(), crash = false): Promise<InvokeOutcome> {
    if (this.state !== "idle" || !this.worker)
      throw new Error(`environment ${this.id} is ${this.state}, cannot invoke`);
    this.state = "busy";
    const started = performance.now();
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    return new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => {
        // Lambda: "Task timed out after N seconds", and the environment is discarded.
        const pending = this.pending;
        this.pending = undefined;
        void this.terminate();
        pending?.resolve({ kind: "timeout", durationMs: performance.now() - started });
      }, timeoutMs);
      this.pending = { requestId, resolve, timer, started };
      this.worker!.postMessage({ type: "invoke", requestId, event, deadline: Date.now() + timeoutMs, crash });
    });
  }

  /** The environment died: the invocation in progress, if any, ends with this error. */
  private failPending(errorType: string, errorMessage: string): void {
    if (!this.pending) return;
    const durationMs = performance.now() - this.pending.started;
    this.settle(this.pending.requestId, { kind: "error", errorType, errorMessage, durationMs });
  }

  private settle(requestId: string, outcome: InvokeOutcome): void {
    const pending = this.pending;
    if (!pending || pending.requestId !== requestId) return;
    clearTimeout(pending.timer);
    this.pending = undefined;
    this.lastUsed = Date.now();
    if (this.state === "busy") this.state = "idle";
    pending.resolve(outcome);
  }

  async terminate(): Promise<void> {
    this.state = "dead";
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}

/**
 * The V8 heap Lambda's Node.js runtime gives a function of this memory size: its bootstrap starts node with
 * --max-semi-space-size of a twentieth of the memory and --max-old-space-size of the memory less a tenth. A worker's
 * young generation is three semi-spaces (two and the new large-object space), as V8 sizes it.
 */
export function lambdaHeapLimits(memorySizeMb: number): {
  maxOldGenerationSizeMb: number;
  maxYoungGenerationSizeMb: number;
} {
  const newSpace = Math.floor(memorySizeMb / 10);
  const semiSpace = Math.floor(newSpace / 2);
  return { maxOldGenerationSizeMb: memorySizeMb - newSpace, maxYoungGenerationSizeMb: 3 * semiSpace };
}

/** How the thread of one environment runs: the function's environment, code and memory, as Lambda gives them. */
function workerOptions(fn: LocalFunction, faults: EnvironmentFaults): WorkerOptions {
  return {
    env: fn.environment,
    // Plain Node, as in Lambda: without this the thread inherits this process's flags, and under tsx that means
    // tsx's require and import hooks, which then inspect every module the function loads during its cold start.
    // Both lambda-runtime-worker.js and the function's __index.js are plain JavaScript.
    execArgv: [],
    stdout: true,
    stderr: true,
    resourceLimits: lambdaHeapLimits(fn.memorySizeMb),
    workerData: {
      codePath: fn.codePath,
      handlerName: fn.handler,
      functionName: fn.name,
      functionVersion: "$LATEST",
      memoryLimitInMB: fn.memorySizeMb,
      invokedFunctionArn: fn.arn,
      logGroupName: fn.environment.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: fn.environment.AWS_LAMBDA_LOG_STREAM_NAME,
      initFault: faults.failInit === true,
      failFirstInvocation: faults.failFirstInvocation === true,
    },
  };
}

type WorkerMessage =
  | { type: "ready"; initMs: number; error?: { errorType: string; errorMessage: string } }
  | {
      type: "result";
      requestId: string;
      ok: boolean;
      response?: unknown;
      error?: { errorType: string; errorMessage: string };
      durationMs: number;
    };
