import { createServer, type IncomingMessage, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateQueueCommand, type Message, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../contracts";
import { parseVehicleMessage } from "../handlers/vehicle";
import { type RunningEmulator, startSqs } from "../local/emulators";
import { MessageTooLargeError } from "../producer/message-size";
import type { MessageSource, OutgoingMessage } from "../producer/messages";
import { type ProduceProgress, produce } from "../producer/produce";
import { FatalSendError, sendBatch } from "../producer/sender";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const send = suite("producer sending to fauxqs");
const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5 };

let sqsServer: RunningEmulator;
let direct: SQSClient;
const closers: (() => Promise<void>)[] = [];

function clientFor(endpoint: string): SQSClient {
  const client = new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  closers.push(async () => client.destroy());
  return client;
}

let queueNumber = 0;
async function newQueue(attributes: Record<string, string> = {}): Promise<string> {
  const answer = await direct.send(
    new CreateQueueCommand({ QueueName: `producer-test-${++queueNumber}`, Attributes: attributes }),
  );
  return answer.QueueUrl!;
}

/** Every message on the queue (received once each: the default 30 s visibility hides what we already read). */
async function drain(queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const answer = await direct.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
        WaitTimeSeconds: 0,
      }),
    );
    if (!answer.Messages?.length) return all;
    all.push(...answer.Messages);
  }
}

interface Entry {
  Id: string;
  MessageBody: string;
  MessageAttributes?: { eventId?: { StringValue?: string } };
}
interface Call {
  number: number;
  entries: Entry[];
}
/** What the proxy does to one SendMessageBatch call: fail it whole, drop the connection, or fail some entries. */
type Fault =
  | { kind: "status"; status: number }
  | { kind: "drop" }
  | { kind: "entries"; fail: (entry: Entry) => false | { senderFault: boolean; code: string } }
  | { kind: "delay"; ms: number }
  | undefined;

/**
 * A real HTTP proxy in front of fauxqs that rewrites SendMessageBatch answers the way SQS can fail:
 * some entries moved to `Failed`, a 500 for the whole call, or a dropped connection. It records every
 * call it sees, so tests can check what the producer re-sent and with which eventIds.
 */
