// The real Lambda artifact: the `__index.js` the program serialized under mocks, unpacked with exactly the files
// its archive carries, run against dynalite and fauxqs. Its folder lives outside the repository on purpose: Node
// would otherwise fall back to the repo's full node_modules and hide a file missing from the archive. Beside it, a
// "runtime" node_modules holds only @aws-sdk, as the nodejs22.x runtime provides it.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateQueueCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { consumerFunction, LOCAL_CREDENTIALS, LOCAL_REGION, PROJECT_ROOT, type SynthesizedCode } from "../contracts";
import { measureArchive, unpackArchive } from "../engine/archive";
import { type RunningEmulator, startDynamo, startSqs } from "../local/emulators";
import { expectedItem, type JsonLine, lambdaContext, vehicleBody } from "./support/consumer-harness";
import { devStack, only } from "./support/pulumi";

/** The target for the zipped deployment package. */
const MAX_ZIPPED_BYTES = 1024 * 1024;

interface World {
  sqsEmulator: RunningEmulator;
  dynamoEmulator: RunningEmulator;
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  sourceUrl: string;
  sourceArn: string;
  dlqUrl: string;
  tableName: string;
  code: SynthesizedCode;
  dir: string;
  handler: (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
  savedEnv: NodeJS.ProcessEnv;
}

const test = suite<{ world: World }>("artifact: the serialized consumer", {} as { world: World });

test.before(async (context) => {
  const stack = await devStack();
  const fn = consumerFunction(stack);
  const [sqsEmulator, dynamoEmulator] = await Promise.all([startSqs(), startDynamo()]);
  const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const sqs = new SQSClient({ ...clientConfig, endpoint: sqsEmulator.endpoint });
  const dynamo = new DynamoDBClient({ ...clientConfig, endpoint: dynamoEmulator.endpoint });

  // Emulated resources named and keyed as the program declares them.
  const table = only(stack, "aws:dynamodb/table:Table");
  const tableName = fn.inputs.environment.variables.TABLE_NAME as string;
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: table.inputs.billingMode,
      AttributeDefinitions: table.inputs.attributes.map((a: { name: string; type: "S" }) => ({
        AttributeName: a.name,
        AttributeType: a.type,
      })),
      KeySchema: [
        { AttributeName: table.inputs.hashKey, KeyType: "HASH" },
        { AttributeName: table.inputs.rangeKey, KeyType: "RANGE" },
      ],
    }),
  );
  const dlqName = only(stack, "aws:sqs/queue:Queue", "vehicles-dlq").state.name as string;
  const sourceName = only(stack, "aws:sqs/queue:Queue", "vehicles").state.name as string;
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: dlqName }))).QueueUrl!;
  const sourceUrl = (await sqs.send(new CreateQueueCommand({ QueueName: sourceName }))).QueueUrl!;

  // /var/runtime/node_modules (the SDK) and /var/task (the archive), side by side outside the repository.
  const dir = mkdtempSync(join(tmpdir(), "vehicle-artifact-"));
  mkdirSync(join(dir, "runtime", "node_modules"), { recursive: true });
  // Only @aws-sdk at the top, as in Lambda: the SDK finds its own @smithy dependencies (the links resolve to their
  // real place), but a @smithy package the archive's code requires directly must be in the archive.
  symlinkSync(join(PROJECT_ROOT, "node_modules", "@aws-sdk"), join(dir, "runtime", "node_modules", "@aws-sdk"), "dir");
  const task = join(dir, "runtime", "task");
  unpackArchive(fn.inputs.code, task);

  // The function's configured environment, with the emulators' endpoints and test credentials as the embedded
  // cloud sets them. The factory runs when __index.js is required, so this must be in place before.
  const savedEnv = { ...process.env };
  Object.assign(process.env, fn.inputs.environment.variables, {
    DLQ_URL: dlqUrl,
    AWS_REGION: LOCAL_REGION,
    AWS_ENDPOINT_URL_SQS: sqsEmulator.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEmulator.endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const { handler } = require(join(task, "__index.js"));

  context.world = {
    sqsEmulator,
    dynamoEmulator,
    sqs,
    dynamo,
    sourceUrl,
    dlqUrl,
    tableName,
    handler,
    dir,
    savedEnv,
    sourceArn: `arn:aws:sqs:${LOCAL_REGION}:000000000000:${sourceName}`,
    code: fn.inputs.code,
  };
});

