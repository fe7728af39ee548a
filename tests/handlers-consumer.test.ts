// The consumer against dynalite and fauxqs: what is stored, what goes to the DLQ, what SQS is told to
// retry, and the log lines and EMF metrics each outcome produces.

import { spawnSync } from "node:child_process";
import { FullBatchFailureError } from "@aws-lambda-powertools/batch";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Subsegment } from "aws-xray-sdk-core";
// aws-xray-sdk-core comes with @aws-lambda-powertools/tracer; the test plays the Lambda runtime, which opens the segment.
import { getNamespace, Segment, setSegment } from "aws-xray-sdk-core";
import * as assert from "uvu/assert";
import { createConsumerFromEnvironment, xRayIsPresent } from "../handlers";
import type { ConsumerDeps } from "../handlers/consumer";
import { ConsumerConfigurationError } from "../handlers/errors";
import type { ConsumerWorld } from "./support/consumer-harness";
import {
  captureOutput,
  consumerSuite,
  expectedItem,
  lambdaContext,
  localClientConfig,
  metricValues,
  nextEventId,
  queryVehicle,
  receiveAll,
  sqsEventFor,
  testConsumer,
  testMetrics,
  vehicleBody,
} from "./support/consumer-harness";

const NOW = new Date("2026-11-28T01:30:00.000Z");
const test = consumerSuite("handlers: consumer against dynalite and fauxqs");

function consumerFor(world: ConsumerWorld, overrides: Partial<ConsumerDeps> = {}) {
  return testConsumer(world, { now: () => NOW, ...overrides });
}

let vehicleNumber = 3000;
/** A vehicleId no other test uses, so each test reads only its own items. */
function freshVehicleId(): string {
  vehicleNumber += 1;
  return `VH${vehicleNumber}`;
}

test("a valid message is stored with every field, logged as stored (at DEBUG) and counted", async ({ world }) => {
  const vehicleId = freshVehicleId();
  const eventId = nextEventId();
  const event = await sqsEventFor(world, [{ body: vehicleBody({ vehicleId, make: "  Honda " }), eventId }]);
  const record = event.Records[0]!;
  const run = await captureOutput(() => consumerFor(world)(event, lambdaContext()));
  assert.equal(run.result, { batchItemFailures: [] });
  const items = await queryVehicle(world, vehicleId);
  assert.equal(items, [{ ...expectedItem(record, eventId, { vehicleId }), storedAt: NOW.toISOString() }]);
  const line = run.logs.find((l) => l.outcome === "stored");
  assert.ok(line, "a stored log line");
  assert.is(line.messageId, record.messageId);
  assert.is(line.vehicleId, vehicleId);
  assert.is(line.eventId, eventId);
  assert.is(line.level, "DEBUG", "a stored record is logged at DEBUG only");
  assert.is(line.service, "vehicle-consumer");
  assert.not.ok(JSON.stringify(run.logs).includes("Civic"), "the body is not logged");
  assert.equal(metricValues(run.emf, "VehiclesStored"), [1]);
  assert.equal(metricValues(run.emf, "DuplicatesSkipped"), [0]);
  assert.equal(metricValues(run.emf, "EndToEndLatency"), [NOW.getTime() - Number(record.attributes.SentTimestamp)]);
  const doc = run.emf.find((d) => "VehiclesStored" in d)!;
  assert.is(doc._aws.CloudWatchMetrics[0].Namespace, "VehiclePipeline");
  assert.is(doc.service, "vehicle-consumer");
  assert.equal(
    doc._aws.CloudWatchMetrics[0].Metrics.find((m: { Name: string }) => m.Name === "EndToEndLatency").Unit,
    "Milliseconds",
  );
});

