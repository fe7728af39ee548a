// The consumer's pure decisions: which failures are retried, the JSON structure scan, what an eventId may be,
// which attributes a DLQ copy keeps within SQS's limits, and when a stored item conflicts with a new one.

import type { SQSRecord } from "aws-lambda";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { attributeBytes, MAX_EVENT_ID_BYTES, MAX_MESSAGE_BYTES } from "../contracts";
import { deadLetterAttributes } from "../handlers/dead-letter";
import { DeadLetterSendError, StoreWriteError } from "../handlers/errors";
import { readEventId } from "../handlers/event-id";
import { classifyFailure, mayPassOnRetry } from "../handlers/failure-class";
import { MAX_JSON_DEPTH, scanJsonStructure } from "../handlers/json-structure";
import { contentDifferences } from "../handlers/store";
import { DLQ_REASON_ATTRIBUTES, RECORD_MESSAGE_ID, sqsRecord, stringAttribute } from "./support/sqs-record";

const awsError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), {
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
    ...extra,
  });

test("transient: throttling, 5xx, timeouts, network errors, the SDK's retryable marks and deployment faults, also as a cause", () => {
  const transient = [
    awsError("ResourceNotFoundException", 400, { $retryable: undefined }),
    awsError("AccessDeniedException", 400, { $retryable: undefined }),
    awsError("ProvisionedThroughputExceededException", 400),
    awsError("ThrottlingException", 400),
    awsError("InternalServerError", 500),
    awsError("ServiceUnavailable", 503),
    awsError("Whatever", 429),
    awsError("SomethingNew", 400, { $retryable: { throttling: false } }),
    awsError("TimeoutError", 0),
    Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
    Object.assign(new Error("connect"), { code: "ECONNREFUSED" }),
  ];
  for (const error of transient) {
    assert.ok(mayPassOnRetry(error), `${error.name} may pass on retry`);
    assert.equal(classifyFailure(new StoreWriteError("m", error)), { kind: "transient" });
  }
});

test("permanent: DynamoDB validation errors, our own bugs and non-errors, each with a code and a reason", () => {
  // The SDK sets $retryable as an own property holding undefined on errors it will not retry.
  const validation = awsError("ValidationException", 400, { $retryable: undefined });
  assert.not.ok(mayPassOnRetry(validation));
  const stored = classifyFailure(new StoreWriteError("m", validation));
  assert.is(stored.kind, "permanent");
  assert.is(stored.kind === "permanent" && stored.code, "STORE_REJECTED");
  assert.match(stored.kind === "permanent" ? stored.reason : "", /ValidationException/);
  const bug = classifyFailure(new TypeError("Cannot read properties of undefined"));
  assert.equal(bug, {
    kind: "permanent",
    code: "CONSUMER_ERROR",
    reason: "TypeError: Cannot read properties of undefined",
  });
  assert.is(classifyFailure("thrown string").kind, "permanent");
  assert.is(classifyFailure(undefined).kind, "permanent");
  assert.is(classifyFailure(awsError("SerializationException", 400)).kind, "permanent");
});

test("a DLQ that refuses is never dead-lettered: the record stays on the source queue", () => {
  assert.equal(classifyFailure(new DeadLetterSendError("m", awsError("InvalidParameterValue", 400))), {
    kind: "undeliverable",
  });
});