async function startFaultyProxy(
  target: string,
  decide: (call: Call) => Fault,
): Promise<{ endpoint: string; calls: Call[] }> {
  const calls: Call[] = [];
  const forward = (req: IncomingMessage, body: string) =>
    new Promise<{ status: number; headers: Record<string, string>; text: string }>((resolve, reject) => {
      const url = new URL(target);
      const headers = { ...req.headers, "content-length": String(Buffer.byteLength(body)) };
      const outgoing = request(
        { host: url.hostname, port: url.port, method: req.method, path: req.url, headers },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk) => (text += chunk));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 500,
              headers: { "content-type": String(res.headers["content-type"] ?? "application/x-amz-json-1.0") },
              text,
            }),
          );
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", async () => {
      const isBatch = req.headers["x-amz-target"] === "AmazonSQS.SendMessageBatch";
      if (!isBatch) {
        const answer = await forward(req, body);
        res.writeHead(answer.status, answer.headers).end(answer.text);
        return;
      }
      const request = JSON.parse(body) as { QueueUrl: string; Entries: Entry[] };
      const call: Call = { number: calls.length + 1, entries: request.Entries };
      calls.push(call);
      const fault = decide(call);
      if (fault?.kind === "drop") return req.socket.destroy();
      if (fault?.kind === "status") {
        res
          .writeHead(fault.status, { "content-type": "application/x-amz-json-1.0" })
          .end(JSON.stringify({ __type: "com.amazonaws.sqs#InternalError", message: "injected by the test proxy" }));
        return;
      }
      if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));
      const failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] = [];
      const kept = request.Entries.filter((entry) => {
        const verdict = fault?.kind === "entries" ? fault.fail(entry) : false;
        if (verdict)
          failed.push({
            Id: entry.Id,
            SenderFault: verdict.senderFault,
            Code: verdict.code,
            Message: "injected by the test proxy",
          });
        return !verdict;
      });
      let successful: unknown[] = [];
      if (kept.length > 0) {
        const answer = await forward(req, JSON.stringify({ ...request, Entries: kept }));
        const parsed = JSON.parse(answer.text) as { Successful?: unknown[]; Failed?: typeof failed };
        successful = parsed.Successful ?? [];
        failed.push(...(parsed.Failed ?? []));
      }
      res
        .writeHead(200, { "content-type": "application/x-amz-json-1.0" })
        .end(JSON.stringify({ Successful: successful, Failed: failed }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

const eventIdOf = (entry: Entry) => entry.MessageAttributes?.eventId?.StringValue ?? "";

send.before(async () => {
  sqsServer = await startSqs();
  direct = clientFor(sqsServer.endpoint);
});

send.after(async () => {
  for (const close of closers.reverse()) await close();
  await sqsServer.close();
});

send("137 messages in batches of 10: each received exactly once, with unique UUIDv7 eventIds", async () => {
  const queueUrl = await newQueue();
  const proxy = await startFaultyProxy(sqsServer.endpoint, () => undefined);
  const summary = await produce(
    { queueUrl, count: 137, rate: 2000, batchSize: 10, concurrency: 4, seed: 1 },
    { sqs: clientFor(proxy.endpoint) },
  );
  assert.is(summary.sent, 137);
  assert.is(summary.generated, 137);
  assert.is(summary.failed, 0);
  assert.is(summary.retried, 0);
  assert.is(summary.stoppedBy, "count");
  assert.is(summary.calls, 14);
  assert.equal(
    proxy.calls.map((call) => call.entries.length).sort((a, b) => a - b),
    [7, ...Array(13).fill(10)],
  );
  assert.is(summary.latencyMs.count, 14);
  assert.ok(
    summary.latencyMs.p50 > 0 &&
      summary.latencyMs.p50 <= summary.latencyMs.p95 &&
      summary.latencyMs.p95 <= summary.latencyMs.p99,
  );

  const received = await drain(queueUrl);
  assert.is(received.length, 137);
  const eventIds = received.map((message) => message.MessageAttributes?.eventId?.StringValue ?? "");
  assert.is(new Set(eventIds).size, 137, "eventIds unique");
  for (const id of eventIds) assert.match(id, UUIDV7);
  assert.equal(new Set(eventIds), new Set(summary.messages.map((m) => m.eventId)));
  assert.equal(new Set(received.map((m) => m.MessageId)), new Set(summary.messages.map((m) => m.messageId)));
  const vehicleIds = received.map((message) => JSON.parse(message.Body!).vehicleId as string).sort();
  assert.equal(vehicleIds, Array.from({ length: 137 }, (_, i) => `VH${2001 + i}`).sort());
  for (const message of received) assert.ok(parseVehicleMessage(message.Body!).ok);
});

send("batch size 3 makes calls of 3 (and the remainder)", async () => {
  const queueUrl = await newQueue();
  const proxy = await startFaultyProxy(sqsServer.endpoint, () => undefined);
  const summary = await produce(
    { queueUrl, count: 10, rate: Infinity, batchSize: 3, concurrency: 1 },
    { sqs: clientFor(proxy.endpoint) },
  );
  assert.equal(
    proxy.calls.map((call) => call.entries.length),
    [3, 3, 3, 1],
  );
  assert.is(summary.sent, 10);
  assert.is((await drain(queueUrl)).length, 10);
});

send("entries SQS reports in Failed, 500s and dropped connections are retried with the same eventIds", async () => {
  const queueUrl = await newQueue();
  const seen = new Map<string, string[]>();
  const proxy = await startFaultyProxy(sqsServer.endpoint, (call) => {
    for (const entry of call.entries)
      seen.set(eventIdOf(entry), [...(seen.get(eventIdOf(entry)) ?? []), entry.MessageBody]);
    if (call.number === 2) return { kind: "status", status: 500 };
    if (call.number === 3) return { kind: "drop" };
    // First time an entry is seen at an even position: report it failed through no fault of the sender.
    return {
      kind: "entries",
      fail: (entry) =>
        Number(entry.Id) % 2 === 0 && seen.get(eventIdOf(entry))!.length === 1
          ? { senderFault: false, code: "InternalError" }
          : false,
    };
  });
  const summary = await produce(
    { queueUrl, count: 60, rate: Infinity, batchSize: 10, concurrency: 3, invalidRatio: 0.1, retry: FAST_RETRY },
    { sqs: clientFor(proxy.endpoint) },
  );

  assert.is(summary.sent, 60);
  assert.is(summary.failed, 0);
  const resent = [...seen.values()].filter((bodies) => bodies.length > 1);
  assert.ok(resent.length >= 20, `expected many re-sends, got ${resent.length}`);
  // Every attempt of a message carried the same body under the same eventId.
  for (const bodies of resent) assert.is(new Set(bodies).size, 1);
  const attempts = [...seen.values()].reduce((total, bodies) => total + bodies.length, 0);
  assert.is(summary.retried, attempts - 60, "retried counts every re-send");
  assert.is(summary.calls, proxy.calls.length);

  const received = await drain(queueUrl);
  assert.is(received.length, 60, "nothing lost, nothing doubled");
  const eventIds = received.map((message) => message.MessageAttributes!.eventId!.StringValue!);
  assert.is(new Set(eventIds).size, 60);
  assert.equal(new Set(eventIds), new Set(seen.keys()), "the queue holds exactly the eventIds first sent");
  assert.equal(summary.invalid, { "invalid-json": 2, "missing-field": 2, "wrong-type": 1, "out-of-range": 1 });
});

send("attempts are bounded: a message that always fails is reported unsent, the others arrive", async () => {
  const queueUrl = await newQueue();
  let attemptsForVictim = 0;
  const proxy = await startFaultyProxy(sqsServer.endpoint, () => ({
    kind: "entries",
    fail: (entry) => {
      if (!entry.MessageBody.includes('"VH2003"')) return false;
      attemptsForVictim += 1;
      return { senderFault: false, code: "InternalError" };
    },
  }));
  const summary = await produce(
    { queueUrl, count: 25, rate: Infinity, retry: { ...FAST_RETRY, maxAttempts: 4 } },
    { sqs: clientFor(proxy.endpoint) },
  );
  assert.is(attemptsForVictim, 4);
  assert.is(summary.sent, 24);
  assert.is(summary.failed, 1);
  assert.is(summary.retried, 3);
  assert.equal(summary.failures, { InternalError: 1 });
  assert.is(summary.unsent[0]!.vehicleId, "VH2003");
  assert.is((await drain(queueUrl)).length, 24);
});

send("a sender fault from the real queue is not retried (fauxqs refusing an oversized entry)", async () => {
  const queueUrl = await newQueue({ MaximumMessageSize: "1024" });
  const message = (body: string, i: number): OutgoingMessage => ({
    eventId: `0190a000-0000-7000-8000-00000000000${i}`,
    body,
    kind: "valid",
    vehicleId: `VH${2001 + i}`,
  });
  const outcome = await sendBatch(direct, queueUrl, [message("{}", 1), message("x".repeat(2000), 2)], {
    policy: { maxAttempts: 5, ...FAST_RETRY },
  });
  assert.is(outcome.sent.length, 1);
  assert.is(outcome.unsent.length, 1);
  assert.is(outcome.unsent[0]!.code, "InvalidParameterValue");
  assert.match(outcome.unsent[0]!.reason, /shorter than 1024 bytes/);
  assert.is(outcome.calls, 1);
  assert.is(outcome.retried, 0);
});

send("a message larger than the queue allows is refused before anything is sent", async () => {
  const queueUrl = await newQueue({ MaximumMessageSize: "1024" });
  const oversized: MessageSource = {
    create: (index) => ({
      eventId: `0190a000-0000-7000-8000-${String(index).padStart(12, "0")}`,
      body: index === 5 ? "x".repeat(1500) : "{}",
      kind: "valid",
      vehicleId: `VH${2001 + index}`,
    }),
  };
  try {
    await produce({ queueUrl, count: 20, rate: Infinity }, { sqs: direct, source: oversized });
    assert.unreachable("should refuse");
  } catch (error) {
    assert.instance(error, MessageTooLargeError);
    assert.match(
      (error as Error).message,
      /is 1549 bytes \(body plus attributes\), above the queue's limit of 1024 bytes \(the queue's MaximumMessageSize\)/,
    );
  }
  assert.is((await drain(queueUrl)).length, 0);
});

send("a queue that does not exist stops the run before sending, with the URL in the error", async () => {
  const missing = `${sqsServer.endpoint}/000000000000/no-such-queue`;
  try {
    await produce({ queueUrl: missing, count: 5 }, { sqs: direct });
    assert.unreachable("should fail");
  } catch (error) {
    assert.instance(error, FatalSendError);
    assert.match(
      (error as Error).message,
      /QueueDoesNotExist: the queue .*no-such-queue does not exist at this endpoint/,
    );
  }
});

send("abort (the Ctrl-C path): no new batches, in-flight batches finish, the summary adds up", async () => {
  const queueUrl = await newQueue();
  const proxy = await startFaultyProxy(sqsServer.endpoint, () => ({ kind: "delay", ms: 150 }));
  const controller = new AbortController();
  let atAbort: ProduceProgress | undefined;
  const summary = await produce(
    // The count is only a backstop so the test ends (and fails on atAbort) if the abort never comes.
    { queueUrl, rate: 1000, concurrency: 4, count: 5000 },
    {
      sqs: clientFor(proxy.endpoint),
      signal: controller.signal,
      progressIntervalMs: 20,
      onProgress: (progress) => {
        if (!atAbort && progress.sent >= 20 && progress.inFlight > 0) {
          atAbort = progress;
          controller.abort();
        }
      },
    },
  );
  assert.ok(atAbort, "aborted while batches were in flight");
  assert.is(summary.stoppedBy, "signal");
  assert.ok(summary.sent > atAbort!.sent, "the batches in flight at the abort were completed");
  assert.is(summary.sent, summary.generated, "every message made was sent");
  assert.is(summary.failed, 0);
  const callsAtEnd = proxy.calls.length;
  assert.is((await drain(queueUrl)).length, summary.sent);
  assert.is(proxy.calls.length, callsAtEnd, "nothing sent after produce() returned");
});

send("profile phases with 0/s send exactly their share", async () => {
  const queueUrl = await newQueue();
  const summary = await produce(
    {
      queueUrl,
      profile: [
        { ratePerSecond: 400, durationMs: 100 },
        { ratePerSecond: 0, durationMs: 100 },
        { ratePerSecond: 200, durationMs: 100 },
      ],
    },
    { sqs: direct },
  );
  assert.is(summary.stoppedBy, "profile");
  assert.is(summary.sent, 60);
  assert.is((await drain(queueUrl)).length, 60);
});

async function rejectsWith(run: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}

send("produce() refuses options it cannot honour, before touching the queue", async () => {
  const queueUrl = "http://127.0.0.1:1/000000000000/unused";
  await rejectsWith(() => produce({ queueUrl, rate: 0 }, { sqs: direct }), /rate must be above 0 messages per second/);
  await rejectsWith(
    () => produce({ queueUrl, count: 0 }, { sqs: direct }),
    /count must be a whole number of at least 1/,
  );
  await rejectsWith(() => produce({ queueUrl, batchSize: 11 }, { sqs: direct }), /batchSize must be 1 to 10/);
  await rejectsWith(() => produce({ queueUrl, invalidRatio: 2 }, { sqs: direct }), /invalidRatio must be from 0 to 1/);
  await rejectsWith(() => produce({ queueUrl, durationMs: -1 }, { sqs: direct }), /durationMs must be above 0/);
});

send.run();
