// The DLQ commands and the consumer's reason messages, on fauxqs: a rejected body near 1 MiB has no room for its
// reason, so the consumer's own dead-letter code sends a small companion first. stats and peek read the reason from
// it, export keeps both, and redrive never sends a companion to the source queue.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { MAX_MESSAGE_BYTES } from "../contracts";
import { parseDlqArgs } from "../dlq/args";
import { exportMessages, peek, redrive, stats } from "../dlq/commands";
import type { DlqTarget } from "../dlq/queues";
import { sendToDeadLetterQueue } from "../handlers/dead-letter";
import { dlqTarget, failUntilDeadLettered, recordingIo, redrivePair } from "./support/dlq-fixtures";
import { type LocalSqs, queueDepth, startLocalSqs } from "./support/local-sqs";

const test = suite("dlq commands and the consumer's reason messages");
let fauxqs: LocalSqs;
let sqs: SQSClient;
let counter = 0;
const dir = mkdtempSync(join(tmpdir(), "dlq-reasons-"));

test.before(async () => {
  fauxqs = await startLocalSqs();
  sqs = fauxqs.sqs;
});
test.after(async () => {
  await fauxqs.close();
  rmSync(dir, { recursive: true, force: true });
});

const big = { MaximumMessageSize: String(MAX_MESSAGE_BYTES) };

/**
 * A body 10 bytes short of 1 MiB that is not JSON: the consumer rejects it and finds no room beside it for any
 * attribute, so the big copy carries no errorCode and would look moved without its companion.
 */
const PREFIX = '{"vehicleId":"VH4242","padding":"';
const bigBody = `${PREFIX}${"x".repeat(MAX_MESSAGE_BYTES - PREFIX.length - 10)}`;

function recordOf(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    body,
    messageAttributes: { eventId: { dataType: "String", stringValue: `event-${messageId}` } },
  } as unknown as SQSRecord;
}

/**
 * A DLQ holding: the big message dead-lettered twice (as a whole-batch retry would) with its two reason messages,
 * and two valid messages its redrive policy moved.
 */
async function dlqWithReasonMessages(): Promise<{ source: string; dlq: string; target: DlqTarget }> {
  counter += 1;
  const { source, dlq } = await redrivePair(sqs, `reasons-${counter}`, 1, big);
  const rejection = { code: "INVALID_JSON" as const, reason: "Unterminated string in JSON at position 1048398" };
  for (let copy = 0; copy < 2; copy += 1) {
    const sent = await sendToDeadLetterQueue(sqs, dlq, recordOf("source-big-1", bigBody), rejection);
    assert.ok(sent.reasonMessage, "the body must leave no room for the reason");
  }
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: source,
      Entries: [0, 1].map((i) => ({
        Id: String(i),
        MessageBody: JSON.stringify({ vehicleId: `VH${i}`, make: "Honda", model: "Civic", year: 2020 }),
        MessageAttributes: { eventId: { DataType: "String", StringValue: `moved-${i}` } },
      })),
    }),
  );
  await failUntilDeadLettered(sqs, source, dlq, 6);
  return { source, dlq, target: dlqTarget(sqs, source, dlq) };
}

const io = recordingIo;

async function receiveBodies(url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 1 }),
    );
    empty = Messages.length ? 0 : empty + 1;
    bodies.push(...Messages.map((m) => m.Body ?? ""));
  }
  return bodies;
}

test("stats reads the big message's code from its reason message and counts distinct sourceMessageIds", async () => {
  const { target } = await dlqWithReasonMessages();
  const out = io();
  assert.is(await stats(parseDlqArgs(["stats", "--json"]), target, out), 0);
  const result = JSON.parse(out.lines[0]!);
  assert.is(result.total, 6);
  assert.is(result.reasonMessages, 2);
  assert.is(result.reasonMessagesUnmatched, 0);
  assert.is(result.rejected, 2, "the big copies are rejected, not moved");
  assert.is(result.rejectedDistinct, 1, "two copies of one source message");
  assert.is(result.moved, 2);
  assert.is(result.movedDistinct, 2);
  assert.is(result.byGroup.INVALID_JSON, 2);
  const others = Object.keys(result.byGroup).filter((group) => group !== "INVALID_JSON");
  assert.is(
    others.reduce((n, group) => n + result.byGroup[group]!, 0),
    2,
    "both moved copies are grouped",
  );
  for (const group of others) assert.match(group, /^moved after \d+ receives$/);
  const text = io();
  await stats(parseDlqArgs(["stats"]), target, text);
  assert.match(text.lines[0]!, /2 rejected by the consumer \(errorCode; 1 distinct sourceMessageId\)/);
  assert.match(text.lines.join("\n"), /1 extra cop\(ies\) of rejected messages/);
});

test("peek shows the big message with the reason from its companion; export keeps both", async () => {
  const { target } = await dlqWithReasonMessages();
  const out = io();
  assert.is(await peek(parseDlqArgs(["peek", "--code", "INVALID_JSON", "--json"]), target, out), 0);
  assert.is(out.lines.length, 2, "the two big copies; the matched reason messages are shown inside them");
  for (const line of out.lines) {
    const m = JSON.parse(line);
    assert.is(m.body.length, bigBody.length);
    assert.is(m.errorReason, "Unterminated string in JSON at position 1048398");
    assert.is(m.sourceMessageId, "source-big-1");
    assert.ok(m.reasonFrom, "names the reason message it was read from");
  }
  const file = join(dir, `export-${counter}.jsonl`);
  assert.is(await exportMessages(parseDlqArgs(["export", "--out", file]), target, io()), 0);
  const exported = readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.is(exported.length, 6);
  assert.is(exported.filter((m) => m.reasonFor !== undefined).length, 2);
  assert.is(exported.filter((m) => m.reasonFrom !== undefined).length, 2);
});

test("redrive never sends a reason message to the source queue, even forced and unfiltered", async () => {
  const { source, dlq, target } = await dlqWithReasonMessages();
  const refused = io();
  assert.is(await redrive(parseDlqArgs(["redrive"]), target, refused), 1, "rejected (big) messages need --force");
  assert.is(await redrive(parseDlqArgs(["redrive", "--moved-only"]), target, io()), 0);
  const moved = await receiveBodies(source);
  assert.equal(moved.map((b) => JSON.parse(b).vehicleId).sort(), ["VH0", "VH1"]);
  assert.is(await queueDepth(sqs, dlq), 4);

  const forced = io();
  assert.is(await redrive(parseDlqArgs(["redrive", "--force"]), target, forced), 0);
  assert.match(forced.errors.join("\n"), /reason message\(s\) in the DLQ, which a move task would send/);
  const bodies = await receiveBodies(source);
  assert.is(bodies.length, 2);
  for (const b of bodies) assert.is(b, bigBody);
  assert.is(await queueDepth(sqs, dlq), 2, "the reason messages stay");
});

test.run();
