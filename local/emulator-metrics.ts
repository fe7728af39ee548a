import type { EmulatorCall, EmulatorCallListener } from "./emulators";
import type { RunRecorder, SeriesKey } from "./recorder";

/**
 * The CloudWatch metrics AWS would publish for the calls the emulators answer (neither emulator reports any):
 * SQS counts per queue, DynamoDB write capacity, latency and throttles per table, into the run's recorder.
 */
interface CallSource {
  onCall(listener: EmulatorCallListener): () => void;
}

export function recordSqsCalls(sqs: CallSource, recorder: RunRecorder): void {
  const sqsMetric = (metric: string, queueName: string): SeriesKey => ({
    namespace: "AWS/SQS",
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
        recorder.count(sqsMetric("NumberOfMessagesSent", queue), 1);
        recorder.count({ ...sqsMetric("SentMessageSize", queue), unit: "Bytes" }, call.requestBytes);
        break;
      case "SendMessageBatch":
        recorder.count(sqsMetric("NumberOfMessagesSent", queue), parse(call.response).Successful?.length ?? 0);
        break;
      case "ReceiveMessage": {
        const n = parse(call.response).Messages?.length ?? 0;
        recorder.count(sqsMetric("NumberOfMessagesReceived", queue), n);
        if (n === 0) recorder.count(sqsMetric("NumberOfEmptyReceives", queue), 1);
        break;
      }
      case "DeleteMessage":
        recorder.count(sqsMetric("NumberOfMessagesDeleted", queue), 1);
        break;
      case "DeleteMessageBatch":
        recorder.count(sqsMetric("NumberOfMessagesDeleted", queue), parse(call.response).Successful?.length ?? 0);
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
          namespace: "AWS/DynamoDB",
          metric: "ConsumedWriteCapacityUnits",
          dimensions: { TableName: table },
          unit: "Count",
        },
        Math.max(1, Math.ceil(call.requestBytes / 1024)),
      );
    }
    if (call.statusCode === 200) {
      recorder.observe(
        {
          namespace: "AWS/DynamoDB",
          metric: "SuccessfulRequestLatency",
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
          namespace: "AWS/DynamoDB",
          metric: "ThrottledRequests",
          dimensions: { TableName: table, Operation: call.operation },
          unit: "Count",
        },
        "counter",
      );
    }
  });
}
