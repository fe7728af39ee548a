/**
 * One producer benchmark scenario, in a process of its own so its peak memory is its own. Reads a JSON
 * job from argv[2], prints one JSON result line. Modes:
 *  - "produce": the real producer (produce()) with the given options;
 *  - "bare": the ceiling: `concurrency` loops calling SendMessageBatch with 10 ready-made messages each,
 *    no schedule, no generation, no bookkeeping.
 */
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { uuidv7 } from "uuidv7";
import { LOCAL_CREDENTIALS, LOCAL_REGION, MAX_BATCH_ENTRIES, reportError } from "../contracts";
import { EXAMPLE_VEHICLE, type ProduceOptions, produce } from "../producer";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export interface WorkerJob {
  mode: "produce" | "bare";
  endpoint: string;
  queueUrl: string;
  options: Omit<ProduceOptions, "queueUrl">;
}

export interface WorkerResult {
  mode: WorkerJob["mode"];
  sent: number;
  failed: number;
  durationMs: number;
  ratePerSecond: number;
  latencyMs?: { p50: number; p95: number; p99: number; max: number };
  peakRssBytes: number;
  /** CPU time (user + system) this process spent per 1,000 messages sent: a figure the machine's other load disturbs less than wall-clock rates. */
  cpuMsPer1000: number;
}

const BARE_BODY = JSON.stringify(EXAMPLE_VEHICLE);

async function bare(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  concurrency: number,
): Promise<Omit<WorkerResult, "mode" | "peakRssBytes" | "cpuMsPer1000">> {
  // The same warm-up produce() gets from reading MaximumMessageSize: the client's first call resolves credentials and opens a connection.
  await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["MaximumMessageSize"] }));
  let next = 0;
  let sent = 0;
  const start = performance.now();
  const loop = async () => {
    while (next < count) {
      const n = Math.min(MAX_BATCH_ENTRIES, count - next);
      next += n;
      const answer = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: n }, (_, i) => ({
            Id: String(i),
            MessageBody: BARE_BODY,
            MessageAttributes: { eventId: { DataType: "String", StringValue: uuidv7() } },
          })),
        }),
      );
      sent += answer.Successful?.length ?? 0;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const durationMs = performance.now() - start;
  return { sent, failed: count - sent, durationMs, ratePerSecond: (sent * 1000) / durationMs };
}

async function main(): Promise<void> {
  const cpuBefore = process.cpuUsage();
  const job = JSON.parse(process.argv[2]!) as WorkerJob;
  // Infinity does not survive JSON: null stands for "max".
  if (job.options.rate === null) job.options.rate = Infinity;
  const sqs = new SQSClient({
    endpoint: job.endpoint,
    region: LOCAL_REGION,
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts: 1,
  });
  let result: Omit<WorkerResult, "mode" | "peakRssBytes" | "cpuMsPer1000">;
  if (job.mode === "bare") {
    result = await bare(sqs, job.queueUrl, job.options.count ?? 20_000, job.options.concurrency ?? 8);
  } else {
    const summary = await produce({ ...job.options, queueUrl: job.queueUrl }, { sqs });
    result = {
      sent: summary.sent,
      failed: summary.failed,
      durationMs: summary.durationMs,
      ratePerSecond: summary.achievedRate,
      latencyMs: {
        p50: summary.latencyMs.p50,
        p95: summary.latencyMs.p95,
        p99: summary.latencyMs.p99,
        max: summary.latencyMs.max,
      },
    };
  }
  sqs.destroy();
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMsPer1000 = Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, result.sent)) * 1000 * 10) / 10;
  const output: WorkerResult = {
    mode: job.mode,
    ...result,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuMsPer1000,
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

void main().catch((error: unknown) => {
  process.exitCode = reportError(error, (line) => process.stderr.write(`${line}\n`));
});
