// The embedded cloud's commands, `run` and `up`; local/cli.ts is the entry point that loads this module.

import { parseArgs } from "node:util";
import {
  DEFAULT_LOCAL_ROOT,
  localEnvironment,
  localLayout,
  parseCount,
  parseDuration,
  parseInteger,
  parseInvalidRatio,
  parseProfile,
  parseRate,
  parseSeed,
  releaseStateFile,
  SYNTH_CACHE_DIR,
  stackFileNamed,
  UsageError,
} from "../contracts";
import { withFaultWidgets } from "../dashboard/fault-widgets";
import { dashboardBodyFromStack, NoDashboardError } from "../dashboard/stack-body";
import { EmbeddedCloud } from "./cloud";
import { formatFaultLines, parseFaultFlags } from "./faults/cli-flags";
import type { FaultSettings } from "./faults/injector";
import { latencySummary, type PipelineRunResult, type RunLoad, runPipeline } from "./pipeline-run";
import { synthesizeStack } from "./stack-source";
import { type HeldMessages, REPEATED_SIGNAL_MS, StopControl } from "./stop-control";

const USAGE = `The vehicle pipeline on this machine: SQS (fauxqs) and DynamoDB (dynalite) on 127.0.0.1, the Pulumi
program deployed into them, the consumer run the way Lambda runs it.

Usage:
  npm start [-- options]              = tsx local/cli.ts run: deploy, produce, drain, verify, exit 0 if verified
  npm run local -- up [options]       deploy and stay up until Ctrl-C, printing endpoints and AWS CLI settings

run options (passed to the producer):
  --rate <r>            messages per second, e.g. 200/s, or max            (default 200/s)
  --duration <d>        how long to produce, e.g. 30s, 2m                   (default 30s)
  --count <n>           stop after n messages (instead of --duration)
  --profile <phases>    stepped rates, e.g. "50/s:20s,400/s:40s,0/s:10s" (replaces --rate/--duration)
  --invalid-ratio <x>   share of malformed messages, 0 to 1                 (default 0.02)
  --seed <n>            reproducible vehicles

both:
  --persist             keep DynamoDB data on disk under .local/dynamodb
  --port <n>            fix the ports: SQS on n, DynamoDB on n+1          (default: free ports)
  --stack <name>        read the settings from Pulumi.<name>.yaml, as \`pulumi up\` does  (default dev;
                        Pulumi.faults.yaml has short timeouts so redeliveries happen within seconds)
  --faults <spec>       inject AWS's failure modes, a comma list of kind=rate (share of eligible calls, 0 to 1):
                        ddb-throttle, ddb-5xx, ddb-lost-ack, ddb-slow (PutItem), sqs-duplicate, sqs-delete-fail
                        (the event source mapping), lambda-crash, lambda-init-fail, dlq-send-fail (SendMessage
                        to a DLQ); e.g. --faults ddb-throttle=0.05,lambda-crash=0.02
  --faults-seed <n>     seed the faults' dice, so a run is reproducible   (default: random, printed)
  --help                this text

Stack settings (batch size, concurrency, timeouts, ...) come from Pulumi.<stack>.yaml, as for \`pulumi up\`.`;

/** A bad flag; the message names it and shows an accepted value. */
export class CliArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliArgsError";
  }
}

export interface CliArgs {
  command: "run" | "up" | "help";
  load: RunLoad;
  persist: boolean;
  port: number | undefined;
  /** --stack: the stack whose settings are deployed (undefined: dev, or $PULUMI_STACK). */
  stackName?: string;
  faults?: FaultSettings;
}

const DEFAULT_RUN = { rate: 200, durationMs: 30_000, invalidRatio: 0.02 } as const;

function parseCliFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      rate: { type: "string" },
      duration: { type: "string" },
      count: { type: "string" },
      profile: { type: "string" },
      "invalid-ratio": { type: "string" },
      seed: { type: "string" },
      persist: { type: "boolean", default: false },
      port: { type: "string" },
      stack: { type: "string" },
      faults: { type: "string" },
      "faults-seed": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
}

