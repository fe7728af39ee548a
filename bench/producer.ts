/**
 * Producer benchmark (`npx tsx bench/producer.ts`): against fauxqs running in a separate process,
 *  1. achieved / target rate at 200/s and 2,000/s over 20 s (target: within 1%);
 *  2. the producer's maximum throughput / a bare SendMessageBatch loop's at the same concurrency (target >= 0.9);
 *  3. the producer's peak memory (RSS).
 * Each scenario runs in its own worker process (bench/producer-worker.ts) on a fresh queue. Results go to
 * report/BENCH-producer.md and report/BENCH-producer.json; nothing is asserted.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { LOCAL_CREDENTIALS, LOCAL_REGION, PROJECT_ROOT, percentile, reportError } from "../contracts";
import type { WorkerJob, WorkerResult } from "./producer-worker";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const TSX = path.join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const RATE_RUN_MS = 20_000;
const MAX_RUN_COUNT = 20_000;
const CONCURRENCY = 8;
/** Bare and producer runs alternate this many times; the medians are compared, so one noisy run on a shared machine does not decide. */
const THROUGHPUT_ROUNDS = 5;

function tsx(script: string, args: string[] = []): ChildProcess {
  return spawn(process.execPath, [TSX, path.join(PROJECT_ROOT, script), ...args], {
    cwd: PROJECT_ROOT,
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
}

async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) return line;
  throw new Error("the child process exited without output");
}

async function startServer(): Promise<{ endpoint: string; stop: () => void }> {
  const child = tsx("bench/producer-sqs-server.ts");
  const { endpoint } = JSON.parse(await firstLine(child)) as { endpoint: string };
  return { endpoint, stop: () => child.stdin!.end() };
}

async function runWorker(job: WorkerJob): Promise<WorkerResult> {
  const child = tsx("bench/producer-worker.ts", [
    JSON.stringify(job, (_key, value) => (value === Infinity ? null : value)),
  ]);
  child.stdin!.end();
  const line = await firstLine(child);
  await new Promise((resolve) => child.on("close", resolve));
  return JSON.parse(line) as WorkerResult;
}

const median = (values: number[]) => percentile(values, 50)!;
const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

export interface ProducerBenchmark {
  measuredAt: string;
  machine: { cpus: number; node: string; loadAverage1m: number };
  rates: {
    target: number;
    achieved: number;
    ratio: number;
    sent: number;
    durationMs: number;
    latencyMs: WorkerResult["latencyMs"];
    peakRssMiB: number;
  }[];
  throughput: {
    concurrency: number;
    messagesPerRun: number;
    producer: number[];
    bare: number[];
    producerMedian: number;
    bareMedian: number;
    ratio: number;
    /** Median CPU ms per 1,000 messages in the worker process, counted after its modules loaded. */
    producerCpuMsPer1000: number;
    bareCpuMsPer1000: number;
  };
  peakRssMiB: number;
}

export async function runProducerBenchmark(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<ProducerBenchmark> {
  const server = await startServer();
  const sqs = new SQSClient({ endpoint: server.endpoint, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } });
  let queueNumber = 0;
  const runOnFreshQueue: RunScenario = async (mode, options) => {
    const queueUrl = (
      await sqs.send(new CreateQueueCommand({ QueueName: `bench-producer-${Date.now()}-${++queueNumber}` }))
    ).QueueUrl!;
    try {
      return await runWorker({ mode, endpoint: server.endpoint, queueUrl, options });
    } finally {
      // Dropping the queue frees fauxqs's memory before the next scenario.
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    }
  };
  try {
    const rates = await measureRates(runOnFreshQueue, log);
    const { throughput, peakRssMiB } = await measureThroughput(runOnFreshQueue, log);
    return {
      measuredAt: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        node: process.version,
        loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
      },
      rates,
      throughput,
      peakRssMiB: Math.max(...rates.map((r) => r.peakRssMiB), peakRssMiB),
    };
  } finally {
    sqs.destroy();
    server.stop();
  }
}

/** Runs one scenario in its own worker process, on a queue of its own. */
type RunScenario = (mode: WorkerJob["mode"], options: WorkerJob["options"]) => Promise<WorkerResult>;

/** Scenario 1: the producer held at a target rate; how close it comes. */
async function measureRates(run: RunScenario, log: (line: string) => void): Promise<ProducerBenchmark["rates"]> {
  const rates: ProducerBenchmark["rates"] = [];
  for (const target of [200, 2000]) {
    log(`producer at ${target}/s for ${RATE_RUN_MS / 1000} s ...`);
    const result = await run("produce", {
      rate: target,
      durationMs: RATE_RUN_MS,
      concurrency: CONCURRENCY,
      seed: 1,
    });
    rates.push({
      target,
      achieved: Math.round(result.ratePerSecond * 100) / 100,
      ratio: Math.round((result.ratePerSecond / target) * 10_000) / 10_000,
      sent: result.sent,
      durationMs: result.durationMs,
      latencyMs: result.latencyMs,
      peakRssMiB: mib(result.peakRssBytes),
    });
    log(
      `  achieved ${result.ratePerSecond.toFixed(1)}/s (${((result.ratePerSecond / target) * 100).toFixed(2)}% of target), ${result.sent} sent`,
    );
  }
  return rates;
}

