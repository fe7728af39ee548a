// Fixtures for the consumer tests: emulators with a vehicle table, a source queue and a DLQ; real-shaped
// SQS events made by sending to fauxqs and receiving back (so messageId, SentTimestamp, receive counts and
// attributes are what SQS produces); and capture of what Powertools writes to stdout (logs and EMF).

import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { suite, type Test } from "uvu";
import { LOCAL_CREDENTIALS, LOCAL_REGION, vehicleTableInput } from "../../contracts";
import { type ConsumerDeps, createConsumer } from "../../handlers/consumer";
import type { DynamoOptions, RunningEmulator } from "../../local/emulators";
import { startDynamo, startSqs } from "../../local/emulators";
import { EXAMPLE_VEHICLE, type VehicleMessage } from "../../producer/vehicles";

export interface ConsumerWorld {
  sqsEmulator: RunningEmulator;
  dynamoEmulator: Awaited<ReturnType<typeof startDynamo>>;
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  close(): Promise<void>;
}

const TABLE_NAME = "vehicles";

export function localClientConfig(endpoint: string) {
  // maxAttempts 1: failure tests should fail on the first refusal, not after the SDK's backoff.
  return { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 };
}

/** The emulators, a vehicle table and two queues; `dynamo` starts DynamoDB otherwise (in a thread, with faults). */
export async function startConsumerWorld(dynamoOptions: DynamoOptions = {}): Promise<ConsumerWorld> {
  const [sqsEmulator, dynamoEmulator] = await Promise.all([startSqs(), startDynamo(dynamoOptions)]);
  const sqs = new SQSClient(localClientConfig(sqsEmulator.endpoint));
  const dynamo = new DynamoDBClient(localClientConfig(dynamoEmulator.endpoint));
  const documentClient = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  await createVehicleTable(dynamo, TABLE_NAME);
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "vehicles" }))).QueueUrl!;
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "vehicles-dlq" }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] })))
    .Attributes!.QueueArn!;
  return {
    sqsEmulator,
    dynamoEmulator,
    sqs,
    dynamo,
    documentClient,
    tableName: TABLE_NAME,
    queueUrl,
    queueArn,
    dlqUrl,
    async close() {
      sqs.destroy();
      dynamo.destroy();
      await Promise.all([sqsEmulator.close(), dynamoEmulator.close()]);
    },
  };
}

/** A uvu suite whose context holds a ConsumerWorld, started before its tests and closed after them. */
export function consumerSuite(name: string): Test<{ world: ConsumerWorld }> {
  const test = suite<{ world: ConsumerWorld }>(name, {} as { world: ConsumerWorld });
  test.before(async (context) => {
    context.world = await startConsumerWorld();
  });
  test.after(async (context) => {
    await context.world?.close();
  });
  return test;
}

/** The consumer wired to the world's clients, table and DLQ, logging and counting as in Lambda; overrides replace any of it. */
export function testConsumer(world: ConsumerWorld, overrides: Partial<ConsumerDeps> = {}) {
  return createConsumer({
    documentClient: world.documentClient,
    sqs: world.sqs,
    tableName: world.tableName,
    dlqUrl: world.dlqUrl,
    logger: testLogger(),
    metrics: testMetrics(),
    ...overrides,
  });
}

async function createVehicleTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  await dynamo.send(new CreateTableCommand(vehicleTableInput(tableName)));
}

export interface OutgoingMessage {
  body: string;
  /** Omit for a message from a client that sets no eventId; null sends no attributes at all. */
  eventId?: string | null;
  extraAttributes?: Record<string, MessageAttributeValue>;
}

let sequence = 0;
/** A UUIDv7-shaped id, unique per call, so tests do not collide in the shared table. */
export function nextEventId(): string {
  sequence += 1;
  const hex = (Date.now().toString(16).padStart(12, "0") + sequence.toString(16).padStart(20, "0")).slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function vehicleBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...EXAMPLE_VEHICLE, ...overrides });
}

/**
 * The item the consumer should store for a first delivery of `record`, sent as vehicleBody(overrides) with this
 * eventId: the vehicle's fields beside where the message came from (storedAt, the consumer's clock, is left out).
 */
export function expectedItem(record: SQSRecord, eventId: string, overrides: Partial<VehicleMessage> = {}) {
  return {
    ...EXAMPLE_VEHICLE,
    ...overrides,
    eventId,
    messageId: record.messageId,
    sentAt: new Date(Number(record.attributes.SentTimestamp)).toISOString(),
    receiveCount: 1,
  };
}