export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parseCliFlags>;
  try {
    parsed = parseCliFlags(argv);
  } catch (error) {
    throw new CliArgsError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const command = values.help ? "help" : (positionals[0] ?? "run");
  if (command !== "run" && command !== "up" && command !== "help")
    throw new CliArgsError(`unknown command "${command}": expected run or up`);
  if (positionals.length > 1) throw new CliArgsError(`unexpected argument "${positionals[1]}"`);
  const load: RunLoad = {};
  let port: number | undefined;
  let faults: FaultSettings | undefined;
  let stackName: string | undefined;
  try {
    faults = parseFaultFlags(values.faults, values["faults-seed"]);
    if (values.stack !== undefined) {
      stackFileNamed(values.stack);
      stackName = values.stack;
    }
    if (values.profile !== undefined) {
      if (values.rate !== undefined || values.duration !== undefined)
        throw new CliArgsError("--profile replaces --rate and --duration: give one or the other");
      load.profile = parseProfile(values.profile);
    } else {
      load.rate = values.rate !== undefined ? parseRate(values.rate, "--rate", { allowMax: true }) : DEFAULT_RUN.rate;
      if (values.duration !== undefined) load.durationMs = parseDuration(values.duration);
      else if (values.count === undefined) load.durationMs = DEFAULT_RUN.durationMs;
    }
    // The shared parsers, so `npm start` accepts and rejects exactly what `tsx producer` does.
    if (values.count !== undefined) load.count = parseCount(values.count);
    load.invalidRatio =
      values["invalid-ratio"] !== undefined ? parseInvalidRatio(values["invalid-ratio"]) : DEFAULT_RUN.invalidRatio;
    if (values.seed !== undefined) load.seed = parseSeed(values.seed);
    if (values.port !== undefined)
      port = parseInteger(values.port, "--port", 1, 65_534, "4566 (DynamoDB takes the next one)");
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof CliArgsError ||
      (error instanceof Error && ["FaultSpecError", "StackNameError"].includes(error.name))
    )
      throw new CliArgsError(error.message);
    throw error;
  }
  return { command, load, persist: values.persist ?? false, port, stackName, faults };
}

/** The lines that let the AWS CLI and SDKs reach the embedded cloud. */
function environmentLines(endpoints: { sqs: string; dynamodb: string }, region: string): string[] {
  return Object.entries(localEnvironment(endpoints, region)).map(([name, value]) => `export ${name}=${value}`);
}

/**
 * Starts the local dashboard on the run's record when the program declares a dashboard, with a row for the injected
 * faults when there are any; never fails the run.
 */
async function startDashboard(
  cloud: EmbeddedCloud,
  stack: Parameters<typeof dashboardBodyFromStack>[0],
): Promise<{ url: string; close(): Promise<void> } | undefined> {
  if (!cloud.recorder) return undefined;
  let body: string;
  try {
    body = withFaultWidgets(dashboardBodyFromStack(stack), cloud.faults?.injector.kinds ?? []);
  } catch (error) {
    if (error instanceof NoDashboardError) return undefined;
    throw error;
  }
  try {
    const { startDashboardServer } = await import("../dashboard/index.js");
    const server = await startDashboardServer({ runDir: cloud.recorder.folder, dashboardBody: body });
    cloud.updateState({ dashboardUrl: server.url });
    return server;
  } catch (error) {
    process.stderr.write(`local dashboard not started: ${(error as Error).message}\n`);
    return undefined;
  }
}

