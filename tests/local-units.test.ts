import { test } from "uvu";
import * as assert from "uvu/assert";
import { UsageError } from "../contracts";
import { parseCliArgs } from "../local/cli-args";
import { queueAttributes } from "../local/deploy";
import { lambdaHeapLimits } from "../local/execution-environment";
import { parseFunctionLine } from "../local/function-output";
import { buildSqsEvent, judgeBatchResponse } from "../local/sqs-event";
import { judgeRun } from "../local/verify";
import { parseProducerArgs } from "../producer/args";

test("a success without ReportBatchItemFailures deletes the whole batch, whatever the response says", () => {
  assert.equal(judgeBatchResponse(["a", "b"], { batchItemFailures: [{ itemIdentifier: "a" }] }, false), {
    kind: "delete",
    messageIds: ["a", "b"],
    failedIds: [],
  });
});

test("batchItemFailures keeps the listed messages and deletes the others", () => {
  assert.equal(judgeBatchResponse(["a", "b", "c"], { batchItemFailures: [{ itemIdentifier: "b" }] }, true), {
    kind: "delete",
    messageIds: ["a", "c"],
    failedIds: ["b"],
  });
  assert.equal(judgeBatchResponse(["a"], { batchItemFailures: [] }, true), {
    kind: "delete",
    messageIds: ["a"],
    failedIds: [],
  });
  assert.equal(judgeBatchResponse(["a"], null, true), { kind: "delete", messageIds: ["a"], failedIds: [] });
});

test("an unknown or empty itemIdentifier fails the whole batch, as Lambda treats an invalid response", () => {
  assert.is(judgeBatchResponse(["a", "b"], { batchItemFailures: [{ itemIdentifier: "zzz" }] }, true).kind, "retry-all");
  assert.is(judgeBatchResponse(["a", "b"], { batchItemFailures: [{ itemIdentifier: "" }] }, true).kind, "retry-all");
  assert.is(judgeBatchResponse(["a"], { batchItemFailures: "a" }, true).kind, "retry-all");
});

test("the SQS event has Lambda's record shape and message attributes in lower camel case", () => {
  const event = buildSqsEvent(
    [
      {
        MessageId: "m1",
        ReceiptHandle: "r1",
        Body: "{}",
        MD5OfBody: "99914b932bd37a50b983c5e7c90ae93b",
        Attributes: {
          ApproximateReceiveCount: "2",
          SentTimestamp: "1700000000000",
          SenderId: "000000000000",
          ApproximateFirstReceiveTimestamp: "1700000000100",
        },
        MessageAttributes: {
          eventId: { DataType: "String", StringValue: "e1" },
          blob: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2]) },
        },
      },
    ],
    "arn:aws:sqs:us-east-1:000000000000:q",
    "us-east-1",
  );
  const record = event.Records[0]!;
  assert.is(record.eventSource, "aws:sqs");
  assert.is(record.eventSourceARN, "arn:aws:sqs:us-east-1:000000000000:q");
  assert.is(record.awsRegion, "us-east-1");
  assert.is(record.attributes.ApproximateReceiveCount, "2");
  assert.is(record.md5OfBody, "99914b932bd37a50b983c5e7c90ae93b");
  assert.equal(record.messageAttributes.eventId, {
    stringValue: "e1",
    stringListValues: [],
    binaryListValues: [],
    dataType: "String",
  });
  assert.is(record.messageAttributes.blob!.binaryValue, "AQI=");
});

test("an EMF line becomes one metric per dimension set; other JSON is a log line; the rest is text", () => {
  const emf = parseFunctionLine(
    JSON.stringify({
      _aws: {
        Timestamp: 1,
        CloudWatchMetrics: [
          {
            Namespace: "VehiclePipeline",
            Dimensions: [["service"]],
            Metrics: [
              { Name: "VehiclesStored", Unit: "Count" },
              { Name: "EndToEndLatency", Unit: "Milliseconds" },
            ],
          },
        ],
      },
      service: "vehicle-consumer",
      VehiclesStored: 7,
      EndToEndLatency: [12, 40],
    }),
  );
  assert.is(emf.kind, "emf");
  if (emf.kind !== "emf") return;
  assert.equal(emf.metrics, [
    {
      namespace: "VehiclePipeline",
      metric: "VehiclesStored",
      dimensions: { service: "vehicle-consumer" },
      unit: "Count",
      values: [7],
    },
    {
      namespace: "VehiclePipeline",
      metric: "EndToEndLatency",
      dimensions: { service: "vehicle-consumer" },
      unit: "Milliseconds",
      values: [12, 40],
    },
  ]);
  assert.is(parseFunctionLine('{"level":"INFO","message":"vehicle stored"}').kind, "log");
  assert.is(parseFunctionLine("START RequestId: x").kind, "text");
  assert.is(parseFunctionLine("{not json").kind, "text");
});

test("queue attributes come from the declared inputs, in SQS's names", () => {
  assert.equal(
    queueAttributes({
      visibilityTimeoutSeconds: 180,
      messageRetentionSeconds: 345600,
      maxMessageSize: 262144,
      sqsManagedSseEnabled: true,
    }),
    {
      VisibilityTimeout: "180",
      MessageRetentionPeriod: "345600",
      MaximumMessageSize: "262144",
    },
  );
});

const body = (vehicleId: string) =>
  JSON.stringify({ vehicleId, make: "Honda", model: "Civic", year: 2020, color: "Blue", mileage: 10 });
const item = (eventId: string, vehicleId: string) => ({ eventId, ...JSON.parse(body(vehicleId)) });
const codes = { "invalid-json": "INVALID_JSON" };