test("the same eventId twice is stored once; the second is a success logged as duplicate", async ({ world }) => {
  const vehicleId = freshVehicleId();
  const eventId = nextEventId();
  const consume = consumerFor(world);
  const first = await sqsEventFor(world, [{ body: vehicleBody({ vehicleId }), eventId }]);
  await captureOutput(() => consume(first, lambdaContext()));
  // A producer retry: a new SQS message (new messageId) carrying the same eventId and the same content.
  const retry = await sqsEventFor(world, [{ body: vehicleBody({ vehicleId, make: " Honda" }), eventId }]);
  const run = await captureOutput(() => consume(retry, lambdaContext()));
  assert.equal(run.result, { batchItemFailures: [] });
  const items = await queryVehicle(world, vehicleId);
  assert.is(items.length, 1);
  assert.is(items[0]!.storedAt, NOW.toISOString());
  assert.is(items[0]!.messageId, first.Records[0]!.messageId);
  const line = run.logs.find((l) => l.outcome === "duplicate");
  assert.ok(line, "a duplicate log line");
  assert.is(line.eventId, eventId);
  assert.is(line.messageId, retry.Records[0]!.messageId);
  assert.match(line.reason, /already in the table/);
  assert.equal(metricValues(run.emf, "DuplicatesSkipped"), [1]);
  assert.equal(metricValues(run.emf, "VehiclesStored"), [0]);
});

const INVALID_BODIES: Array<[string, string, RegExp]> = [
  ["INVALID_JSON", '{"vehicleId":"VH4001",', /^body is not valid JSON: /],
  ["NOT_AN_OBJECT", '["VH4002"]', /^body must be a JSON object, got array$/],
  [
    "MISSING_FIELD",
    JSON.stringify({ vehicleId: "VH4003", model: "Civic", year: 2020, color: "Blue", mileage: 1 }),
    /^missing field "make"$/,
  ],
  [
    "WRONG_TYPE",
    vehicleBody({ vehicleId: "VH4004", year: "2020" }),
    /^field "year" must be a number, got string "2020"$/,
  ],
  [
    "OUT_OF_RANGE",
    vehicleBody({ vehicleId: "VH4005", year: 1700 }),
    new RegExp(`^year 1700 is out of range: must be an integer from 1886 to ${new Date().getUTCFullYear() + 1}$`),
  ],
  ["BAD_FORMAT", vehicleBody({ vehicleId: "VH4006", color: "   " }), /^color is empty after trimming/],
  [
    "UNKNOWN_FIELD",
    vehicleBody({ vehicleId: "VH4007", owner: "Ann" }),
    /^unknown field "owner": the schema does not allow extra fields$/,
  ],
];

test("each invalid kind goes to the DLQ with errorCode, errorReason, sourceMessageId and its attributes, and is not stored", async ({
  world,
}) => {
  const messages = INVALID_BODIES.map(([, body]) => ({
    body,
    eventId: nextEventId(),
    extraAttributes: { origin: { DataType: "String", StringValue: "test-suite" } },
  }));
  const event = await sqsEventFor(world, messages);
  const run = await captureOutput(() => consumerFor(world)(event, lambdaContext()));
  assert.equal(
    run.result,
    { batchItemFailures: [] },
    "rejected messages are successes: SQS deletes them from the source",
  );
  const dead = await receiveAll(world.sqs, world.dlqUrl, INVALID_BODIES.length);
  for (const [index, [code, body, reason]] of INVALID_BODIES.entries()) {
    const record = event.Records[index]!;
    const inDlq = dead.find((m) => m.MessageAttributes?.sourceMessageId?.StringValue === record.messageId);
    assert.ok(inDlq, `${code} reached the DLQ`);
    assert.is(inDlq.Body, body, "same body");
    assert.is(inDlq.MessageAttributes!.errorCode!.StringValue, code);
    assert.match(inDlq.MessageAttributes!.errorReason!.StringValue!, reason);
    assert.is(inDlq.MessageAttributes!.eventId!.StringValue, messages[index]!.eventId, "original attributes kept");
    assert.is(inDlq.MessageAttributes!.origin!.StringValue, "test-suite");
    const line = run.logs.find((l) => l.messageId === record.messageId)!;
    assert.is(line.outcome, "invalid");
    assert.is(line.level, "WARN");
    assert.is(line.code, code);
    assert.match(line.reason, reason);
    assert.equal(
      metricValues(run.emf, "ValidationFailures", { Reason: code }),
      [1],
      `ValidationFailures{Reason=${code}}`,
    );
  }
  for (let n = 4001; n <= 4007; n += 1) assert.equal(await queryVehicle(world, `VH${n}`), [], `VH${n} not stored`);
  assert.equal(metricValues(run.emf, "VehiclesStored"), [0]);
});

