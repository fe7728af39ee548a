import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { type LogLine, type MetricLine, parseSettings, type RunInfo } from "../../contracts";

/**
 * A small, deterministic scale-out/in run in the record format (docs/CONTRACTS.md), for tests and for
 * trying the dashboard without running the pipeline. Not evidence: REPORT.md comes from a real run.
 * A toy queue model: the producer ramps up, holds and ramps down; consumers scale out by one per second
 * while a backlog remains and in by one when the queue is empty, each handling `perConsumerRate` msg/s.
 */

export interface SampleRunOptions {
  startT?: number;
  rampSeconds?: number;
  holdSeconds?: number;
  peakRate?: number;
  perConsumerRate?: number;
  maxConcurrency?: number;
  /** Every n-th message is invalid (goes to the DLQ). */
  invalidEvery?: number;
  queueName?: string;
  dlqName?: string;
  functionName?: string;
  tableName?: string;
}

export interface SampleRun {
  run: RunInfo;
  metrics: MetricLine[];
  logs: LogLine[];
}

export const SAMPLE_NAMES = {
  queueName: "vehicle-queue",
  dlqName: "vehicle-dlq",
  functionName: "vehicle-consumer",
  tableName: "vehicles",
};

export function sampleRun(options: SampleRunOptions = {}): SampleRun {
  const o = {
    startT: 1_795_000_000,
    rampSeconds: 5,
    holdSeconds: 6,
    peakRate: 40,
    perConsumerRate: 6,
    maxConcurrency: 8,
    invalidEvery: 20,
    ...SAMPLE_NAMES,
    ...options,
  };
  const metrics: MetricLine[] = [];
  const logs: LogLine[] = [];
  const q = { QueueName: o.queueName };
  const dlq = { QueueName: o.dlqName };
  const fn = { FunctionName: o.functionName };
  const svc = { service: "vehicle-consumer" };
  const add = (
    t: number,
    namespace: string,
    metric: string,
    dimensions: Record<string, string>,
    unit: string,
    values: number[],
  ) => metrics.push({ t, namespace, metric, dimensions, unit, values });

  const produceSeconds = o.rampSeconds * 2 + o.holdSeconds;
  let backlog: number[] = []; // send times of waiting messages
  let concurrency = 0;
  let sent = 0;
  let stored = 0;
  let invalid = 0;
  let coldStarts = 0;
  let t = o.startT;
  for (let second = 0; second < produceSeconds || backlog.length > 0 || concurrency > 0; second++, t++) {
    const rate =
      second < o.rampSeconds
        ? Math.round((o.peakRate * (second + 1)) / o.rampSeconds)
        : second < o.rampSeconds + o.holdSeconds
          ? o.peakRate
          : second < produceSeconds
            ? Math.round((o.peakRate * (produceSeconds - second - 1)) / o.rampSeconds)
            : 0;
    for (let i = 0; i < rate; i++) backlog.push(t);
    sent += rate;

    const before = concurrency;
    concurrency = backlog.length > 0 ? Math.min(o.maxConcurrency, concurrency + 1) : Math.max(0, concurrency - 1);
    if (concurrency > before) coldStarts += concurrency - before;
    const handled = backlog.slice(0, concurrency * o.perConsumerRate);
    backlog = backlog.slice(handled.length);
    const invalidNow = handled.filter(
      (_, i) => (sent - backlog.length - handled.length + i + 1) % o.invalidEvery === 0,
    ).length;
    invalid += invalidNow;
    stored += handled.length - invalidNow;
    const invocations = Math.ceil(handled.length / 10);

    add(t, "AWS/SQS", "NumberOfMessagesSent", q, "Count", [rate]);
    add(t, "AWS/SQS", "NumberOfMessagesReceived", q, "Count", [handled.length]);
    add(t, "AWS/SQS", "NumberOfMessagesDeleted", q, "Count", [handled.length]);
    add(t, "AWS/SQS", "ApproximateNumberOfMessagesVisible", q, "Count", [backlog.length]);
    add(t, "AWS/SQS", "ApproximateNumberOfMessagesNotVisible", q, "Count", [
      concurrency > 0 ? Math.min(handled.length, concurrency * 10) : 0,
    ]);
    add(t, "AWS/SQS", "ApproximateAgeOfOldestMessage", q, "Seconds", [backlog.length > 0 ? t - backlog[0]! : 0]);
    add(t, "AWS/SQS", "NumberOfMessagesSent", dlq, "Count", [invalidNow]);
    add(t, "AWS/SQS", "ApproximateNumberOfMessagesVisible", dlq, "Count", [invalid]);
    add(t, "AWS/Lambda", "Invocations", fn, "Count", [invocations]);
    add(t, "AWS/Lambda", "Errors", fn, "Count", [0]);
    add(t, "AWS/Lambda", "Throttles", fn, "Count", [0]);
    add(t, "AWS/Lambda", "ConcurrentExecutions", fn, "Count", [concurrency]);
    if (invocations > 0)
      add(
        t,
        "AWS/Lambda",
        "Duration",
        fn,
        "Milliseconds",
        Array.from({ length: invocations }, (_, i) => 40 + ((i * 7 + second) % 30)),
      );
    add(t, "AWS/DynamoDB", "ConsumedWriteCapacityUnits", { TableName: o.tableName }, "Count", [
      handled.length - invalidNow,
    ]);
    add(t, "AWS/DynamoDB", "ThrottledRequests", { TableName: o.tableName, Operation: "PutItem" }, "Count", [0]);
    if (handled.length > 0)
      add(
        t,
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        { TableName: o.tableName, Operation: "PutItem" },
        "Milliseconds",
        [3, 4, 6],
      );
    add(t, "VehiclePipeline", "VehiclesStored", svc, "Count", [handled.length - invalidNow]);
    add(t, "VehiclePipeline", "DuplicatesSkipped", svc, "Count", [0]);
    if (invalidNow > 0)
      add(t, "VehiclePipeline", "ValidationFailures", { ...svc, Reason: "MISSING_FIELD" }, "Count", [invalidNow]);
    add(t, "VehiclePipeline", "TransientFailures", svc, "Count", [0]);
    if (handled.length > 0)
      add(
        t,
        "VehiclePipeline",
        "EndToEndLatency",
        svc,
        "Milliseconds",
        handled.map((sentAt, i) => (t - sentAt) * 1000 + 50 + (i % 10) * 5),
      );
    if (concurrency > before) add(t, "VehiclePipeline", "ColdStart", svc, "Count", [concurrency - before]);
    if (concurrency > before)
      logs.push({ t, source: "cloud", message: `scaled out to ${concurrency} concurrent executions` });
    if (invalidNow > 0)
      logs.push({
        t,
        level: "WARN",
        message: "message rejected",
        errorCode: "MISSING_FIELD",
        service: "vehicle-consumer",
        timestamp: new Date(t * 1000).toISOString(),
      });
    if (second > 600) throw new Error("sampleRun did not drain: perConsumerRate x maxConcurrency must exceed peakRate");
  }
  const run: RunInfo = {
    runId: `sample-${o.startT}`,
    startedAt: new Date(o.startT * 1000).toISOString(),
    endedAt: new Date(t * 1000).toISOString(),
    region: "us-east-1",
    outputs: {
      queueUrl: `http://127.0.0.1:1/000000000000/${o.queueName}`,
      dlqUrl: `http://127.0.0.1:1/000000000000/${o.dlqName}`,
      functionName: o.functionName,
      tableName: o.tableName,
    },
    settings: {
      ...parseSettings({}),
      batchSize: 10,
      maxConcurrency: o.maxConcurrency,
      memorySizeMb: 256,
      timeoutSeconds: 30,
      visibilityTimeoutSeconds: 180,
    },
    parameters: {
      profile: "sample",
      rate: o.peakRate,
      invalidRatio: 1 / o.invalidEvery,
      settings: { batchSize: 10, maxConcurrency: o.maxConcurrency, memorySizeMb: 256, timeoutSeconds: 30 },
    },
    producer: { sent, failed: 0, invalid },
    verification: { sent, stored, inDlq: invalid, lost: 0, duplicated: 0, ok: true },
    resources: [
      { type: "aws:sqs/queue:Queue", name: o.queueName },
      { type: "aws:lambda/function:Function", name: o.functionName },
    ],
    coldStarts,
  };
  return { run, metrics, logs };
}

