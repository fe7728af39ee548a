// The program run the way `pulumi up` and `pulumi preview` run it: Pulumi's own Node language host
// (@pulumi/pulumi/cmd/run, ts-node with the project's TypeScript, type checking on) registering resources over gRPC
// with the in-process engine of engine/. Three program runs in all, shared by every assertion: an update
// (type-checked, fresh compile cache, shared with the embedded cloud's test), an invalid config (type-checked, that cache warm) and a preview
// (transpile-only). Timeouts are hang guards only.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { consumerFunction, PROJECT_ROOT, type SynthesizedStack } from "../contracts";
import { isUnknown } from "../engine/properties";
import { MOCK_ACCOUNT_ID } from "../engine/provider-state";
import { LanguageHostRunError, type LanguageHostStack, synthesizeWithLanguageHost } from "../engine/synthesize";
import { compileCacheDir, devUpdate } from "./support/language-host";
import { devSettings, devStack, ofType, only } from "./support/pulumi";

const QUEUE = "aws:sqs/queue:Queue";
const OUTPUT_NAMES = [
  "alarmTopicArn",
  "dashboardUrl",
  "dlqUrl",
  "functionName",
  "producerPolicyArn",
  "queueArn",
  "queueUrl",
  "tableName",
  "traceMapUrl",
];

let preview: Promise<LanguageHostStack> | undefined;
/** One type-checked update for the whole test process. */
const updated = devUpdate;
/** One transpile-only preview for the whole file, after the update (two cores: one program at a time). */
const previewed = async () => {
  await updated().catch(() => undefined);
  preview ??= synthesizeWithLanguageHost({ stack: "dev", dryRun: true, transpileOnly: true });
  return preview;
};

const typesAndNames = (stack: SynthesizedStack) => stack.resources.map((r) => `${r.type} ${r.name}`).sort();

const test = suite("engine: the program under Pulumi's language host");

test("update, type-checked: the same resources the mocks path records, no warning or error logged", async () => {
  const stack = await updated();
  console.log(`    type-checked update (fresh ts-node cache): ${(stack.durationMs / 1000).toFixed(1)} s`);
  assert.equal(typesAndNames(stack), typesAndNames(await devStack()));
  assert.is(ofType(stack, QUEUE).length, 2);
  assert.is(ofType(stack, "aws:lambda/function:Function").length, 1);
  assert.is(ofType(stack, "aws:cloudwatch/metricAlarm:MetricAlarm").length, 5);
  assert.equal(
    stack.diagnostics.filter((d) => d.severity === "warning" || d.severity === "error"),
    [],
  );
  assert.ok(stack.invokes.includes("aws:index/getRegion:getRegion"));
});

test("update: children carry their component's URN as parent, URNs nest the component type", async () => {
  const stack = await updated();
  const queue = only(stack, QUEUE, "vehicles");
  const component = only(stack, "vehicle-pipeline:index:VehicleQueue", "vehicles");
  assert.is(queue.parent, component.urn);
  assert.is(queue.urn, `urn:pulumi:dev::vehicle-pipeline::vehicle-pipeline:index:VehicleQueue$${QUEUE}::vehicles`);
  assert.is(component.parent, undefined, "a top-level component's parent is the stack, left out as under mocks");
});

