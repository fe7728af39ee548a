// The handler as Lambda would run it: pulumi.runtime.serializeFunction on the same callbackFactory the
// program gives its CallbackFunction, the text written next to node_modules and required, then invoked on
// real-shaped SQS events against dynalite and fauxqs, aimed there only through the environment
// (AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_DYNAMODB), as the embedded cloud does.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../contracts";
import { createConsumerFromEnvironment } from "../handlers";
import type { ConsumerWorld } from "./support/consumer-harness";
import {
  captureOutput,
  lambdaContext,
  nextEventId,
  queryVehicle,
  receiveAll,
  sqsEventFor,
  startConsumerWorld,
  vehicleBody,
} from "./support/consumer-harness";

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
interface Context_ {
  world: ConsumerWorld;
  text: string;
  savedEnv: NodeJS.ProcessEnv;
}

// Inside the repository so `require` finds node_modules, as in the Lambda archive; .build is git-ignored.
const OUT_DIR = path.join(__dirname, "..", ".build", "serialized-test");
/**
 * The text is the handler plus our own modules; libraries stay `require(...)`. Far below this means nothing got
 * inlined. Under tsx, esbuild's CommonJS interop gives every export of every imported module two getters, so this text
 * is larger than the language host's (engine-language-host.test.ts bounds that one, the one `pulumi up` uploads).
 */
const MAX_TEXT_BYTES = 128 * 1024;

const test = suite<Context_>("handlers: the serialized Lambda text", {} as Context_);

test.before(async (context) => {
  context.world = await startConsumerWorld();
  const serialized = await pulumi.runtime.serializeFunction(() => createConsumerFromEnvironment(), {
    isFactoryFunction: true,
  });
  assert.is(serialized.exportName, "handler");
  context.text = serialized.text;
  context.savedEnv = { ...process.env };
  const { world } = context;
  // The handler reads its configuration from the environment, as in Lambda: none of the caller's AWS settings
  // (a profile, keys, a region) may reach it; AWS_PROFILE alone would make the SDK skip the keys given here.
  for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SQS: world.sqsEmulator.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: world.dynamoEmulator.endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: "vehicle-consumer",
    POWERTOOLS_METRICS_NAMESPACE: "VehiclePipeline",
    LOG_LEVEL: "INFO",
    DLQ_URL: world.dlqUrl,
  });
  // Lambda sets no profile or session token: a caller's would win over the keys above in the SDK's chain.
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
});

test.after(async (context) => {
  for (const key of Object.keys(process.env)) if (!(key in context.savedEnv)) delete process.env[key];
  Object.assign(process.env, context.savedEnv);
  rmSync(OUT_DIR, { recursive: true, force: true });
  await context.world.close();
});

/** Write the text as its own module and require it; the factory runs then, reading TABLE_NAME from the environment. */
function loadHandler(text: string, name: string, tableName: string): Handler {
  mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, `${name}.js`);
  writeFileSync(file, text);
  process.env.TABLE_NAME = tableName;
  return (require(file) as { handler: Handler }).handler;
}

test("the text is small and requires its libraries instead of inlining them", ({ text }) => {
  const bytes = Buffer.byteLength(text);
  console.log(`    serialized handler text: ${bytes} bytes`);
  assert.ok(bytes < MAX_TEXT_BYTES, `${bytes} bytes`);
  for (const library of [
    "valibot",
    "@aws-lambda-powertools/batch",
    "@aws-lambda-powertools/logger",
    "@aws-lambda-powertools/metrics",
    "@aws-lambda-powertools/tracer",
  ]) {
    assert.ok(text.includes(`require("${library}")`), `requires ${library}`);
  }
  assert.ok(
    /require\("@aws-sdk\/client-sqs[/"]/.test(text) && /require\("@aws-sdk\/lib-dynamodb[/"]/.test(text),
    "requires the SDK",
  );
  assert.match(text, /exports\.handler = /);
});

test("the required text stores a valid message and dead-letters an invalid one", async ({ world, text }) => {
  const handler = loadHandler(text, "stores", world.tableName);
  const eventId = nextEventId();
  const event = await sqsEventFor(world, [
    { body: vehicleBody({ vehicleId: "VH7001" }), eventId },
    { body: vehicleBody({ vehicleId: "VH7002", mileage: "far" }), eventId: nextEventId() },
  ]);
  const run = await captureOutput(() => handler(event, lambdaContext()));
  assert.equal(run.result, { batchItemFailures: [] });
  const [item] = await queryVehicle(world, "VH7001");
  assert.is(item?.eventId, eventId);
  assert.is(item?.messageId, event.Records[0]!.messageId);
  assert.is(item?.receiveCount, 1);
  const [dead] = await receiveAll(world.sqs, world.dlqUrl, 1);
  assert.is(dead!.MessageAttributes!.errorCode!.StringValue, "WRONG_TYPE");
  assert.is(dead!.MessageAttributes!.sourceMessageId!.StringValue, event.Records[1]!.messageId);
  assert.equal(
    run.logs.filter((l) => l.outcome).map((l) => l.outcome),
    ["invalid"],
    "at LOG_LEVEL INFO a stored record has no line of its own (DEBUG has one)",
  );
  assert.ok(run.logs.some((l) => l.message === "batch processed" && l.stored === 1 && l.invalid === 1));
  assert.ok(run.emf.some((d) => d.VehiclesStored === 1 && d._aws.CloudWatchMetrics[0].Namespace === "VehiclePipeline"));
});

test("the required text keeps error messages and causes (serialized error classes) when DynamoDB refuses for good", async ({
  world,
  text,
}) => {
  const handler = loadHandler(text, "fails", world.tableName);
  // A sort key over 1,024 bytes: DynamoDB's ValidationException, which no retry changes, reaches the DLQ at once.
  const event = await sqsEventFor(world, [{ body: vehicleBody({ vehicleId: "VH7003" }), eventId: "e".repeat(1025) }]);
  const run = await captureOutput(() => handler(event, lambdaContext()));
  assert.equal(run.result, { batchItemFailures: [] });
  const dead = await receiveAll(world.sqs, world.dlqUrl, 1);
  const refused = dead.find((m) => m.MessageAttributes?.sourceMessageId?.StringValue === event.Records[0]!.messageId);
  assert.ok(refused, "the refused record is in the DLQ");
  assert.ok(refused?.MessageAttributes?.errorCode?.StringValue, "with an errorCode");
  assert.ok(refused?.MessageAttributes?.errorReason?.StringValue, "and a reason");
});

test("a missing table is the deployment's fault, not the message's: the record stays on the queue for a retry", async ({
  world,
  text,
}) => {
  const handler = loadHandler(text, "no-table", "no-such-table");
  const event = await sqsEventFor(world, [
    { body: vehicleBody({ vehicleId: "VH7004" }), eventId: nextEventId() },
    { body: "{}", eventId: nextEventId() },
  ]);
  const run = await captureOutput(() => handler(event, lambdaContext()));
  // The malformed record still goes to the DLQ; the valid one waits for the table.
  assert.equal(run.result, { batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }] });
  const line = run.logs.find((l) => l.messageId === event.Records[0]!.messageId);
  assert.match(JSON.stringify(line ?? {}), /ResourceNotFoundException/);
});

test.run();