/** Writes a sample run as a run folder (run.json, metrics.jsonl, logs.jsonl) and returns the folder. */
export function writeSampleRun(dir: string, sample: SampleRun = sampleRun()): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "run.json"), JSON.stringify(sample.run, null, 2));
  writeFileSync(path.join(dir, "metrics.jsonl"), `${sample.metrics.map((m) => JSON.stringify(m)).join("\n")}\n`);
  writeFileSync(path.join(dir, "logs.jsonl"), `${sample.logs.map((l) => JSON.stringify(l)).join("\n")}\n`);
  return dir;
}

/**
 * A dashboard body in CloudWatch's format over the sample's names, using the "." shorthand, a right
 * axis, a singleValue and a text widget, for tests until the program's own body is used.
 */
export function sampleDashboardBody(names = SAMPLE_NAMES): string {
  const q = ["AWS/SQS", "NumberOfMessagesSent", "QueueName", names.queueName];
  return JSON.stringify({
    widgets: [
      {
        type: "text",
        x: 0,
        y: 0,
        width: 24,
        height: 2,
        properties: { markdown: "# Vehicle pipeline\nSQS to Lambda to **DynamoDB**" },
      },
      {
        type: "metric",
        x: 0,
        y: 2,
        width: 12,
        height: 6,
        properties: {
          title: "Messages",
          view: "timeSeries",
          stat: "Sum",
          period: 60,
          region: "us-east-1",
          metrics: [
            q,
            [".", "NumberOfMessagesDeleted", ".", "."],
            [
              ".",
              "ApproximateAgeOfOldestMessage",
              ".",
              ".",
              { stat: "Maximum", yAxis: "right", label: "Oldest message age" },
            ],
          ],
        },
      },
      {
        type: "metric",
        x: 12,
        y: 2,
        width: 12,
        height: 6,
        properties: {
          title: "Concurrency",
          view: "timeSeries",
          stat: "Maximum",
          period: 60,
          metrics: [["AWS/Lambda", "ConcurrentExecutions", "FunctionName", names.functionName]],
          annotations: { horizontal: [{ value: 8, label: "maximumConcurrency" }] },
        },
      },
      {
        type: "metric",
        x: 0,
        y: 8,
        width: 12,
        height: 6,
        properties: {
          title: "End-to-end latency",
          view: "timeSeries",
          period: 60,
          metrics: [
            ["VehiclePipeline", "EndToEndLatency", "service", "vehicle-consumer", { stat: "p50" }],
            ["...", { stat: "p99" }],
          ],
        },
      },
      {
        type: "metric",
        x: 12,
        y: 8,
        width: 6,
        height: 6,
        properties: {
          title: "Stored",
          view: "singleValue",
          stat: "Sum",
          period: 300,
          metrics: [["VehiclePipeline", "VehiclesStored", "service", "vehicle-consumer"]],
        },
      },
      {
        type: "metric",
        x: 18,
        y: 8,
        width: 6,
        height: 6,
        properties: {
          title: "DLQ depth",
          view: "timeSeries",
          stat: "Maximum",
          period: 60,
          metrics: [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", names.dlqName]],
        },
      },
    ],
  });
}