test.after(async ({ world }) => {
  if (!world) return;
  for (const key of Object.keys(process.env)) if (!(key in world.savedEnv)) delete process.env[key];
  Object.assign(process.env, world.savedEnv);
  world.sqs.destroy();
  world.dynamo.destroy();
  await Promise.all([world.sqsEmulator.close(), world.dynamoEmulator.close()]);
  rmSync(world.dir, { recursive: true, force: true });
});

type Outgoing = {
  body: string;
  eventId?: string;
  extraAttributes?: Record<string, { DataType: string; StringValue: string }>;
};

/** Sends bodies through fauxqs and receives them back, then shapes them as Lambda's SQS event source does. */
async function eventFor(world: World, messages: Outgoing[]): Promise<SQSEvent> {
  for (const { body, eventId, extraAttributes } of messages) {
    const attributes = {
      ...extraAttributes,
      ...(eventId ? { eventId: { DataType: "String", StringValue: eventId } } : {}),
    };
    await world.sqs.send(
      new SendMessageCommand({
        QueueUrl: world.sourceUrl,
        MessageBody: body,
        ...(Object.keys(attributes).length ? { MessageAttributes: attributes } : {}),
      }),
    );
  }
  const received: Message[] = [];
  while (received.length < messages.length) {
    const batch = await world.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: world.sourceUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
        WaitTimeSeconds: 1,
      }),
    );
    received.push(...(batch.Messages ?? []));
  }
  const records: SQSRecord[] = received.map((m) => ({
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body!,
    attributes: m.Attributes as unknown as SQSRecord["attributes"],
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([name, v]) => [
        name,
        { dataType: v.DataType!, stringValue: v.StringValue, stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: m.MD5OfBody!,
    md5OfMessageAttributes: m.MD5OfMessageAttributes ?? null,
    eventSource: "aws:sqs",
    eventSourceARN: world.sourceArn,
    awsRegion: LOCAL_REGION,
  })) as SQSRecord[];
  return { Records: records };
}

/** Runs the handler with its stdout (Powertools logs and EMF) captured, so the test output stays readable. */
async function invoke(
  world: World,
  event: SQSEvent,
): Promise<{ result: { batchItemFailures: { itemIdentifier: string }[] }; lines: JsonLine[] }> {
  const [stdout, stderr] = [process.stdout.write, process.stderr.write];
  let captured = "";
  const capture = ((chunk: string | Uint8Array) => {
    captured += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    const result = await world.handler(event, lambdaContext("vehicle-consumer-dev", LOCAL_REGION));
    return {
      result,
      lines: captured
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l)),
    };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

test("the archive leaves out the runtime's SDK, types and the producer's packages, and zips to at most 1 MB", ({
  world,
}) => {
  const { packages } = world.code;
  const forbidden = packages.filter(
    (p) => /^@(aws-sdk|types)\//.test(p) || ["@faker-js/faker", "p-limit", "uuidv7"].includes(p),
  );
  assert.equal(forbidden, []);
  assert.ok(
    packages.includes("@aws-lambda-powertools/batch") && packages.includes("valibot"),
    "the packages the handler requires are carried",
  );
  const size = measureArchive(world.code);
  console.log(
    `  consumer archive: ${(size.zippedBytes / 1024).toFixed(0)} KiB zipped (${size.zippedBytes} B), ${(size.unzippedBytes / 1024).toFixed(0)} KiB unzipped, ${size.files} files; packages: ${packages.join(", ")}`,
  );
  assert.ok(
    size.zippedBytes <= MAX_ZIPPED_BYTES,
    `zipped archive is ${size.zippedBytes} bytes, over ${MAX_ZIPPED_BYTES}`,
  );
});

test("every package the serialized handler requires is in the archive, in the runtime, or built into Node", ({
  world,
}) => {
  const { builtinModules } = require("node:module") as typeof import("node:module");
  const required = [...world.code.indexJs.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
  assert.ok(required.length > 0);
  for (const specifier of required) {
    const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
    const ok =
      builtinModules.includes(name.replace(/^node:/, "")) ||
      /^@aws-sdk\//.test(name) ||
      world.code.packages.includes(name);
    assert.ok(ok, `__index.js requires ${specifier}, which neither the archive nor the nodejs22.x runtime provides`);
  }
});

test("valid vehicles are stored with every field; a redelivery is a duplicate, not a second item", async ({
  world,
}) => {
  const eventId = "019ac8a0-0000-7000-8000-000000000001";
  const body = vehicleBody();
  const event = await eventFor(world, [
    { body, eventId },
    {
      body: JSON.stringify({
        vehicleId: "VH2002",
        make: "Ford",
        model: "Focus",
        year: 2018,
        color: "Red",
        mileage: 42000,
      }),
    },
  ]);
  const { result, lines } = await invoke(world, event);
  assert.equal(result, { batchItemFailures: [] });
  // At the default log level a stored record has no line of its own; the invocation's summary line counts it.
  assert.is(lines.filter((l) => l.outcome === "stored").length, 0);
  assert.ok(lines.some((l) => l.message === "batch processed" && l.stored === 2));

  const documents = DynamoDBDocumentClient.from(world.dynamo);
  const query = (vehicleId: string) =>
    documents.send(
      new QueryCommand({
        TableName: world.tableName,
        KeyConditionExpression: "vehicleId = :v",
        ExpressionAttributeValues: { ":v": vehicleId },
      }),
    );
  const first = (await query("VH2001")).Items ?? [];
  assert.is(first.length, 1);
  const record = event.Records.find((r) => r.body === body)!;
  assert.equal(first[0], { ...expectedItem(record, eventId), storedAt: first[0]!.storedAt });
  assert.match(String(first[0]!.storedAt), /^\d{4}-\d\d-\d\dT/);
  // Without an eventId attribute, the SQS messageId is the sort key.
  const second = (await query("VH2002")).Items ?? [];
  assert.equal(
    second.map((i) => i.eventId),
    [event.Records.find((r) => r.body !== body)!.messageId],
  );

  // The same delivery's write met again (what the SDK's retry of a write whose answer was lost meets): its own write.
  const retried = await invoke(world, { Records: [record] });
  // At the declared LOG_LEVEL (INFO) a stored record has no line of its own: the batch summary counts it.
  const summary = retried.lines.find((l) => l.message === "batch processed");
  assert.is(summary?.stored, 1);
  assert.is(summary?.duplicates, 0);
  // SQS's next delivery of the same message: the same messageId, received once more.
  const redelivered = { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: "2" } };
  const again = await invoke(world, { Records: [redelivered] });
  assert.equal(again.result, { batchItemFailures: [] });
  assert.is(again.lines.filter((l) => l.outcome === "duplicate").length, 1);
  assert.is(((await query("VH2001")).Items ?? []).length, 1);
});

test("an invalid body goes to the DLQ with its reason and is not stored", async ({ world }) => {
  const body = JSON.stringify({
    vehicleId: "VH2003",
    make: "Kia",
    model: "Rio",
    year: 1700,
    color: "Grey",
    mileage: 10,
  });
  const event = await eventFor(world, [{ body, eventId: "019ac8a0-0000-7000-8000-000000000003" }]);
  const { result } = await invoke(world, event);
  assert.equal(result, { batchItemFailures: [] });
  const dead = await world.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: world.dlqUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ["All"],
      WaitTimeSeconds: 1,
    }),
  );
  assert.is(dead.Messages?.length, 1);
  const [message] = dead.Messages!;
  assert.is(message!.Body, body);
  assert.is(message!.MessageAttributes?.errorCode?.StringValue, "OUT_OF_RANGE");
  assert.match(message!.MessageAttributes?.errorReason?.StringValue ?? "", /year/);
  assert.is(message!.MessageAttributes?.sourceMessageId?.StringValue, event.Records[0]!.messageId);
  assert.is(message!.MessageAttributes?.eventId?.StringValue, "019ac8a0-0000-7000-8000-000000000003");
  const stored = await DynamoDBDocumentClient.from(world.dynamo).send(
    new QueryCommand({
      TableName: world.tableName,
      KeyConditionExpression: "vehicleId = :v",
      ExpressionAttributeValues: { ":v": "VH2003" },
    }),
  );
  assert.is(stored.Count, 0);
});

