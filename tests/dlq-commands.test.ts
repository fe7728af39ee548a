// `npm run dlq` against fauxqs (with the embedded cloud's move-task operations): a DLQ holding messages the consumer
// rejected (errorCode) and messages the redrive policy moved (no errorCode, received more than once).

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteMessageBatchCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../contracts";
import { type DlqArgs, parseDlqArgs } from "../dlq/args";
import { exportMessages, peek, purge, redrive, stats } from "../dlq/commands";
import type { DlqTarget } from "../dlq/queues";
import { EXAMPLE_VEHICLE } from "../producer/vehicles";
import { dlqTarget, failUntilDeadLettered, recordingIo, redrivePair } from "./support/dlq-fixtures";
import { type LocalSqs, queueArn, queueDepth, startLocalSqs } from "./support/local-sqs";

const test = suite("dlq commands on fauxqs");
let fauxqs: LocalSqs;
let sqs: SQSClient;
let counter = 0;

test.before(async () => {
  fauxqs = await startLocalSqs();
  sqs = fauxqs.sqs;
});
test.after(() => fauxqs.close());

const arnOf = (url: string) => queueArn(sqs, url);
const depth = (url: string) => queueDepth(sqs, url);
const body = (i: number) => JSON.stringify({ ...EXAMPLE_VEHICLE, vehicleId: `VH${2000 + i}`, mileage: i });

/** A source queue with maxReceiveCount 2 and its DLQ holding `rejected` rejected and `moved` moved messages. */
async function dlqWith(rejected: number, moved: number): Promise<{ source: string; dlq: string; target: DlqTarget }> {
  counter += 1;
  const { source, dlq } = await redrivePair(sqs, `commands-${counter}`, 2);
  for (let i = 0; i < rejected; i += 10) {
    const entries = Array.from({ length: Math.min(10, rejected - i) }, (_, j) => ({
      Id: String(j),
      MessageBody: "{not json",
      MessageAttributes: {
        eventId: { DataType: "String", StringValue: `bad-${i + j}` },
        errorCode: { DataType: "String", StringValue: (i + j) % 2 ? "INVALID_JSON" : "MISSING_FIELD" },
        errorReason: { DataType: "String", StringValue: "the body is not JSON" },
        sourceMessageId: { DataType: "String", StringValue: `m-${i + j}` },
      },
    }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: dlq, Entries: entries }));
  }
  for (let i = 0; i < moved; i += 10) {
    const entries = Array.from({ length: Math.min(10, moved - i) }, (_, j) => ({
      Id: String(j),
      MessageBody: body(i + j),
      MessageAttributes: { eventId: { DataType: "String", StringValue: `ok-${i + j}` } },
    }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: source, Entries: entries }));
  }
  await failUntilDeadLettered(sqs, source, dlq, rejected + moved);
  return { source, dlq, target: dlqTarget(sqs, source, dlq) };
}

const io = recordingIo;

const args = (argv: string[]): DlqArgs => parseDlqArgs(argv);

async function drain(url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }),
    );
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => m.MessageAttributes?.eventId?.StringValue ?? ""));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

test("stats counts by errorCode and moved-after-N, and leaves every message in the queue", async () => {
  const { dlq, target } = await dlqWith(6, 14);
  const out = io();
  assert.is(await stats(args(["stats", "--json", "--by-prefix", "4"]), target, out), 0);
  const result = JSON.parse(out.lines[0]!);
  assert.is(result.total, 20);
  assert.is(result.rejected, 6);
  assert.is(result.moved, 14);
  assert.is(result.byGroup.INVALID_JSON, 3);
  assert.is(result.byGroup.MISSING_FIELD, 3);
  const movedGroups = Object.keys(result.byGroup).filter((k) => k.startsWith("moved after"));
  assert.ok(movedGroups.length >= 1);
  // The redrive policy moved them on the third receive; SQS keeps that count on the moved message.
  for (const group of movedGroups) assert.ok(Number(/\d+/.exec(group)![0]) > 2, group);
  assert.is(result.byPrefix.VH20, 14);
  assert.is(result.byPrefix["(no vehicleId)"], 6);
  assert.ok(result.oldest <= result.newest);
  assert.is(await depth(dlq), 20, "stats consumed or kept messages invisible");
});

test("peek shows attributes and body of the selected code without consuming; export writes every message", async () => {
  const { dlq, target } = await dlqWith(4, 3);
  const out = io();
  assert.is(await peek(args(["peek", "--code", "INVALID_JSON", "--json"]), target, out), 0);
  assert.is(out.lines.length, 2);
  for (const line of out.lines) {
    const m = JSON.parse(line);
    assert.is(m.errorCode, "INVALID_JSON");
    assert.is(m.errorReason, "the body is not JSON");
    assert.match(m.sourceMessageId, /^m-/);
    assert.match(m.eventId, /^bad-/);
    assert.is(m.body, "{not json");
    assert.ok(m.receiveCount >= 1 && m.sentAt);
  }
  assert.is(await depth(dlq), 7);
  const file = join(mkdtempSync(join(tmpdir(), "dlq-")), "out.jsonl");
  assert.is(await exportMessages(args(["export", "--out", file]), target, io()), 0);
  const exported = readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.is(exported.length, 7);
  assert.is(exported.filter((m) => m.errorCode === undefined).length, 3);
  assert.ok(exported.every((m) => m.receiptHandle === undefined && m.messageId));
  assert.is(await depth(dlq), 7, "export deleted or hid messages");
});

