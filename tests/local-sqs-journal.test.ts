// With --persist, queue contents survive a SIGKILL of the process holding them: what SQS acknowledged is journaled
// before the answer leaves, and a new emulator on the same journal hands the messages back.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
} from "@aws-sdk/client-sqs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { replayJournal } from "../local/sqs-journal";
import { localSqsClient, receiveDistinct } from "./support/local-sqs";

const ROOT = resolve(__dirname, "..");
const scratch = mkdtempSync(join(tmpdir(), "sqs-journal-"));
const journal = join(scratch, "journal.jsonl");
const children = new Set<ChildProcess>();

/** Starts the journaled emulator in a child process and resolves with its endpoint. */
function startChild(port = 0): Promise<{ child: ChildProcess; endpoint: string; port: number }> {
  // One process (node with tsx's hooks), not the tsx CLI's two: SIGKILL must reach the emulator itself.
  const child = spawn(
    process.execPath,
    ["--require", "tsx/cjs", "tests/support/journaled-sqs-child.ts", journal, String(port)],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.add(child);
  child.on("exit", () => children.delete(child));
  return new Promise((resolveStart, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (out.includes("\n")) resolveStart({ child, ...JSON.parse(out.split("\n")[0]!) });
    });
    child.on("exit", (code) => reject(new Error(`the emulator exited with ${code} before listening`)));
  });
}

test.after(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(scratch, { recursive: true, force: true });
});

test("replay: a message lives in the queue of its last put, counts its receives, and leaves when deleted", () => {
  const message = (id: string) => ({ messageId: id, approximateReceiveCount: 0, body: id });
  const held = replayJournal([
    { op: "put", queue: "q", message: message("a") },
    { op: "put", queue: "q", message: message("b") },
    { op: "put", queue: "q", message: message("c") },
    { op: "received", id: "a" },
    { op: "deleted", id: "b" },
    { op: "put", queue: "dlq", message: { ...message("c"), approximateReceiveCount: 3 } },
  ]);
  assert.equal(
    held.get("q")?.map((m) => [m.messageId, m.approximateReceiveCount]),
    [["a", 1]],
  );
  assert.equal(
    held.get("dlq")?.map((m) => [m.messageId, m.approximateReceiveCount]),
    [["c", 3]],
  );
  assert.equal(
    replayJournal([
      { op: "put", queue: "q", message: message("a") },
      { op: "purged", queue: "q" },
    ]).size,
    0,
  );
});

test("after a SIGKILL, queued and in-flight messages come back with their ids, bodies, attributes and timestamps", async () => {
  const first = await startChild();
  let sqs = localSqsClient(first.endpoint);
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "kept" }))).QueueUrl!;
  for (let batch = 0; batch < 3; batch++) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Array.from({ length: 10 }, (_, i) => ({
          Id: String(i),
          MessageBody: `{"n":${batch * 10 + i}}`,
          MessageAttributes: { eventId: { DataType: "String", StringValue: `e-${batch * 10 + i}` } },
        })),
      }),
    );
  }
  const before = await receiveDistinct(sqs, queueUrl, 30);
  assert.is(before.length, 30);
  // Five deleted: gone for good; the other 25 were in flight when the process died.
  for (const message of before.slice(0, 5))
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
  first.child.kill("SIGKILL");
  await new Promise((done) => first.child.once("exit", done));
  sqs.destroy();

  const second = await startChild(first.port);
  sqs = localSqsClient(second.endpoint);
  // The queue comes back when it is created again, as the deploy does on every start.
  await sqs.send(new CreateQueueCommand({ QueueName: "kept" }));
  const depth = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  assert.is(depth.Attributes?.ApproximateNumberOfMessages, "25");
  const after = new Map((await receiveDistinct(sqs, queueUrl, 25)).map((m) => [m.MessageId!, m]));
  assert.is(after.size, 25);
  for (const old of before.slice(5)) {
    const again = after.get(old.MessageId!);
    assert.ok(again, `message ${old.MessageId} is back`);
    assert.is(again!.Body, old.Body);
    assert.equal(again!.MessageAttributes, old.MessageAttributes);
    assert.is(again!.MD5OfBody, old.MD5OfBody);
    assert.is(again!.Attributes?.SentTimestamp, old.Attributes?.SentTimestamp);
    assert.is(Number(again!.Attributes?.ApproximateReceiveCount), Number(old.Attributes?.ApproximateReceiveCount) + 1);
  }
  sqs.destroy();
  second.child.kill("SIGKILL");
});

test.run();