test("a message without an eventId attribute is stored under its SQS messageId", async ({ world }) => {
  const vehicleId = freshVehicleId();
  const event = await sqsEventFor(world, [{ body: vehicleBody({ vehicleId }), eventId: null }]);
  assert.is(event.Records[0]!.messageAttributes.eventId, undefined);
  await captureOutput(() => consumerFor(world)(event, lambdaContext()));
  const items = await queryVehicle(world, vehicleId);
  assert.is(items.length, 1);
  assert.is(items[0]!.eventId, event.Records[0]!.messageId);
});

test("a mixed batch: valid stored, duplicate skipped, invalid dead-lettered, all reported as success", async ({
  world,
}) => {
  const vehicleId = freshVehicleId();
  const duplicateId = nextEventId();
  const consume = consumerFor(world);
  await captureOutput(async () =>
    consume(
      await sqsEventFor(world, [{ body: vehicleBody({ vehicleId, color: "Red" }), eventId: duplicateId }]),
      lambdaContext(),
    ),
  );
  const event = await sqsEventFor(world, [
    { body: vehicleBody({ vehicleId, color: "Green" }), eventId: nextEventId() },
    { body: vehicleBody({ vehicleId, color: "Red" }), eventId: duplicateId },
    { body: vehicleBody({ vehicleId, year: 3000 }), eventId: nextEventId() },
  ]);
  const run = await captureOutput(() => consume(event, lambdaContext()));
  assert.equal(run.result, { batchItemFailures: [] });
  assert.equal(
    run.logs
      .filter((l) => l.outcome)
      .map((l) => [l.messageId, l.outcome])
      .sort(),
    [
      [event.Records[0]!.messageId, "stored"],
      [event.Records[1]!.messageId, "duplicate"],
      [event.Records[2]!.messageId, "invalid"],
    ].sort(),
  );
  assert.equal((await queryVehicle(world, vehicleId)).map((i) => i.color).sort(), ["Green", "Red"]);
  const summary = run.logs.find((l) => l.message === "batch processed");
  assert.equal(
    { ...summary, durationMs: typeof summary?.durationMs },
    { ...summary, records: 3, stored: 1, duplicates: 1, invalid: 1, failed: 0, durationMs: "number" },
  );
  const dead = await receiveAll(world.sqs, world.dlqUrl, 1);
  assert.is(dead[0]!.MessageAttributes!.errorCode!.StringValue, "OUT_OF_RANGE");
  assert.equal(metricValues(run.emf, "VehiclesStored"), [1]);
  assert.equal(metricValues(run.emf, "DuplicatesSkipped"), [1]);
  assert.equal(metricValues(run.emf, "ValidationFailures", { Reason: "OUT_OF_RANGE" }), [1]);
});