test("update: the event source mapping and the redrive policy as the provider receives them", async () => {
  const stack = await updated();
  const settings = devSettings();
  const mapping = only(stack, "aws:lambda/eventSourceMapping:EventSourceMapping");
  assert.equal(mapping.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
  assert.is(mapping.inputs.batchSize, settings.batchSize);
  assert.equal(mapping.inputs.scalingConfig, { maximumConcurrency: settings.maxConcurrency });
  assert.is(mapping.inputs.eventSourceArn, only(stack, QUEUE, "vehicles").state.arn);
  const policy = JSON.parse(only(stack, "aws:sqs/redrivePolicy:RedrivePolicy").inputs.redrivePolicy);
  assert.equal(policy, {
    deadLetterTargetArn: only(stack, QUEUE, "vehicles-dlq").state.arn,
    maxReceiveCount: settings.maxReceiveCount,
  });
});

test("update: stack outputs are known URLs, ARNs and names in the mocks' formats", async () => {
  const { outputs } = await updated();
  assert.equal(Object.keys(outputs).sort(), OUTPUT_NAMES);
  assert.match(outputs.queueUrl, new RegExp(`^https://sqs\\.us-east-1\\.amazonaws\\.com/${MOCK_ACCOUNT_ID}/vehicles-`));
  assert.match(outputs.dlqUrl, /\/vehicles-dlq-[0-9a-f]{7}$/);
  assert.match(outputs.queueArn, new RegExp(`^arn:aws:sqs:us-east-1:${MOCK_ACCOUNT_ID}:vehicles-`));
  assert.match(outputs.producerPolicyArn, /^arn:aws:iam::\d{12}:policy\//);
  assert.is(outputs.functionName, "vehicle-consumer-dev");
  for (const name of OUTPUT_NAMES) assert.not.ok(isUnknown(outputs[name]), `${name} is known after an update`);
});

test("invalid config fails the type-checked run with exit 32 and one error naming the key", async () => {
  await updated();
  try {
    await synthesizeWithLanguageHost({
      dryRun: false,
      compileCacheDir,
      configOverrides: { "vehicle-pipeline:batchSize": "0" },
    });
    assert.unreachable("batchSize 0 must be refused");
  } catch (error) {
    assert.instance(error, LanguageHostRunError);
    const failure = error as LanguageHostRunError;
    assert.is(failure.exitCode, 32);
    assert.is(failure.errors.length, 1);
    assert.match(failure.message, "vehicle-pipeline:batchSize");
    assert.not.match(failure.message, /\bat .*\.ts:\d+/, "no stack trace, as pulumi.RunError promises");
  }
});

test("preview: the same resources; ids, ARNs and URLs of new resources unknown, names known", async () => {
  const stack = await previewed();
  console.log(`    transpile-only preview: ${(stack.durationMs / 1000).toFixed(1)} s`);
  assert.equal(typesAndNames(stack), typesAndNames(await updated()));
  const queue = only(stack, QUEUE, "vehicles");
  assert.ok(isUnknown(queue.id) && isUnknown(queue.state.url) && isUnknown(queue.state.arn));
  assert.match(queue.state.name, /^vehicles-[0-9a-f]{7}$/);
  for (const name of ["queueUrl", "queueArn", "dlqUrl", "producerPolicyArn", "alarmTopicArn"])
    assert.ok(isUnknown(stack.outputs[name]), `${name} is unknown in a preview`);
  assert.is(stack.outputs.functionName, "vehicle-consumer-dev");
});

test("__index.js: type checking changes nothing; against tsx+mocks only esbuild's re-export getters differ", async () => {
  const checked = consumerFunction(await updated()).inputs.code;
  const transpiled = consumerFunction(await previewed()).inputs.code;
  const mocked = consumerFunction(await devStack()).inputs.code;
  console.log(
    `    __index.js: ${Buffer.byteLength(checked.indexJs)} B (language host), ${Buffer.byteLength(mocked.indexJs)} B (tsx + mocks)`,
  );
  assert.is(checked.indexJs, transpiled.indexJs);
  assert.equal(checked.paths, mocked.paths);
  assert.equal(checked.packages, mocked.packages);
  const getter = /Object\.defineProperty\([^)]*\{ enumerable: true, get: __f\d+ \}/;
  assert.not.match(checked.indexJs, getter, "TypeScript's CommonJS output has plain re-exports");
  assert.match(mocked.indexJs, getter, "esbuild (tsx) writes re-exports as getters");
  assert.ok(Buffer.byteLength(checked.indexJs) < Buffer.byteLength(mocked.indexJs));
  // The handler and our own modules only (libraries stay `require(...)`); well above this, something got inlined.
  assert.ok(Buffer.byteLength(checked.indexJs) < 64 * 1024, `${Buffer.byteLength(checked.indexJs)} B`);
});

test("__index.js from the language host loads beside node_modules and exports the handler", async () => {
  const fn = consumerFunction(await updated());
  // Inside the repository so `require` finds node_modules, as in the Lambda archive; .build is git-ignored.
  const dir = join(PROJECT_ROOT, ".build", "engine-test");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "__index.js");
  writeFileSync(file, fn.inputs.code.indexJs);
  const saved = { ...process.env };
  try {
    Object.assign(process.env, fn.inputs.environment.variables, { AWS_REGION: "us-east-1" });
    const loaded = require(file) as { handler?: unknown };
    assert.type(loaded.handler, "function");
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
