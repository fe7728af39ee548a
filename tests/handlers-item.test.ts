// buildVehicleItem and the DLQ attribute builder: pure functions over real-shaped SQS records.

import type { SQSRecord } from "aws-lambda";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { deadLetterAttributes } from "../handlers/dead-letter";
import { buildVehicleItem, eventIdOf } from "../handlers/item";
import { EXAMPLE_VEHICLE } from "../producer/vehicles";
import { DLQ_REASON_ATTRIBUTES, RECORD_MESSAGE_ID, sqsRecord, stringAttribute } from "./support/sqs-record";

const EVENT_ID = "019abc12-3456-7def-8123-456789abcdef";
const NOW = new Date("2026-11-28T01:30:00.123Z");

/** The example vehicle on its third receive, with the producer's eventId. */
function record(overrides: Partial<SQSRecord> = {}): SQSRecord {
  const first = sqsRecord(JSON.stringify(EXAMPLE_VEHICLE), { eventId: stringAttribute(EVENT_ID) });
  return { ...first, attributes: { ...first.attributes, ApproximateReceiveCount: "3" }, ...overrides };
}

test("the item carries the vehicle, the producer's eventId, and the SQS facts", () => {
  assert.equal(buildVehicleItem(EXAMPLE_VEHICLE, record(), EVENT_ID, NOW), {
    ...EXAMPLE_VEHICLE,
    eventId: EVENT_ID,
    messageId: RECORD_MESSAGE_ID,
    sentAt: "2026-11-28T01:30:00.000Z",
    storedAt: "2026-11-28T01:30:00.123Z",
    receiveCount: 3,
  });
});

test("eventIdOf, for logs: the attribute cut short, else the messageId", () => {
  assert.is(eventIdOf(record({ messageAttributes: {} })), RECORD_MESSAGE_ID);
  const long = record({
    messageAttributes: {
      eventId: { dataType: "String", stringValue: "e".repeat(2000), stringListValues: [], binaryListValues: [] },
    },
  });
  assert.is(eventIdOf(long), "e".repeat(64));
});

test("receiveCount is a number and sentAt is ISO", () => {
  const item = buildVehicleItem(EXAMPLE_VEHICLE, record(), EVENT_ID, NOW);
  assert.type(item.receiveCount, "number");
  assert.is(new Date(item.sentAt).getTime(), 1795829400000);
});

test("DLQ attributes: ours first, then the originals in name order, at most 10, binary kept as bytes", () => {
  const messageAttributes: SQSRecord["messageAttributes"] = {};
  for (const name of ["k", "j", "i", "h", "g", "f", "e", "d", "c", "b"])
    messageAttributes[name] = stringAttribute(name);
  messageAttributes.a = {
    dataType: "Binary",
    binaryValue: Buffer.from([1, 2, 3]).toString("base64"),
    stringListValues: [],
    binaryListValues: [],
  };
  messageAttributes.errorCode = stringAttribute("sender's own");
  const built = deadLetterAttributes(record({ messageAttributes }), {
    code: "UNKNOWN_FIELD",
    reason: 'unknown field "x"',
  });
  assert.equal(Object.keys(built.attributes), [...DLQ_REASON_ATTRIBUTES, "a", "b", "c", "d", "e", "f", "g"]);
  assert.equal(built.dropped, ["h", "i", "j", "k"]);
  assert.equal(
    built.attributes.errorCode,
    { DataType: "String", StringValue: "UNKNOWN_FIELD" },
    "a sender's errorCode does not mask ours",
  );
  assert.equal(built.attributes.sourceMessageId, {
    DataType: "String",
    StringValue: RECORD_MESSAGE_ID,
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