test("verification passes when every valid message is stored once and every invalid one is dead-lettered with its code", () => {
  const v = judgeRun(
    [
      { eventId: "e1", kind: "valid" as const, body: body("VH2001") },
      { eventId: "e2", kind: "invalid-json" as const, body: "{" },
    ],
    [item("e1", "VH2001")],
    [{ eventId: "e2", errorCode: "INVALID_JSON", errorReason: "not JSON", body: "{" }],
    0,
    codes,
  );
  assert.ok(v.ok, v.problems.join("\n"));
  assert.is(v.storedCorrectly, 1);
  assert.is(v.deadLetteredCorrectly, 1);
});

test("verification fails on a lost, duplicated, altered or misrouted message, or a non-empty queue", () => {
  const sent = [{ eventId: "e1", kind: "valid" as const, body: body("VH2001") }];
  assert.is(judgeRun(sent, [], [], 0, codes).lost, 1);
  assert.is(judgeRun(sent, [item("e1", "VH2001"), item("e1", "VH2002")], [], 0, codes).duplicated, 1);
  assert.is(judgeRun(sent, [{ ...item("e1", "VH2001"), mileage: 11 }], [], 0, codes).mismatched, 1);
  assert.is(judgeRun(sent, [], [{ eventId: "e1", errorCode: "X", errorReason: "y", body: "" }], 0, codes).misrouted, 1);
  assert.not.ok(judgeRun(sent, [item("e1", "VH2001")], [], 3, codes).ok);
  const wrongCode = judgeRun(
    [{ eventId: "e2", kind: "invalid-json" as const, body: "{" }],
    [],
    [{ eventId: "e2", errorCode: "MISSING_FIELD", errorReason: "r", body: "{" }],
    0,
    codes,
  );
  assert.not.ok(wrongCode.ok);
  assert.is(wrongCode.mismatched, 1);
});

test("a message the source queue still holds is left in the queue, not lost, and still fails the run", () => {
  const sent = [
    { eventId: "e1", kind: "valid" as const, body: body("VH2001") },
    { eventId: "e2", kind: "valid" as const, body: body("VH2002") },
  ];
  const v = judgeRun(sent, [], [], 1, codes, { heldInQueue: new Set(["e1"]) });
  assert.not.ok(v.ok);
  assert.is(v.lost, 1, "e2 is nowhere: lost");
  assert.is(v.leftInQueue, 1);
  assert.is(v.problems.length, 2);
  assert.match(v.problems[0]!, /^lost: valid message e2 is neither in the table nor in the DLQ$/);
  assert.match(v.problems[1]!, /^1 message\(s\) still in the source queue when the run ended, not yet processed: gone/);
  const kept = judgeRun(sent, [], [], 1, codes, { heldInQueue: new Set(["e1"]), persist: true });
  assert.match(kept.problems[1]!, /kept on disk for the next run with --persist$/);
});

test("the CLI passes producer flags through and names a bad flag with an example", () => {
  const args = parseCliArgs(["run", "--rate", "50/s", "--duration", "10s", "--invalid-ratio", "0.1"]);
  assert.equal(args.load, { rate: 50, durationMs: 10_000, invalidRatio: 0.1 });
  assert.equal(parseCliArgs([]).load, { rate: 200, durationMs: 30_000, invalidRatio: 0.02 });
  assert.equal(parseCliArgs(["--count", "300"]).load, { rate: 200, count: 300, invalidRatio: 0.02 });
  assert.is(parseCliArgs(["up", "--port", "4566", "--persist"]).port, 4566);
  assert.throws(
    () => parseCliArgs(["--rate", "fast"]),
    (e: Error) => e instanceof UsageError && /--rate "fast"/.test(e.message) && /200\/s/.test(e.message),
  );
  assert.throws(() => parseCliArgs(["--invalid-ratio", "2"]), /--invalid-ratio "2": expected a fraction from 0 to 1/);
  assert.throws(() => parseCliArgs(["--port", "x"]), /--port "x"/);
  assert.throws(() => parseCliArgs(["deploy"]), /unknown command "deploy"/);
  assert.throws(() => parseCliArgs(["--profile", "50/s:5s", "--rate", "5"]), /--profile replaces --rate/);
});

test("npm start and tsx producer read --rate the same way, max included", () => {
  for (const raw of ["max", "MAX", "200/s", "12000/m", "0.5"])
    assert.is(parseCliArgs(["run", "--rate", raw]).load.rate, parseProducerArgs(["--rate", raw]).rate, raw);
  assert.is(parseCliArgs(["--rate", "max"]).load.rate, Infinity);
  for (const raw of ["0", "fast", "1/fortnight"]) {
    const refusal = (parse: () => unknown) => {
      try {
        parse();
      } catch (error) {
        return (error as Error).message;
      }
      return "accepted";
    };
    assert.is(
      refusal(() => parseCliArgs(["--rate", raw])),
      refusal(() => parseProducerArgs(["--rate", raw])),
      raw,
    );
  }
});

test("an environment's V8 heap is split as Lambda's Node.js bootstrap splits the function's memory", () => {
  // --max-semi-space-size = memory / 10 / 2, --max-old-space-size = memory - memory / 10; young = 3 semi-spaces.
  assert.equal(lambdaHeapLimits(256), { maxOldGenerationSizeMb: 231, maxYoungGenerationSizeMb: 36 });
  assert.equal(lambdaHeapLimits(128), { maxOldGenerationSizeMb: 116, maxYoungGenerationSizeMb: 18 });
  assert.equal(lambdaHeapLimits(1024), { maxOldGenerationSizeMb: 922, maxYoungGenerationSizeMb: 153 });
});

test.run();