test("DynamoDB unreachable (a transient failure) makes the valid records batch item failures; the invalid one still goes to the DLQ", async ({
  world,
}) => {
  const vehicleId = freshVehicleId();
  const event = await sqsEventFor(world, [
    { body: vehicleBody({ vehicleId }), eventId: nextEventId() },
    { body: vehicleBody({ vehicleId, mileage: -5 }), eventId: nextEventId() },
    { body: vehicleBody({ vehicleId, color: "White" }), eventId: nextEventId() },
  ]);
  const closed = new DynamoDBClient(localClientConfig("http://127.0.0.1:1"));
  const run = await captureOutput(() =>
    consumerFor(world, { documentClient: DynamoDBDocumentClient.from(closed) })(event, lambdaContext()),
  );
  closed.destroy();
  // Records run in parallel, so failures are listed in completion order: compare as sets.
  assert.equal(
    run.result?.batchItemFailures.map((f) => f.itemIdentifier).sort(),
    [event.Records[0]!.messageId, event.Records[2]!.messageId].sort(),
  );
  const failed = run.logs.filter((l) => l.outcome === "failed");
  assert.is(failed.length, 2);
  const failure = failed[0]!;
  assert.is(failure.level, "ERROR");
  assert.is(failure.vehicleId, vehicleId);
  assert.match(failure.reason, /could not store message .*ECONNREFUSED/);
  assert.is(failure.error.name, "StoreWriteError");
  assert.is(failure.error.cause.code, "ECONNREFUSED", "the cause is logged");
  assert.equal(metricValues(run.emf, "TransientFailures"), [2]);
  assert.equal(await queryVehicle(world, vehicleId), []);
  const dead = await receiveAll(world.sqs, world.dlqUrl, 1);
  assert.is(dead[0]!.MessageAttributes!.sourceMessageId!.StringValue, event.Records[1]!.messageId);
});

test("every record failing (DynamoDB on a closed port) fails the invocation with FullBatchFailureError, and metrics still go out", async ({
  world,
}) => {
  const closed = new DynamoDBClient(localClientConfig("http://127.0.0.1:1"));
  const event = await sqsEventFor(world, [
    { body: vehicleBody({ vehicleId: freshVehicleId() }), eventId: nextEventId() },
    { body: vehicleBody({ vehicleId: freshVehicleId() }), eventId: nextEventId() },
  ]);
  const run = await captureOutput(() =>
    consumerFor(world, { documentClient: DynamoDBDocumentClient.from(closed) })(event, lambdaContext()),
  );
  closed.destroy();
  assert.instance(run.error, FullBatchFailureError);
  assert.is(run.logs.filter((l) => l.outcome === "failed").length, 2);
  assert.ok(run.logs.some((l) => /every record in the batch failed/.test(l.message)));
  assert.is(run.logs.find((l) => l.message === "batch processed")?.failed, 2);
  assert.equal(metricValues(run.emf, "TransientFailures"), [2]);
  assert.equal(metricValues(run.emf, "VehiclesStored"), [0]);
});

test("the SQS client is asked for only when a record is rejected", async ({ world }) => {
  let asked = 0;
  const consume = consumerFor(world, {
    sqs: () => {
      asked += 1;
      return world.sqs;
    },
  });
  const valid = await sqsEventFor(world, [
    { body: vehicleBody({ vehicleId: freshVehicleId() }), eventId: nextEventId() },
  ]);
  assert.equal((await captureOutput(() => consume(valid, lambdaContext()))).result, { batchItemFailures: [] });
  assert.is(asked, 0, "a batch of valid records made the DLQ's client");
  const invalid = await sqsEventFor(world, [{ body: "not json", eventId: nextEventId() }]);
  assert.equal((await captureOutput(() => consume(invalid, lambdaContext()))).result, { batchItemFailures: [] });
  assert.is(asked, 1);
  assert.is((await receiveAll(world.sqs, world.dlqUrl, 1)).length, 1);
});

test("a DLQ send failure makes the invalid record a batch item failure, so it is not deleted", async ({ world }) => {
  const vehicleId = freshVehicleId();
  const missingDlq = world.dlqUrl.replace(/vehicles-dlq$/, "no-such-dlq");
  const event = await sqsEventFor(world, [
    { body: vehicleBody({ vehicleId }), eventId: nextEventId() },
    { body: vehicleBody({ vehicleId, extra: 1 }), eventId: nextEventId() },
  ]);
  const run = await captureOutput(() => consumerFor(world, { dlqUrl: missingDlq })(event, lambdaContext()));
  assert.equal(run.result, { batchItemFailures: [{ itemIdentifier: event.Records[1]!.messageId }] });
  const failed = run.logs.find((l) => l.outcome === "failed");
  assert.is(failed?.error.name, "DeadLetterSendError");
  assert.equal(
    metricValues(run.emf, "ValidationFailures", { Reason: "UNKNOWN_FIELD" }),
    [],
    "not counted until it reaches the DLQ",
  );
  assert.is((await queryVehicle(world, vehicleId)).length, 1, "the valid record was stored");
});