/** Send each message to the source queue, then receive them all back as a Lambda SQS event (as the event source mapping would). */
export async function sqsEventFor(world: ConsumerWorld, messages: OutgoingMessage[]): Promise<SQSEvent> {
  for (const message of messages) {
    const attributes: Record<string, MessageAttributeValue> = { ...message.extraAttributes };
    if (message.eventId) attributes.eventId = { DataType: "String", StringValue: message.eventId };
    await world.sqs.send(
      new SendMessageCommand({
        QueueUrl: world.queueUrl,
        MessageBody: message.body,
        ...(Object.keys(attributes).length ? { MessageAttributes: attributes } : {}),
      }),
    );
  }
  const received = await receiveAll(world.sqs, world.queueUrl, messages.length);
  // Keep the send order: the tests refer to records by position.
  const byBody = new Map<string, Message[]>();
  for (const message of received) byBody.set(message.Body!, [...(byBody.get(message.Body!) ?? []), message]);
  const ordered = messages.map((m) => byBody.get(m.body)!.shift()!);
  return { Records: ordered.map((m) => toLambdaRecord(m, world.queueArn)) };
}

export async function receiveAll(sqs: SQSClient, queueUrl: string, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  for (let attempt = 0; messages.length < count && attempt < 50; attempt += 1) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, count - messages.length),
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
        VisibilityTimeout: 300,
      }),
    );
    messages.push(...Messages);
  }
  if (messages.length < count)
    throw new Error(`expected ${count} messages on ${queueUrl}, received ${messages.length}`);
  return messages;
}

/** The Lambda event shape of a received message: camelCase attributes, base64 binary values. */
function toLambdaRecord(message: Message, queueArn: string): SQSRecord {
  const messageAttributes: SQSRecord["messageAttributes"] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType!,
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString("base64") } : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body!,
    attributes: message.Attributes as unknown as SQSRecord["attributes"],
    messageAttributes,
    md5OfBody: message.MD5OfBody!,
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  } as SQSRecord;
}

export async function queryVehicle(
  world: ConsumerWorld,
  vehicleId: string,
  tableName = world.tableName,
): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await world.documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "vehicleId = :v",
      ExpressionAttributeValues: { ":v": vehicleId },
    }),
  );
  return Items;
}

/** A Lambda context as the runtime passes it, for the function name given. */
export function lambdaContext(functionName = "vehicle-consumer-test", region = "us-east-1"): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
    memoryLimitInMB: "256",
    awsRequestId: `req-${nextEventId()}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "test",
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function testLogger(): Logger {
  return new Logger({ serviceName: "vehicle-consumer", logLevel: "DEBUG" });
}

export function testMetrics(): Metrics {
  return new Metrics({ serviceName: "vehicle-consumer", namespace: "VehiclePipeline" });
}

/** A JSON line the function printed: a Powertools log line or an EMF document, read field by field by the tests. */
// biome-ignore lint/suspicious/noExplicitAny: lines of several shapes; each test asserts the fields it reads
export type JsonLine = Record<string, any>;

export interface CapturedOutput {
  /** Every JSON line written to stdout while the function ran. */
  lines: JsonLine[];
  /** The log lines (Powertools Logger). */
  logs: JsonLine[];
  /** The EMF documents (Powertools Metrics). */
  emf: JsonLine[];
}

/**
 * Run fn with process.stdout.write and process.stderr.write intercepted. Powertools Logger and Metrics write
 * through their own node:console Console bound to those streams (INFO and EMF to stdout, WARN and ERROR to
 * stderr), so patching the streams' write sees everything; uvu prints nothing while a test body runs.
 * Non-JSON lines pass through to the terminal.
 */
export async function captureOutput<T>(
  fn: () => Promise<T>,
): Promise<{ result?: T; error?: unknown } & CapturedOutput> {
  const lines: JsonLine[] = [];
  const restore = [process.stdout, process.stderr].map((stream) => interceptJsonLines(stream, lines));
  try {
    const result = await fn();
    return { result, ...split(lines) };
  } catch (error) {
    return { error, ...split(lines) };
  } finally {
    for (const undo of restore) undo();
  }
}

function interceptJsonLines(stream: NodeJS.WriteStream, into: JsonLine[]): () => void {
  const original = stream.write;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    const passThrough: string[] = [];
    for (const line of text.split("\n").filter(Boolean)) {
      try {
        into.push(JSON.parse(line));
      } catch {
        passThrough.push(line);
      }
    }
    if (passThrough.length)
      return (original as (...args: unknown[]) => boolean).call(stream, `${passThrough.join("\n")}\n`, ...rest);
    return true;
  }) as typeof stream.write;
  return () => {
    stream.write = original;
  };
}

function split(lines: JsonLine[]): CapturedOutput {
  return { lines, logs: lines.filter((l) => !l._aws), emf: lines.filter((l) => l._aws) };
}

/** Sum of a metric over EMF documents, optionally only those with the given dimension values. */
export function metricValues(emf: JsonLine[], name: string, dimensions: Record<string, string> = {}): number[] {
  const values: number[] = [];
  for (const doc of emf) {
    const declared = doc._aws.CloudWatchMetrics[0].Metrics.some((m: { Name: string }) => m.Name === name);
    if (!declared) continue;
    if (!Object.entries(dimensions).every(([k, v]) => doc[k] === v)) continue;
    values.push(...[doc[name]].flat());
  }
  return values;
}
