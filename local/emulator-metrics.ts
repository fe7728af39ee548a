import { DYNAMODB_METRICS, SQS_METRICS } from "../contracts";
import type { DeployedStack } from "./deploy";
import type { EmulatorCall, EmulatorCallListener } from "./emulators";
import { type FauxqsStore, queueDepth } from "./fauxqs-store";
import type { RunRecorder, SeriesKey } from "./recorder";

/**
 * The CloudWatch metrics AWS would publish for the queues and the table (neither emulator reports any), into the
 * run's recorder: SQS counts per queue and DynamoDB write capacity, latency and throttles per table, from the calls the
 * emulators answer; the queue gauges (depth, age) read from fauxqs's store each second.
 */
interface CallSource {
  onCall(listener: EmulatorCallListener): () => void;
}

/**
 * The highest value a gauge reached since it was last taken. Queue depth moves only when SQS answers a call (a send, a
 * receive, a delete) or a visibility timeout expires, so sampling after every answered call and when taken catches
 * each peak: a batch in flight for 20 ms between two once-a-second samples is still counted.
 */
export class PeakSampler {
  private peak: number | undefined;

  constructor(private readonly read: () => number) {}

  sample(): void {
    const value = this.read();
    if (this.peak === undefined || value > this.peak) this.peak = value;
  }

  /** The peak since the last take, the current value included; starts the next interval. */
  take(): number {
    this.sample();
    const peak = this.peak ?? 0;
    this.peak = undefined;
    return peak;
  }
}

/** Samples these gauges after every SQS call on their queue that the emulator answers. */
export function sampleAfterCalls(sqs: CallSource, byQueue: ReadonlyMap<string, readonly PeakSampler[]>): () => void {
  return sqs.onCall((call) => {
    const url = String(call.request?.QueueUrl ?? "");
    for (const sampler of byQueue.get(url.slice(url.lastIndexOf("/") + 1)) ?? []) sampler.sample();
  });
}

export function recordSqsCalls(sqs: CallSource, recorder: RunRecorder): void {
  const sqsMetric = (metric: string, queueName: string): SeriesKey => ({
    namespace: SQS_METRICS.namespace,
    metric,
    dimensions: { QueueName: queueName },
    unit: "Count",
  });
  const queueOf = (call: EmulatorCall) => {
    const url = String(call.request?.QueueUrl ?? "");
    return url.slice(url.lastIndexOf("/") + 1);
  };
  // biome-ignore lint/suspicious/noExplicitAny: SQS JSON responses, one shape per operation; readers use optional fields
  const parse = (text: string | undefined): any => {
    try {
      return text ? JSON.parse(text) : {};
    } catch {
      return {};
    }
  };
  sqs.onCall((call) => {
    if (call.statusCode !== 200) return;
    const queue = queueOf(call);
    if (!queue) return;
    switch (call.operation) {
      case "SendMessage":
        recorder.count(sqsMetric(SQS_METRICS.sent, queue), 1);
        recorder.count({ ...sqsMetric(SQS_METRICS.sentSize, queue), unit: "Bytes" }, call.requestBytes);
        break;
      case "SendMessageBatch":
        recorder.count(sqsMetric(SQS_METRICS.sent, queue), parse(call.response).Successful?.length ?? 0);
        break;
      case "ReceiveMessage": {
        const n = parse(call.response).Messages?.length ?? 0;
        recorder.count(sqsMetric(SQS_METRICS.received, queue), n);
        if (n === 0) recorder.count(sqsMetric(SQS_METRICS.emptyReceives, queue), 1);
        break;
      }
      case "DeleteMessage":
        recorder.count(sqsMetric(SQS_METRICS.deleted, queue), 1);
        break;
      case "DeleteMessageBatch":
        recorder.count(sqsMetric(SQS_METRICS.deleted, queue), parse(call.response).Successful?.length ?? 0);
        break;
    }
  });
}