test("the serialized text requires every package the archive does not carry by its name, never by a path inside it", ({
  world,
}) => {
  const required = [...world.code.indexJs.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
  const { builtinModules } = require("node:module") as typeof import("node:module");
  const deep = required.filter((specifier) => {
    const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
    const builtin = builtinModules.includes(name.replace(/^node:/, ""));
    return !builtin && !world.code.packages.includes(name) && specifier !== name;
  });
  assert.equal(deep, [], "a runtime whose SDK has an exports map would refuse these paths");
  assert.ok(required.includes("@aws-sdk/client-sqs") && required.includes("@aws-sdk/lib-dynamodb"));
});

/** A record shaped as Lambda delivers it, for inputs fauxqs would refuse to carry as AWS does (empty or Binary eventId). */
function directRecord(world: World, body: string, messageAttributes: SQSRecord["messageAttributes"]): SQSRecord {
  const { randomUUID, createHash } = require("node:crypto") as typeof import("node:crypto");
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(Date.now()),
      SenderId: "AIDAIENQZJOLO23YVJ4VO",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes,
    md5OfBody: createHash("md5").update(body).digest("hex"),
    eventSource: "aws:sqs",
    eventSourceARN: world.sourceArn,
    awsRegion: LOCAL_REGION,
  };
}