test("redrive --moved-only re-sends the moved ones with their eventId and keeps the rejected ones", async () => {
  const { source, dlq, target } = await dlqWith(5, 12);
  const dry = io();
  assert.is(await redrive(args(["redrive", "--moved-only", "--dry-run"]), target, dry), 0);
  assert.match(dry.lines.join("\n"), /would redrive 12/);
  assert.is(await depth(dlq), 17);
  assert.is(await redrive(args(["redrive", "--moved-only"]), target, io()), 0);
  assert.is(await depth(dlq), 5);
  const eventIds = await drain(source);
  assert.equal(eventIds.sort(), Array.from({ length: 12 }, (_, i) => `ok-${i}`).sort());
});

test("redrive --code refuses rejected messages without --force, and sends them with it", async () => {
  const { source, dlq, target } = await dlqWith(4, 2);
  const refused = io();
  assert.is(await redrive(args(["redrive", "--code", "MISSING_FIELD"]), target, refused), 1);
  assert.match(refused.errors.join("\n"), /refusing 2 rejected/);
  assert.is(await depth(dlq), 6);
  assert.is(await redrive(args(["redrive", "--code", "MISSING_FIELD", "--force", "--limit", "1"]), target, io()), 0);
  assert.is(await depth(dlq), 5);
  assert.equal((await drain(source)).length, 1);
});

test("a redrive that dies between send and delete loses nothing: a rerun leaves at most duplicates", async () => {
  const { source, dlq, target } = await dlqWith(0, 30);
  // A client whose third DeleteMessageBatch fails, as if the process died right after sending that batch.
  const dying = new SQSClient({
    endpoint: fauxqs.endpoint,
    region: LOCAL_REGION,
    credentials: { ...LOCAL_CREDENTIALS },
  });
  let deletes = 0;
  dying.middlewareStack.add(
    (next, context) => async (input) => {
      if (context.commandName === "DeleteMessageBatchCommand" && ++deletes === 3) throw new Error("process died");
      return next(input);
    },
    { step: "initialize" },
  );
  // A one-second hold: what the dead run held comes back as it would after a crash.
  await redrive(args(["redrive", "--moved-only", "--hold", "1s"]), { ...target, sqs: dying }, io()).then(
    () => assert.unreachable("the injected failure did not surface"),
    (error: Error) => assert.match(error.message, /process died/),
  );
  dying.destroy();
  // Wait until what the dead run held is visible again (hang guard only, no timing assumed).
  for (let i = 0; i < 600 && (await queueDepth(sqs, dlq, "ApproximateNumberOfMessagesNotVisible")) > 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  assert.is(await redrive(args(["redrive", "--moved-only"]), target, io()), 0);
  assert.is(await depth(dlq), 0);
  const eventIds = await drain(source);
  const distinct = new Set(eventIds);
  assert.is(distinct.size, 30, "a message was lost");
  assert.ok(eventIds.length - distinct.size <= 10, `more duplicates than one batch: ${eventIds.length}`);
});

test("redrive without a filter starts a move task and --wait follows it to COMPLETED", async () => {
  const { source, dlq, target } = await dlqWith(0, 15);
  const out = io();
  assert.is(await redrive(args(["redrive", "--wait", "--rate", "100/s"]), target, out), 0);
  assert.match(out.lines.join("\n"), /COMPLETED: moved 15 of 15/);
  assert.is(await depth(dlq), 0);
  assert.is((await drain(source)).length, 15);
  const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: await arnOf(dlq) }));
  assert.is(Results[0]?.MaxNumberOfMessagesPerSecond, 100);
  assert.is(Results[0]?.TaskHandle, undefined, "AWS shows the handle only while the task runs");
});

test("redrive without a filter refuses a DLQ holding rejected messages unless --force", async () => {
  const { dlq, target } = await dlqWith(2, 2);
  assert.is(await redrive(args(["redrive"]), target, io()), 1);
  assert.is(await depth(dlq), 4);
});

test("the move task API rejects what AWS rejects", async () => {
  const { source, dlq } = await dlqWith(0, 1);
  const start = (input: Record<string, unknown>) =>
    sqs.send(new StartMessageMoveTaskCommand(input as never)).then(
      () => "ok",
      (error: Error) => error.name,
    );
  assert.match(await start({ SourceArn: await arnOf(source) }), /InvalidParameterValue/);
  assert.match(await start({ SourceArn: "arn:aws:sqs:us-east-1:000000000000:nope" }), /ResourceNotFound/);
  assert.match(
    await start({ SourceArn: await arnOf(dlq), MaxNumberOfMessagesPerSecond: 501 }),
    /InvalidParameterValue/,
  );
  assert.is(await start({ SourceArn: await arnOf(dlq), MaxNumberOfMessagesPerSecond: 1 }), "ok");
});

test("purge exports first, then deletes exactly what it exported", async () => {
  const { dlq, target } = await dlqWith(3, 4);
  const cwd = process.cwd();
  const folder = mkdtempSync(join(tmpdir(), "dlq-purge-"));
  process.chdir(folder);
  try {
    const out = io();
    assert.is(await purge(args(["purge", "--yes"]), target, out), 0);
    const file = /exported to (\S+)/.exec(out.lines.join("\n"))![1]!;
    assert.is(readFileSync(join(folder, file), "utf8").trim().split("\n").length, 7);
  } finally {
    process.chdir(cwd);
  }
  assert.is(await depth(dlq), 0);
});

test.run();