/** `tableName` is read on each call: the table exists only once the stack is deployed. */
export function recordDynamoCalls(
  dynamo: CallSource,
  recorder: RunRecorder,
  tableName: () => string | undefined,
): void {
  const throttleSeriesDeclared = new Set<string>();
  dynamo.onCall((call) => {
    const table = tableName();
    if (!table) return;
    const write = ["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"].includes(call.operation);
    // A write consumes 1 WCU per KB of item, also when its condition fails (as DynamoDB bills it). The request size
    // stands in for the item size: dynalite does not report consumed capacity.
    if (write && (call.statusCode === 200 || call.statusCode === 400)) {
      recorder.count(
        {
          namespace: DYNAMODB_METRICS.namespace,
          metric: DYNAMODB_METRICS.consumedWrites,
          dimensions: { TableName: table },
          unit: "Count",
        },
        Math.max(1, Math.ceil(call.requestBytes / 1024)),
      );
    }
    if (call.statusCode === 200) {
      recorder.observe(
        {
          namespace: DYNAMODB_METRICS.namespace,
          metric: DYNAMODB_METRICS.latency,
          dimensions: { TableName: table, Operation: call.operation },
          unit: "Milliseconds",
        },
        call.latencyMs,
      );
    }
    // DynamoDB publishes ThrottledRequests per TableName and Operation, for the operations a table receives.
    // dynalite never throttles; declared (zeros every second) so the dashboard shows the zero rather than "no data".
    // Once per operation: this hook runs on every DynamoDB call.
    if (!throttleSeriesDeclared.has(`${table}|${call.operation}`)) {
      throttleSeriesDeclared.add(`${table}|${call.operation}`);
      recorder.declare(
        {
          namespace: DYNAMODB_METRICS.namespace,
          metric: DYNAMODB_METRICS.throttledRequests,
          dimensions: { TableName: table, Operation: call.operation },
          unit: "Count",
        },
        "counter",
      );
    }
  });
}

/**
 * The series of the deployed queues and table that exist from the start: SQS's counters (zero until a call moves
 * them), its gauges read from fauxqs's store, and the table's consumed capacity. Visible and in-flight messages are
 * the most the queue held during each second (CloudWatch's Maximum over the second), not a sample at its end, which
 * would miss batches received and deleted within the second.
 */
export function declareStackGauges(
  recorder: RunRecorder,
  deployed: Pick<DeployedStack, "queues" | "tables">,
  store: FauxqsStore | undefined,
  sqs?: CallSource,
): void {
  const samplers = new Map<string, PeakSampler[]>();
  for (const queue of deployed.queues) {
    const key = (metric: string, unit = "Count"): SeriesKey => ({
      namespace: SQS_METRICS.namespace,
      metric,
      dimensions: { QueueName: queue.name },
      unit,
    });
    for (const metric of [SQS_METRICS.sent, SQS_METRICS.received, SQS_METRICS.deleted, SQS_METRICS.emptyReceives])
      recorder.declare(key(metric), "counter");
    const view = () => store?.getQueueByName(queue.name);
    const visible = new PeakSampler(() => queueDepth(view()).visible);
    const inFlight = new PeakSampler(() => queueDepth(view()).inFlight);
    samplers.set(queue.name, [visible, inFlight]);
    recorder.declare(key(SQS_METRICS.visible), "gauge", () => visible.take());
    recorder.declare(key(SQS_METRICS.notVisible), "gauge", () => inFlight.take());
    recorder.declare(key(SQS_METRICS.delayed), "gauge", () => queueDepth(view()).delayed);
    // fauxqs has no age attribute: the oldest SentTimestamp among the queue's messages (waiting, delayed or in
    // flight, as SQS counts them) read from its store, in whole seconds like CloudWatch.
    recorder.declare(key(SQS_METRICS.oldestAge, "Seconds"), "gauge", () => oldestMessageAgeSeconds(view()));
  }
  if (sqs) sampleAfterCalls(sqs, samplers);
  for (const table of deployed.tables) {
    recorder.declare(
      {
        namespace: DYNAMODB_METRICS.namespace,
        metric: DYNAMODB_METRICS.consumedWrites,
        dimensions: { TableName: table.name },
        unit: "Count",
      },
      "counter",
    );
  }
}

function oldestMessageAgeSeconds(queue: ReturnType<FauxqsStore["getQueueByName"]>): number {
  const messages = queue?.inspectMessages();
  if (!messages) return 0;
  let oldest = Infinity;
  for (const m of messages.ready) oldest = Math.min(oldest, m.sentTimestamp);
  for (const m of messages.delayed) oldest = Math.min(oldest, m.sentTimestamp);
  for (const m of messages.inflight) oldest = Math.min(oldest, m.message.sentTimestamp);
  return oldest === Infinity ? 0 : Math.max(0, Math.floor((Date.now() - oldest) / 1000));
}