/** Every message now on the DLQ (taken off it), keyed by sourceMessageId; companions and bare bodies listed apart. */
async function drainDeadLetters(world: World): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await world.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: world.dlqUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
        WaitTimeSeconds: 1,
        VisibilityTimeout: 300,
      }),
    );
    if (Messages.length === 0) return all;
    all.push(...Messages);
  }
}

const vehicle = (overrides: Record<string, unknown>) => vehicleBody({ vehicleId: "VH2101", mileage: 1, ...overrides });

test("each message that can never be stored reaches the DLQ on its first receive with its own errorCode", async ({
  world,
}) => {
  await drainDeadLetters(world);
  const conflictId = "019ac8a0-0000-7000-8000-0000000000c1";
  await invoke(world, await eventFor(world, [{ body: vehicle({ vehicleId: "VH2110" }), eventId: conflictId }]));
  const tenAttributes = Object.fromEntries(
    ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"].map((n) => [n, { DataType: "String", StringValue: n }]),
  );
  const cases: [string, Outgoing, RegExp][] = [
    ["BAD_EVENT_ID", { body: vehicle({ vehicleId: "VH2111" }), eventId: "e".repeat(2000) }, /2000 bytes/],
    [
      "NESTING_TOO_DEEP",
      { body: `{"vehicleId":"VH2112","make":${"[".repeat(20_000)}${"]".repeat(20_000)}}`, eventId: "deep-1" },
      /deeper than 32/,
    ],
    [
      "DUPLICATE_KEY",
      {
        body: '{"vehicleId":"VH900015","vehicleId":"VH900115","make":"Honda","model":"Civic","year":2020,"color":"Blue","mileage":1}',
      },
      /"vehicleId" appears more than once/,
    ],
    ["UNPRINTABLE_TEXT", { body: vehicle({ vehicleId: "VH2113", make: "\u0000" }) }, /control character/],
    ["UNPRINTABLE_TEXT", { body: vehicle({ vehicleId: "VH2114", make: "\u200b" }) }, /nothing visible/],
    [
      "EVENT_ID_CONFLICT",
      { body: vehicle({ vehicleId: "VH2110", make: "Ford" }), eventId: conflictId },
      /make "Honda" vs "Ford"/,
    ],
    ["MISSING_FIELD", { body: "{}", eventId: "ten-1", extraAttributes: tenAttributes }, /missing field/],
  ];
  const event = await eventFor(
    world,
    cases.map(([, message]) => message),
  );
  const { result, lines } = await invoke(world, event);
  assert.equal(result, { batchItemFailures: [] }, "nothing is retried");
  const dead = await drainDeadLetters(world);
  assert.is(dead.length, cases.length);
  for (const record of event.Records) {
    const [code, message, reason] = cases.find(([, m]) => m.body === record.body)!;
    assert.is(record.attributes.ApproximateReceiveCount, "1");
    const copy = dead.find((m) => m.MessageAttributes?.sourceMessageId?.StringValue === record.messageId);
    assert.ok(copy, `${code} reached the DLQ`);
    assert.is(copy.Body, message.body);
    assert.is(copy.MessageAttributes!.errorCode!.StringValue, code);
    assert.match(copy.MessageAttributes!.errorReason!.StringValue!, reason);
    if (message.eventId) assert.is(copy.MessageAttributes!.eventId?.StringValue, message.eventId, "eventId kept");
    assert.ok(lines.some((l) => l.messageId === record.messageId && l.code === code));
  }
  const stored = await DynamoDBDocumentClient.from(world.dynamo).send(
    new QueryCommand({
      TableName: world.tableName,
      KeyConditionExpression: "vehicleId = :v",
      ExpressionAttributeValues: { ":v": "VH2110" },
    }),
  );
  assert.equal(
    stored.Items?.map((i) => i.make),
    ["Honda"],
    "the conflict left the stored item alone",
  );
});