/** Scenario 2: the producer and a bare loop flat out, alternating; also the producer runs' peak RSS. */
async function measureThroughput(
  run: RunScenario,
  log: (line: string) => void,
): Promise<{ throughput: ProducerBenchmark["throughput"]; peakRssMiB: number }> {
  const producer: number[] = [];
  const bare: number[] = [];
  const producerCpu: number[] = [];
  const bareCpu: number[] = [];
  let peak = 0;
  for (let round = 1; round <= THROUGHPUT_ROUNDS; round++) {
    for (const mode of ["bare", "produce"] as const) {
      const result = await run(mode, {
        rate: Infinity,
        count: MAX_RUN_COUNT,
        concurrency: CONCURRENCY,
        seed: round,
      });
      (mode === "bare" ? bare : producer).push(Math.round(result.ratePerSecond));
      (mode === "bare" ? bareCpu : producerCpu).push(result.cpuMsPer1000);
      if (mode === "produce") peak = Math.max(peak, mib(result.peakRssBytes));
      log(
        `  round ${round} ${mode === "bare" ? "bare loop" : "producer "}: ` +
          `${Math.round(result.ratePerSecond)} msg/s, ${result.cpuMsPer1000} CPU ms per 1,000`,
      );
    }
  }
  const producerMedian = median(producer);
  const bareMedian = median(bare);
  const throughput = {
    concurrency: CONCURRENCY,
    messagesPerRun: MAX_RUN_COUNT,
    producer,
    bare,
    producerMedian,
    bareMedian,
    ratio: Math.round((producerMedian / bareMedian) * 1000) / 1000,
    producerCpuMsPer1000: median(producerCpu),
    bareCpuMsPer1000: median(bareCpu),
  };
  return { throughput, peakRssMiB: peak };
}

export function benchmarkMarkdown(b: ProducerBenchmark): string {
  const pct = (ratio: number) => `${(ratio * 100).toFixed(2)}%`;
  return `# Producer benchmark

Measured ${b.measuredAt} by \`npx tsx bench/producer.ts\` on ${b.machine.cpus} CPUs, Node ${b.machine.node}
(1-minute load average at the end: ${b.machine.loadAverage1m}). fauxqs 1.9.2 ran in its own process; each
scenario ran in a fresh worker process on a fresh queue. Raw figures: [BENCH-producer.json](BENCH-producer.json).

## Rate accuracy (target: achieved within 1% of target)

Achieved rate = messages accepted / time from the start to the last answer (so it includes the final batch's latency).

| target | achieved | achieved / target | sent | duration | batch latency p50 / p95 / p99 | peak RSS |
|---|---|---|---|---|---|---|
${b.rates
  .map(
    (r) =>
      `| ${r.target}/s | ${r.achieved}/s | ${pct(r.ratio)} | ${r.sent} | ` +
      `${(r.durationMs / 1000).toFixed(2)} s | ${r.latencyMs?.p50} / ${r.latencyMs?.p95} / ${r.latencyMs?.p99} ms | ${r.peakRssMiB} MiB |`,
  )
  .join("\n")}

## Maximum throughput vs a bare SendMessageBatch loop (target: ratio at least 0.9)

${b.throughput.messagesPerRun} messages per run, ${b.throughput.concurrency} calls in flight, batches of 10; runs alternate bare / producer, ${b.throughput.bare.length} rounds; medians compared.

| | runs (msg/s) | median |
|---|---|---|
| bare loop (fixed body, no schedule) | ${b.throughput.bare.join(", ")} | ${b.throughput.bareMedian} |
| producer (\`--rate max\`: faker vehicles, schedule, retries, bookkeeping) | ${b.throughput.producer.join(", ")} | ${b.throughput.producerMedian} |

**Ratio: ${b.throughput.ratio}**

CPU spent by the sending process per 1,000 messages (medians, after module loading): producer
${b.throughput.producerCpuMsPer1000} ms, bare loop ${b.throughput.bareCpuMsPer1000} ms. Wall-clock rates on a shared machine move
with whatever else runs; the CPU cost per message is what the producer adds on top of the SDK call itself.

## Peak memory

Largest peak RSS of a producer worker process: **${b.peakRssMiB} MiB**.
`;
}

/** Runs the benchmark and writes report/BENCH-producer.md and .json; for `npm run bench` to call. */
export async function writeProducerBenchmarkReport(log?: (line: string) => void): Promise<ProducerBenchmark> {
  const result = await runProducerBenchmark(log);
  await writeFile(path.join(PROJECT_ROOT, "report", "BENCH-producer.json"), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(path.join(PROJECT_ROOT, "report", "BENCH-producer.md"), benchmarkMarkdown(result));
  return result;
}

async function main(): Promise<void> {
  process.stdout.write(benchmarkMarkdown(await writeProducerBenchmarkReport()));
}

if (require.main === module) {
  void main().catch((error: unknown) => {
    process.exitCode = reportError(error, (line) => process.stderr.write(`${line}\n`));
  });
}