test("a rejected message with 9 attributes keeps errorCode/errorReason/sourceMessageId, its eventId and 6 of its own, and logs the dropped names", async ({
  world,
}) => {
  const extraAttributes = Object.fromEntries(
    ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"].map((n) => [n, { DataType: "String", StringValue: n }]),
  );
  const event = await sqsEventFor(world, [{ body: "not json", eventId: nextEventId(), extraAttributes }]);
  const run = await captureOutput(() => consumerFor(world)(event, lambdaContext()));
  assert.equal(run.result, { batchItemFailures: [] });
  const [dead] = await receiveAll(world.sqs, world.dlqUrl, 1);
  const names = Object.keys(dead!.MessageAttributes!).sort();
  assert.is(names.length, 10);
  assert.equal(names, ["a1", "a2", "a3", "a4", "a5", "a6", "errorCode", "errorReason", "eventId", "sourceMessageId"]);
  assert.equal(run.logs.find((l) => l.outcome === "invalid")?.droppedAttributes, ["a7", "a8"]);
});

test("a Tracer outside Lambda disables itself and the consumer runs unchanged", async ({ world }) => {
  const tracer = new Tracer({ serviceName: "vehicle-consumer" });
  assert.is(tracer.isTracingEnabled(), false);
  const vehicleId = freshVehicleId();
  const event = await sqsEventFor(world, [{ body: vehicleBody({ vehicleId }), eventId: nextEventId() }]);
  const run = await captureOutput(() => consumerFor(world, { tracer })(event, lambdaContext()));
  assert.equal(run.result, { batchItemFailures: [] });
  assert.is((await queryVehicle(world, vehicleId)).length, 1);
});

test("with tracing on, each record gets a subsegment annotated with outcome and vehicleId, and its DynamoDB call nests inside", async ({
  world,
}) => {
  // Tracer enables itself only in Lambda (AWS_EXECUTION_ENV, read at construction). captureHTTPsRequests off:
  // it would patch node:http for the whole test process.
  const previous = process.env.AWS_EXECUTION_ENV;
  process.env.AWS_EXECUTION_ENV = "AWS_Lambda_nodejs22.x";
  const tracer = new Tracer({ serviceName: "vehicle-consumer", captureHTTPsRequests: false });
  if (previous === undefined) delete process.env.AWS_EXECUTION_ENV;
  else process.env.AWS_EXECUTION_ENV = previous;
  assert.ok(tracer.isTracingEnabled());
  const dynamo = tracer.captureAWSv3Client(new DynamoDBClient(localClientConfig(world.dynamoEmulator.endpoint)));
  const vehicleId = freshVehicleId();
  const event = await sqsEventFor(world, [
    { body: vehicleBody({ vehicleId }), eventId: nextEventId() },
    { body: vehicleBody({ vehicleId, year: 1 }), eventId: nextEventId() },
  ]);
  // What Lambda provides: a (facade) segment in the X-Ray context of the invocation.
  const root = new Segment("vehicle-consumer-test");
  const consume = consumerFor(world, { tracer, documentClient: DynamoDBDocumentClient.from(dynamo) });
  const run = await captureOutput(() =>
    getNamespace().runPromise(async () => {
      setSegment(root);
      return consume(event, lambdaContext());
    }),
  );
  dynamo.destroy();
  assert.equal(run.result, { batchItemFailures: [] });
  const records = (root.subsegments ?? []).filter((s) => s.name === "### storeVehicle") as Array<
    Subsegment & { annotations?: Record<string, unknown> }
  >;
  assert.equal(
    records.map((s) => s.annotations).sort((a, b) => String(a?.outcome).localeCompare(String(b?.outcome))),
    [
      { outcome: "invalid", vehicleId },
      { outcome: "stored", vehicleId },
    ],
  );
  const stored = records.find((s) => s.annotations?.outcome === "stored")!;
  assert.ok(
    stored.subsegments?.some((s) => s.name === "DynamoDB"),
    "the PutItem is traced under its record",
  );
  assert.ok(
    records.every((s) => s.isClosed()),
    "subsegments are closed",
  );
});

