// buildVehicleItem and the DLQ attribute builder: pure functions over real-shaped SQS records.

import type { SQSRecord } from "aws-lambda";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { deadLetterAttributes } from "../handlers/dead-letter";
import { buildVehicleItem, eventIdOf } from "../handlers/item";

const VEHICLE = { vehicleId: "VH2001", make: "Honda", model: "Civic", year: 2020, color: "Blue", mileage: 15000 };
const NOW = new Date("2026-11-28T01:30:00.123Z");

function record(overrides: Partial<SQSRecord> = {}): SQSRecord {
  return {
    messageId: "059f36b4-87a3-44ab-83d2-661975830a7d",
    receiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
    body: JSON.stringify(VEHICLE),
    attributes: {
      ApproximateReceiveCount: "3",
      SentTimestamp: "1795829400000",
      SenderId: "AIDAIENQZJOLO23YVJ4VO",
      ApproximateFirstReceiveTimestamp: "1795829400500",
    },
    messageAttributes: {
      eventId: {
        dataType: "String",
        stringValue: "019abc12-3456-7def-8123-456789abcdef",
        stringListValues: [],
        binaryListValues: [],
      },
    },
    md5OfBody: "e4e68fb7bd0e697a0ae8f1bb342846b3",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:vehicles",
    awsRegion: "us-east-1",
    ...overrides,
  };
}

test("the item carries the vehicle, the producer's eventId, and the SQS facts", () => {
  assert.equal(buildVehicleItem(VEHICLE, record(), "019abc12-3456-7def-8123-456789abcdef", NOW), {
    ...VEHICLE,
    eventId: "019abc12-3456-7def-8123-456789abcdef",
    messageId: "059f36b4-87a3-44ab-83d2-661975830a7d",
    sentAt: "2026-11-28T01:30:00.000Z",
    storedAt: "2026-11-28T01:30:00.123Z",
    receiveCount: 3,
  });
});

test("eventIdOf, for logs: the attribute cut short, else the messageId", () => {
  assert.is(eventIdOf(record({ messageAttributes: {} })), "059f36b4-87a3-44ab-83d2-661975830a7d");
  const long = record({
    messageAttributes: {
      eventId: { dataType: "String", stringValue: "e".repeat(2000), stringListValues: [], binaryListValues: [] },
    },
  });
  assert.is(eventIdOf(long), "e".repeat(64));
});

test("receiveCount is a number and sentAt is ISO", () => {
  const item = buildVehicleItem(VEHICLE, record(), "019abc12-3456-7def-8123-456789abcdef", NOW);
  assert.type(item.receiveCount, "number");
  assert.is(new Date(item.sentAt).getTime(), 1795829400000);
});

test("DLQ attributes: ours first, then the originals in name order, at most 10, binary kept as bytes", () => {
  const messageAttributes: SQSRecord["messageAttributes"] = {};
  for (const name of ["k", "j", "i", "h", "g", "f", "e", "d", "c", "b"]) {
    messageAttributes[name] = { dataType: "String", stringValue: name, stringListValues: [], binaryListValues: [] };
  }
  messageAttributes.a = {
    dataType: "Binary",
    binaryValue: Buffer.from([1, 2, 3]).toString("base64"),
    stringListValues: [],
    binaryListValues: [],
  };
  messageAttributes.errorCode = {
    dataType: "String",
    stringValue: "sender's own",
    stringListValues: [],
    binaryListValues: [],
  };
  const built = deadLetterAttributes(record({ messageAttributes }), {
    code: "UNKNOWN_FIELD",
    reason: 'unknown field "x"',
  });
  assert.equal(Object.keys(built.attributes), [
    "errorCode",
    "errorReason",
    "sourceMessageId",
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
  ]);
  assert.equal(built.dropped, ["h", "i", "j", "k"]);
  assert.equal(
    built.attributes.errorCode,
    { DataType: "String", StringValue: "UNKNOWN_FIELD" },
    "a sender's errorCode does not mask ours",
  );
  assert.equal(built.attributes.sourceMessageId, {
    DataType: "String",
    StringValue: "059f36b4-87a3-44ab-83d2-661975830a7d",
  });
  assert.equal(built.attributes.a, { DataType: "Binary", BinaryValue: Buffer.from([1, 2, 3]) });
});

test("DLQ errorReason: characters SQS refuses are replaced, and the length is bounded", () => {
  const built = deadLetterAttributes(record(), { code: "INVALID_JSON", reason: `bad \u0001 char ${"x".repeat(5000)}` });
  const reason = built.attributes.errorReason!.StringValue!;
  assert.ok(reason.startsWith("bad \uFFFD char "));
  assert.is(reason.length, 1024);
});

test.run();
