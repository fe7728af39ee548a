/**
 * Lambda init of the consumer's archive: module load and handler construction, cold, each run in a fresh `node`
 * process (not this one, not the test runner's, not tsx), with the archive unpacked as Lambda unpacks it into
 * /var/task beside an SDK-only node_modules standing for the runtime's. Where it goes: the same process loads the
 * libraries one by one in the order the function loads them (Powertools Metrics, valibot, Powertools batch and Logger
 * at module scope; the SDK clients in the factory), so each step's time is what that library adds to the ones before.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOCAL_CREDENTIALS, LOCAL_REGION, PROJECT_ROOT, type SynthesizedCode } from "../contracts";
import { unpackArchive } from "../engine";

/** The libraries the consumer loads, in its order: four at module scope, the SDK's DynamoDB two in the factory. */
export const INIT_STEPS = [
  "@aws-lambda-powertools/metrics",
  "valibot",
  "@aws-lambda-powertools/batch",
  "@aws-lambda-powertools/logger",
  "@aws-sdk/client-dynamodb",
  "@aws-sdk/lib-dynamodb",
] as const;

/** Loaded by an environment's first rejected record, not at init: the client for the DLQ send. */
export const FIRST_REJECTION_STEP = "@aws-sdk/client-sqs";

/**
 * Run in the fresh process with the task folder as working directory: requires each step (when asked), then
 * __index.js, whose load runs the CallbackFunction's factory (the handler's construction), and prints the times.
 */
const MEASURE = `
const steps = JSON.parse(process.argv[1]);
const times = {};
const started = performance.now();
for (const step of steps) {
  const t = performance.now();
  require(require.resolve(step, { paths: [process.cwd()] }));
  times[step] = performance.now() - t;
}
const t = performance.now();
const { handler } = require("./__index.js");
if (typeof handler !== "function") throw new Error("__index.js exports no handler");
times.handler = performance.now() - t;
const initMs = performance.now() - started;
const sinceProcessStartMs = performance.now();
const s = performance.now();
require(require.resolve(${JSON.stringify(FIRST_REJECTION_STEP)}, { paths: [process.cwd()] }));
times.firstRejection = performance.now() - s;
process.stdout.write(JSON.stringify({ initMs, sinceProcessStartMs, times }));
`;

export interface InitRun {
  initMs: number;
  sinceProcessStartMs: number;
  times: Record<string, number>;
}

export interface LambdaInitResult {
  runs: number;
  /** Module load and handler construction, each run in a fresh process. */
  initMs: number[];
  medianInitMs: number;
  /** The same, plus Node's own start before the first line of code. */
  medianSinceProcessStartMs: number;
  /**
   * Median of what each library added, loaded in the function's order; `handler` is the rest of __index.js;
   * `firstRejection` what the SQS client's package adds when the first rejected record loads it.
   */
  medianStepMs: Record<string, number>;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Unpacks the archive as /var/task beside /var/runtime/node_modules/@aws-sdk and measures `runs` cold inits. */
export function measureLambdaInit(
  code: Pick<SynthesizedCode, "indexJs" | "paths">,
  environment: Record<string, string>,
  runs = 11,
): LambdaInitResult {
  const dir = mkdtempSync(join(tmpdir(), "vehicle-init-"));
  try {
    mkdirSync(join(dir, "runtime", "node_modules"), { recursive: true });
    symlinkSync(
      join(PROJECT_ROOT, "node_modules", "@aws-sdk"),
      join(dir, "runtime", "node_modules", "@aws-sdk"),
      "dir",
    );
    const task = join(dir, "runtime", "task");
    unpackArchive(code, task);
    const env = {
      PATH: process.env.PATH ?? "",
      ...environment,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      // nodejs22.x prints no Node 20 end-of-support notice; this machine's Node 20 would.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    const run = (steps: readonly string[]): InitRun =>
      JSON.parse(
        execFileSync(process.execPath, ["-e", MEASURE, JSON.stringify(steps)], { cwd: task, env, encoding: "utf8" }),
      );
    // Interleaved, so a change in the machine's speed during the benchmark (this one varies by a third from minute
    // to minute) weighs on both series alike.
    const whole: InitRun[] = [];
    const stepped: InitRun[] = [];
    for (let i = 0; i < runs; i++) {
      whole.push(run([]));
      stepped.push(run(INIT_STEPS));
    }
    const stepNames = [...INIT_STEPS, "handler", "firstRejection"];
    return {
      runs,
      initMs: whole.map((r) => Number(r.initMs.toFixed(1))),
      medianInitMs: median(whole.map((r) => r.initMs)),
      medianSinceProcessStartMs: median(whole.map((r) => r.sinceProcessStartMs)),
      medianStepMs: Object.fromEntries(stepNames.map((name) => [name, median(stepped.map((r) => r.times[name]!))])),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