test("the cold start is counted once per consumer, when Lambda says the start is on demand", async ({ world }) => {
  // Powertools counts a cold start only when AWS_LAMBDA_INITIALIZATION_TYPE is "on-demand" (read at construction).
  const previous = process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = "on-demand";
  const metrics = testMetrics();
  if (previous === undefined) delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  else process.env.AWS_LAMBDA_INITIALIZATION_TYPE = previous;
  const consume = consumerFor(world, { metrics });
  const first = await captureOutput(async () =>
    consume(await sqsEventFor(world, [{ body: vehicleBody({ vehicleId: freshVehicleId() }) }]), lambdaContext()),
  );
  const second = await captureOutput(async () =>
    consume(await sqsEventFor(world, [{ body: vehicleBody({ vehicleId: freshVehicleId() }) }]), lambdaContext()),
  );
  assert.equal(metricValues(first.emf, "ColdStart"), [1]);
  assert.equal(metricValues(second.emf, "ColdStart"), []);
});

test("createConsumerFromEnvironment names a missing TABLE_NAME or DLQ_URL", () => {
  assert.throws(
    () => createConsumerFromEnvironment({ DLQ_URL: "http://q" }),
    (e: Error) => e instanceof ConsumerConfigurationError && /TABLE_NAME is not set/.test(e.message),
  );
  assert.throws(
    () => createConsumerFromEnvironment({ TABLE_NAME: "t", DLQ_URL: " " }),
    (e: Error) => e instanceof ConsumerConfigurationError && /DLQ_URL is not set/.test(e.message),
  );
});

test("X-Ray is present when Lambda's AWS_XRAY_DAEMON_ADDRESS is set, unless POWERTOOLS_TRACE_ENABLED says otherwise", () => {
  assert.is(xRayIsPresent({}), false);
  assert.is(xRayIsPresent({ AWS_XRAY_DAEMON_ADDRESS: "169.254.79.129:2000" }), true);
  assert.is(
    xRayIsPresent({ AWS_XRAY_DAEMON_ADDRESS: "169.254.79.129:2000", POWERTOOLS_TRACE_ENABLED: "false" }),
    false,
  );
  assert.is(xRayIsPresent({ POWERTOOLS_TRACE_ENABLED: "TRUE" }), true);
});

/** In a fresh process (this one has loaded the Tracer already): does the factory load Powertools Tracer and X-Ray? */
function factoryLoads(extraEnv: Record<string, string>): { tracer: boolean; xray: boolean } {
  const script = `
    const { createConsumerFromEnvironment } = require("./handlers");
    createConsumerFromEnvironment({ TABLE_NAME: "t", DLQ_URL: "http://127.0.0.1:1/000000000000/dlq", AWS_REGION: "us-east-1", ...${JSON.stringify(extraEnv)} });
    const loaded = Object.keys(require.cache);
    console.log(JSON.stringify({
      tracer: loaded.some((f) => f.includes("/@aws-lambda-powertools/tracer/")),
      xray: loaded.some((f) => f.includes("/aws-xray-sdk-core/")),
    }));`;
  const child = spawnSync(process.execPath, ["-r", "tsx/cjs", "-e", script], { cwd: process.cwd(), encoding: "utf8" });
  assert.is(child.status, 0, child.stderr);
  return JSON.parse(child.stdout.trim().split("\n").pop()!);
}

test("createConsumerFromEnvironment creates the Tracer (and loads aws-xray-sdk-core) only when X-Ray is present", () => {
  assert.equal(factoryLoads({}), { tracer: false, xray: false });
  assert.equal(factoryLoads({ AWS_XRAY_DAEMON_ADDRESS: "169.254.79.129:2000" }), { tracer: true, xray: true });
});

test.run();
