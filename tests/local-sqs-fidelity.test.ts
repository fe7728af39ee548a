// The embedded SQS refuses the message attributes AWS refuses, with AWS's error code and text, seen through the SDK.
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EVENT_ID_ATTRIBUTE, LOCAL_CREDENTIALS, LOCAL_REGION } from "../contracts";
import { startSqs } from "../local/emulators";
import { heldMessageIds } from "../local/fauxqs-store";

let emulator: Awaited<ReturnType<typeof startSqs>>;
let sqs: SQSClient;
let queueUrl: string;

test.before(async () => {
  emulator = await startSqs({ loopbackQueueUrls: true });
  sqs = new SQSClient({ region: LOCAL_REGION, endpoint: emulator.endpoint, credentials: { ...LOCAL_CREDENTIALS } });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "fidelity" }))).QueueUrl!;
});

test.after(async () => {
  sqs.destroy();
  await emulator.close();
});

const text = (value: string): MessageAttributeValue => ({ DataType: "String", StringValue: value });
const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, text("v")]));

async function refusal(attributes: Record<string, MessageAttributeValue>): Promise<{ name: string; message: string }> {
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "{}", MessageAttributes: attributes }));
  } catch (error) {
    const e = error as Error & { $fault?: string; $metadata: { httpStatusCode?: number } };
    assert.is(e.$fault, "client");
    assert.is(e.$metadata.httpStatusCode, 400);
    return { name: e.name, message: e.message };
  }
  throw new Error("SendMessage was accepted");
}

async function depth(): Promise<number> {
  const answer = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Number(answer.Attributes?.ApproximateNumberOfMessages);
}

test("SendMessage with 11 message attributes fails as on AWS; 10 are accepted", async () => {
  const before = await depth();
  assert.equal(await refusal(many(11)), {
    name: "InvalidParameterValue",
    message: "Number of message attributes [11] exceeds the allowed maximum [10].",
  });
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "{}", MessageAttributes: many(10) }));
  assert.is(await depth(), before + 1);
});

test("an empty attribute value fails as on AWS", async () => {
  assert.equal(await refusal({ X: text("") }), {
    name: "InvalidParameterValue",
    message: "Message (user) attribute 'X' must contain a non-empty value of type 'String'.",
  });
});

test("reserved or malformed names, unknown data types and control characters are refused", async () => {
  const refused: Record<string, MessageAttributeValue>[] = [
    { "AWS.trace": text("v") },
    { "amazon.x": text("v") },
    { "bad name": text("v") },
    { [`n${"x".repeat(256)}`]: text("v") },
    { ok: { DataType: "Text", StringValue: "v" } },
    { ok: text("bell\u0007") },
  ];
  for (const attributes of refused) {
    assert.is((await refusal(attributes)).name, "InvalidParameterValue", JSON.stringify(Object.keys(attributes)));
  }
  // Custom type suffixes are allowed, as on AWS.
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: "{}",
      MessageAttributes: { "trace-id.v1": { DataType: "String.uuid", StringValue: "v" } },
    }),
  );
});

test("SendMessageBatch fails the offending entries alone, as SenderFault, and sends the others", async () => {
  const before = await depth();
  const answer = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: [
        { Id: "good", MessageBody: "{}", MessageAttributes: many(2) },
        { Id: "eleven", MessageBody: "{}", MessageAttributes: many(11) },
        { Id: "empty", MessageBody: "{}", MessageAttributes: { X: text("") } },
      ],
    }),
  );
  assert.equal(
    answer.Successful?.map((entry) => entry.Id),
    ["good"],
  );
  assert.equal(
    answer.Failed?.map(({ Id, Code, SenderFault }) => ({ Id, Code, SenderFault })),
    [
      { Id: "eleven", Code: "InvalidParameterValue", SenderFault: true },
      { Id: "empty", Code: "InvalidParameterValue", SenderFault: true },
    ],
  );
  assert.is(answer.Failed?.[0]?.Message, "Number of message attributes [11] exceeds the allowed maximum [10].");
  assert.is(await depth(), before + 1);

  const allBad = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: [{ Id: "only", MessageBody: "{}", MessageAttributes: { X: text("") } }],
    }),
  );
  assert.equal(allBad.Successful ?? [], []);
  assert.is(allBad.Failed?.[0]?.Id, "only");
  assert.is(await depth(), before + 1);
});

test("the verifier's view of a queue: every message it holds, waiting, delayed or in flight, by eventId else message id", async () => {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: "held" }))).QueueUrl!;
  const send = (body: string, delay = 0, eventId?: string) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: body,
        DelaySeconds: delay,
        ...(eventId ? { MessageAttributes: { [EVENT_ID_ATTRIBUTE]: text(eventId) } } : {}),
      }),
    );
  await send("in flight", 0, "e-inflight");
  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
  assert.is(received.Messages?.length, 1);
  await send("waiting", 0, "e-waiting");
  await send("delayed", 60, "e-delayed");
  const withoutEventId = (await send("no eventId")).MessageId!;
  const held = heldMessageIds(emulator.store!.getQueueByName("held"), EVENT_ID_ATTRIBUTE);
  assert.equal([...held].sort(), ["e-delayed", "e-inflight", "e-waiting", withoutEventId].sort());
  assert.equal([...heldMessageIds(undefined, EVENT_ID_ATTRIBUTE)], []);
});

test.run();