test("an empty or Binary eventId is refused with BAD_EVENT_ID, and the DLQ copy carries no attribute SQS refuses", async ({
  world,
}) => {
  await drainDeadLetters(world);
  const binary = {
    dataType: "Binary",
    binaryValue: Buffer.from("e-1").toString("base64"),
    stringListValues: [],
    binaryListValues: [],
  };
  const empty = { dataType: "String", stringValue: "", stringListValues: [], binaryListValues: [] };
  const records = [
    directRecord(world, vehicle({ vehicleId: "VH2121" }), { eventId: binary }),
    directRecord(world, vehicle({ vehicleId: "VH2122" }), { eventId: empty }),
  ];
  const { result } = await invoke(world, { Records: records });
  assert.equal(result, { batchItemFailures: [] });
  const dead = await drainDeadLetters(world);
  assert.is(dead.length, 2);
  for (const message of dead) {
    assert.is(message.MessageAttributes!.errorCode!.StringValue, "BAD_EVENT_ID");
    assert.match(message.MessageAttributes!.errorReason!.StringValue!, /^eventId attribute /);
  }
  const fromBinary = dead.find((m) => m.MessageAttributes?.sourceMessageId?.StringValue === records[0]!.messageId);
  assert.equal(Buffer.from(fromBinary!.MessageAttributes!.eventId!.BinaryValue!).toString(), "e-1");
});

test("an invalid body of exactly 1 MiB goes to the DLQ whole, its reason in a companion found by MD5 and messageId", async ({
  world,
}) => {
  await drainDeadLetters(world);
  const prefix = '{"vehicleId":"VH2131","make":"';
  const suffix = '","model":"Civic","year":2020,"color":"Blue","mileage":1}';
  const body = prefix + "x".repeat(1024 * 1024 - prefix.length - suffix.length) + suffix;
  assert.is(Buffer.byteLength(body), 1024 * 1024);
  const event = await eventFor(world, [{ body }]);
  const { result } = await invoke(world, event);
  assert.equal(result, { batchItemFailures: [] }, "not retried until maxReceiveCount");
  const dead = await drainDeadLetters(world);
  assert.is(dead.length, 2);
  const big = dead.find((m) => m.Body === body);
  const companion = dead.find((m) => m.Body !== body)!;
  assert.ok(big, "the whole body is in the DLQ");
  assert.is(companion.MessageAttributes!.errorCode!.StringValue, "BAD_FORMAT");
  assert.match(companion.MessageAttributes!.errorReason!.StringValue!, /make is \d+ characters long/);
  assert.is(companion.MessageAttributes!.sourceMessageId!.StringValue, event.Records[0]!.messageId);
  assert.is(companion.MessageAttributes!.reasonForBodyMd5!.StringValue, big!.MD5OfBody);
  assert.is(JSON.parse(companion.Body!).reasonFor.bodyMd5, big!.MD5OfBody);
});

test("a retry with the same content is a duplicate, counted and not dead-lettered", async ({ world }) => {
  await drainDeadLetters(world);
  const eventId = "019ac8a0-0000-7000-8000-0000000000d1";
  await invoke(world, await eventFor(world, [{ body: vehicle({ vehicleId: "VH2141" }), eventId }]));
  const { result, lines } = await invoke(
    world,
    await eventFor(world, [{ body: vehicle({ vehicleId: "VH2141" }), eventId }]),
  );
  assert.equal(result, { batchItemFailures: [] });
  assert.is(lines.filter((l) => l.outcome === "duplicate").length, 1);
  assert.equal(await drainDeadLetters(world), []);
});

test.run();