function table(rows: [string, string | number][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n");
}

function formatRunSummary(result: PipelineRunResult): string {
  const v = result.verification;
  const p = result.producer;
  const latency = latencySummary(result.latenciesMs);
  const lines = [
    "",
    `VERIFICATION ${v.ok ? "PASSED" : "FAILED"}`,
    table([
      ["sent", `${v.sent} (${v.valid} valid, ${v.invalid} malformed)`],
      ["stored exactly once, right content", `${v.storedCorrectly} of ${v.valid}`],
      ["in DLQ with the right reason", `${v.deadLetteredCorrectly} of ${v.invalid}  ${JSON.stringify(v.dlqByCode)}`],
      ["lost", v.lost],
      ["duplicated", v.duplicated],
      ["wrong content or reason", v.mismatched],
      ["misrouted", v.misrouted],
      [
        "dead-lettered after receives",
        `${v.deadLetteredAfterReceives} (moved by the redrive policy: not lost, not stored)`,
      ],
      ["extra DLQ copies", v.extraDlqCopies],
      ["left in queue", v.leftInQueue],
      ["unexpected (not from this run)", v.unexpected],
    ]),
    "",
    "RUN",
    table([
      ["producer", `${p.sent} sent at ${p.achievedRate.toFixed(1)}/s, ${p.failed} failed, ${p.retried} retried`],
      [
        "send-to-stored latency",
        latency.count
          ? `p50 ${latency.p50} ms, p90 ${latency.p90} ms, p99 ${latency.p99} ms, max ${latency.max} ms`
          : "-",
      ],
      [
        "time to first stored item",
        result.timeToFirstStoredMs === undefined ? "-" : `${(result.timeToFirstStoredMs / 1000).toFixed(2)} s`,
      ],
      [
        "Lambda",
        `${result.lambda.invocations} invocations, ${result.lambda.errors} errors, ` +
          `${result.lambda.coldStarts} cold starts, peak concurrency ${result.lambda.peakConcurrency}`,
      ],
      [
        "event source mapping",
        `peak ${result.mapping.peakPollers} pollers, ${result.mapping.scaleOuts} scale-outs, ` +
          `${result.mapping.scaleIns} scale-ins, ${result.mapping.retriedBatches} batches left for retry`,
      ],
      ["record", result.folder ?? "-"],
    ]),
  ];
  if (result.faults) lines.push("", ...formatFaultLines(result.faults, v));
  if (v.problems.length > 0) lines.push("", "PROBLEMS", ...v.problems.map((x) => `  ${x}`));
  return lines.join("\n");
}

async function run(args: CliArgs): Promise<number> {
  const abort = new AbortController();
  let interruptedAt: number | undefined;
  process.on("SIGINT", () => {
    if (interruptedAt !== undefined) {
      // One Ctrl-C through `npm start` arrives twice within milliseconds (tsx relays it): only a later one quits.
      if (Date.now() - interruptedAt < REPEATED_SIGNAL_MS) return;
      releaseStateFile(DEFAULT_LOCAL_ROOT);
      process.exit(130);
    }
    interruptedAt = Date.now();
    process.stderr.write("\nstopping the producer; draining and verifying what was sent (Ctrl-C again to quit now)\n");
    abort.abort();
  });
  let dashboard: { url: string; close(): Promise<void> } | undefined;
  const result = await runPipeline({
    load: args.load,
    persist: args.persist,
    sqsPort: args.port,
    dynamoPort: args.port === undefined ? undefined : args.port + 1,
    stackName: args.stackName,
    faults: args.faults,
    signal: abort.signal,
    onProgress: (line) => console.log(line),
    onDeployed: async (cloud, _deployed, stack) => {
      dashboard = await startDashboard(cloud, stack);
      if (dashboard) console.log(`local dashboard: ${dashboard.url}`);
    },
  });
  await dashboard?.close();
  console.log(formatRunSummary(result));
  return result.verification.ok ? 0 : 1;
}

/** What the cloud's queues hold: the mapped queues' backlog, and every other queue (the DLQ). */
function heldMessages(cloud: EmbeddedCloud): HeldMessages {
  const { visible, inFlight } = cloud.backlog();
  const mapped = new Set(cloud.mappings.map((m) => m.config.queueUrl.slice(m.config.queueUrl.lastIndexOf("/") + 1)));
  let elsewhere = 0;
  for (const queue of cloud.deployed?.queues ?? []) {
    if (mapped.has(queue.name)) continue;
    const view = cloud.sqsEmulator.store?.getQueueByName(queue.name);
    for (const attribute of [
      "ApproximateNumberOfMessages",
      "ApproximateNumberOfMessagesNotVisible",
      "ApproximateNumberOfMessagesDelayed",
    ])
      elsewhere += Number(view?.getAttribute(attribute) ?? 0);
  }
  return { queued: visible, inFlight, elsewhere };
}

function restoredLine(cloud: EmbeddedCloud): string {
  const restored = [...(cloud.sqsEmulator.journal?.restored ?? [])];
  const file = localLayout(cloud.localRoot).sqsJournal;
  if (restored.length === 0) return `yes, in ${file} (nothing to restore)`;
  return `yes, in ${file}; restored ${restored.map(([name, n]) => `${n} in ${name}`).join(", ")}`;
}

async function up(args: CliArgs): Promise<number> {
  // VEHICLE_PIPELINE_LOCAL_ROOT: another .local folder inside the repository (tests run their own clouds in one).
  const localRoot = process.env.VEHICLE_PIPELINE_LOCAL_ROOT ?? DEFAULT_LOCAL_ROOT;
  // Listening before the cloud starts: a Ctrl-C during synthesis or deploy still cleans up.
  const stop = new StopControl({
    persist: args.persist,
    journal: localLayout(localRoot).sqsJournal,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    releaseNow: () => releaseStateFile(localRoot),
    write: (line) => process.stderr.write(`${line}\n`),
  });
  const cloud = await EmbeddedCloud.start({
    localRoot,
    persist: args.persist,
    sqsPort: args.port,
    dynamoPort: args.port === undefined ? undefined : args.port + 1,
    faults: args.faults,
  });
  let dashboard: { url: string; close(): Promise<void> } | undefined;
  try {
    if (stop.requested) return 0;
    const stack = await synthesizeStack({
      cacheDir: SYNTH_CACHE_DIR,
      stackFile: args.stackName === undefined ? undefined : stackFileNamed(args.stackName),
      stack: args.stackName,
    });
    const deployed = await cloud.deploy(stack);
    stop.attach(
      () => heldMessages(cloud),
      () => cloud.waitForDrain(Number.MAX_SAFE_INTEGER),
    );
    if (stop.requested) return 0;
    dashboard = await startDashboard(cloud, stack);
    const o = deployed.outputs;
    console.log(
      [
        "embedded cloud up (Ctrl-C to stop)",
        table([
          ["SQS endpoint", cloud.endpoints.sqs],
          ["DynamoDB endpoint", cloud.endpoints.dynamodb],
          ["queue URL", String(o.queueUrl)],
          ["DLQ URL", String(o.dlqUrl)],
          ["table", String(o.tableName)],
          ["function", String(o.functionName)],
          ["dashboard", dashboard?.url ?? "(none declared)"],
          ["state file", localLayout(cloud.localRoot).stateFile],
          ["record", cloud.recorder?.folder ?? "-"],
          ["queues kept", args.persist ? restoredLine(cloud) : "no: in memory, lost at stop (--persist keeps them)"],
          ...(cloud.faults
            ? ([["faults", `${cloud.faults.describe()} (for every client: in the emulators' request path)`]] as [
                string,
                string,
              ][])
            : []),
        ]),
        "",
        "resources:",
        ...deployed.resources
          .filter((r) => r.status !== "component")
          .map((r) => `  ${r.status.padEnd(12)} ${r.type} ${r.name}: ${r.detail}`),
        "",
        "for the AWS CLI and SDKs:",
        ...environmentLines(cloud.endpoints, cloud.region),
        "",
        "then, e.g. (AWS CLI v1 ignores AWS_ENDPOINT_URL_SQS in us-east-1, where it forces queue.amazonaws.com, so SQS",
        "commands pass --endpoint-url; CLI v2 and the SDKs honour the variable):",
        `  aws sqs send-message --endpoint-url ${cloud.endpoints.sqs} --queue-url ${String(o.queueUrl)} ` +
          `--message-body '{"vehicleId":"VH2001","make":"Honda","model":"Civic","year":2020,"color":"Blue","mileage":15000}'`,
        `  aws dynamodb scan --table-name ${String(o.tableName)}`,
        "  npm run produce -- --rate 50/s --duration 10s      (finds the queue through the state file)",
      ].join("\n"),
    );
    await stop.stopped;
    return 0;
  } finally {
    stop.dispose();
    await dashboard?.close();
    await cloud.stop();
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.command === "help") {
    console.log(USAGE);
    return 0;
  }
  return args.command === "up" ? up(args) : run(args);
}