test("scan: nesting is bounded without recursion, at any depth", () => {
  assert.equal(scanJsonStructure('{"a":[{"b":1}]}'), {});
  const deep = `{"vehicleId":"VH1","make":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
  assert.is(scanJsonStructure(deep).tooDeepAt, 26 + MAX_JSON_DEPTH - 1);
  assert.equal(scanJsonStructure("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH)), {});
  assert.ok(scanJsonStructure("[".repeat(MAX_JSON_DEPTH + 1)).tooDeepAt !== undefined);
  assert.equal(scanJsonStructure('{"a":"[[[[[[{{{{"}'), {}, "brackets inside strings are text");
});

test("scan: duplicate keys per object, as JSON.parse reads them, with their path", () => {
  assert.equal(scanJsonStructure('{"vehicleId":"VH900015","vehicleId":"VH900115"}'), {
    duplicateKey: { key: "vehicleId", path: [] },
  });
  assert.equal(scanJsonStructure('{"a":1,"\\u0061":2}').duplicateKey?.key, "a", "escapes decoded");
  assert.equal(scanJsonStructure('{"x":[{"k":1},{"k":2}],"y":{"k":1,"z":{"k":1}}}'), {}, "same key in other objects");
  assert.equal(scanJsonStructure('{"x":[{"k":1,"k":2}]}').duplicateKey, { key: "k", path: ["x", "[]"] });
  assert.equal(scanJsonStructure('{"a":"\\"a\\"","a":1}').duplicateKey?.key, "a", "escaped quotes in values");
  assert.equal(scanJsonStructure('{"a":1,'), {}, "malformed text is left to JSON.parse");
});

test("eventId: a non-empty String of at most 1,024 UTF-8 bytes; absent means the messageId", () => {
  assert.equal(readEventId(sqsRecord("{}")), { ok: true, eventId: RECORD_MESSAGE_ID });
  assert.equal(readEventId(sqsRecord("{}", { eventId: stringAttribute(" e-1 ") })), { ok: true, eventId: "e-1" });
  assert.equal(readEventId(sqsRecord("{}", { eventId: stringAttribute("e-1", "String.uuid") })), {
    ok: true,
    eventId: "e-1",
  });
  assert.ok(readEventId(sqsRecord("{}", { eventId: stringAttribute("é".repeat(512)) })).ok, "1,024 bytes is allowed");
  const refused = [
    stringAttribute(""),
    stringAttribute("   "),
    stringAttribute("é".repeat(513)),
    stringAttribute("e".repeat(MAX_EVENT_ID_BYTES + 1)),
    stringAttribute("e-1", "Number"),
    {
      dataType: "Binary",
      binaryValue: Buffer.from("e-1").toString("base64"),
      stringListValues: [],
      binaryListValues: [],
    },
  ];
  for (const eventId of refused) {
    const result = readEventId(sqsRecord("{}", { eventId }));
    assert.is(result.ok, false, JSON.stringify(eventId).slice(0, 80));
    assert.ok(!result.ok && result.reason.startsWith("eventId attribute"));
  }
});

test("DLQ attributes: the pipeline's own first (eventId included) when a sender set 10", () => {
  const attributes: SQSRecord["messageAttributes"] = { eventId: stringAttribute("e-1") };
  for (const name of ["a", "b", "c", "d", "e", "f", "g", "h", "i"]) attributes[name] = stringAttribute(name);
  const built = deadLetterAttributes(sqsRecord("{}", attributes), { code: "MISSING_FIELD", reason: "missing" });
  assert.equal(Object.keys(built.attributes), [...DLQ_REASON_ATTRIBUTES, "eventId", "a", "b", "c", "d", "e", "f"]);
  assert.equal(built.dropped, ["g", "h", "i"]);
  assert.is(built.reasonMessage, undefined);
});

test("DLQ attributes: empty values, which SQS refuses, are dropped rather than failing the send", () => {
  const built = deadLetterAttributes(sqsRecord("{}", { eventId: stringAttribute(""), note: stringAttribute("kept") }), {
    code: "BAD_EVENT_ID",
    reason: "empty",
  });
  assert.equal(Object.keys(built.attributes), ["errorCode", "errorReason", "sourceMessageId", "note"]);
  assert.equal(built.dropped, ["eventId"]);
});

test("DLQ attributes: a body near 1 MiB keeps whole; what does not fit is left out, and a reason message goes beside", () => {
  const full = "x".repeat(MAX_MESSAGE_BYTES);
  const built = deadLetterAttributes(sqsRecord(full, { eventId: stringAttribute("e-1") }), {
    code: "BAD_FORMAT",
    reason: "too long",
  });
  assert.equal(built.attributes, {});
  assert.equal(built.dropped, ["errorCode", "errorReason", "sourceMessageId", "eventId"]);
  const companion = built.reasonMessage!;
  assert.equal(companion.attributes.errorCode, { DataType: "String", StringValue: "BAD_FORMAT" });
  assert.equal(companion.attributes.sourceMessageId?.StringValue, RECORD_MESSAGE_ID);
  const md5 = require("node:crypto").createHash("md5").update(full).digest("hex");
  assert.is(companion.attributes.reasonForBodyMd5?.StringValue, md5);
  assert.equal(JSON.parse(companion.body), {
    reasonFor: { sourceMessageId: RECORD_MESSAGE_ID, bodyMd5: md5 },
    errorCode: "BAD_FORMAT",
    errorReason: "too long",
  });

  // Room for errorCode only: it is kept, and the rest of the reason still travels in the companion.
  const room = attributeBytes("errorCode", { DataType: "String", StringValue: "BAD_FORMAT" });
  const partial = deadLetterAttributes(sqsRecord("x".repeat(MAX_MESSAGE_BYTES - room)), {
    code: "BAD_FORMAT",
    reason: "r",
  });
  assert.equal(Object.keys(partial.attributes), ["errorCode"]);
  assert.ok(partial.reasonMessage);

  const fits = deadLetterAttributes(sqsRecord("x".repeat(MAX_MESSAGE_BYTES - 200)), {
    code: "BAD_FORMAT",
    reason: "r",
  });
  assert.equal(Object.keys(fits.attributes), ["errorCode", "errorReason", "sourceMessageId"]);
  assert.is(fits.reasonMessage, undefined);
});

test("conflicts: content fields compared with the stored item, in DynamoDB's wire form or plain", () => {
  const vehicle = { vehicleId: "VH2001", make: "Honda", model: "Civic", year: 2020, color: "Blue", mileage: 15000 };
  const wire = {
    vehicleId: { S: "VH2001" },
    make: { S: "Honda" },
    model: { S: "Civic" },
    year: { N: "2020" },
    color: { S: "Blue" },
    mileage: { N: "15000" },
    storedAt: { S: "2026-01-01T00:00:00.000Z" },
  };
  assert.equal(contentDifferences(wire, vehicle), []);
  assert.equal(contentDifferences({ ...wire, make: { S: "Ford" }, mileage: { N: "1" } }, vehicle), [
    'make "Ford" vs "Honda"',
    "mileage 1 vs 15000",
  ]);
  assert.equal(contentDifferences({ ...vehicle, color: "Red" }, vehicle), ['color "Red" vs "Blue"']);
});

test.run();
