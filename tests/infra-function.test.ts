import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { PROJECT_ROOT } from "../contracts";
import { devSettings, devStack, only } from "./support/pulumi";

const test = suite("infra: MonitoredFunction");
const FUNCTION = "aws:lambda/function:Function";

test("runtime, memory, timeout and tracing", async () => {
  const fn = only(await devStack(), FUNCTION);
  const settings = devSettings();
  assert.is(fn.inputs.runtime, "nodejs22.x");
  assert.is(fn.inputs.memorySize, settings.memorySizeMb);
  assert.is(fn.inputs.timeout, settings.timeoutSeconds);
  assert.equal(fn.inputs.tracingConfig, { mode: "Active" });
  assert.is(fn.inputs.handler, "__index.handler");
  assert.is(fn.inputs.name, "vehicle-consumer-dev");
  assert.equal(fn.inputs.architectures, ["arm64"]);
  assert.is(settings.architecture, "arm64");
});

/** A file, or the files of a folder, recursively. */
function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((entry) => filesUnder(join(path, entry)));
}

test("the archive holds no native code, so arm64 runs it as it is", async () => {
  const { paths } = only(await devStack(), FUNCTION).inputs.code;
  assert.ok(paths.length > 0);
  const files: string[] = paths.flatMap((path: string) => filesUnder(join(PROJECT_ROOT, path)));
  assert.ok(files.length > 100, `only ${files.length} files under the archive's packages`);
  const native = files.filter((file) => /\.node$|binding\.gyp$|[/\\]prebuilds[/\\]/.test(file));
  assert.equal(native, [], "a native addon or its build files would need an x86_64 or arm64 build of its own");
});

test("environment: table, DLQ, source queue, Powertools service and namespace, log level", async () => {
  const stack = await devStack();
  const fn = only(stack, FUNCTION);
  assert.equal(fn.inputs.environment.variables, {
    TABLE_NAME: only(stack, "aws:dynamodb/table:Table").state.name,
    DLQ_URL: only(stack, "aws:sqs/queue:Queue", "vehicles-dlq").state.url,
    SOURCE_QUEUE_URL: only(stack, "aws:sqs/queue:Queue", "vehicles").state.url,
    POWERTOOLS_SERVICE_NAME: "vehicle-consumer",
    POWERTOOLS_METRICS_NAMESPACE: "VehiclePipeline",
    LOG_LEVEL: "INFO",
  });
});

test("its own log group, named as Lambda names it, with retention from settings", async () => {
  const stack = await devStack();
  const fn = only(stack, FUNCTION);
  const logGroup = only(stack, "aws:cloudwatch/logGroup:LogGroup");
  assert.is(logGroup.inputs.name, `/aws/lambda/${fn.inputs.name}`);
  assert.is(logGroup.inputs.retentionInDays, devSettings().logRetentionDays);
  assert.is(logGroup.inputs.retentionInDays, 14);
  assert.is(fn.inputs.loggingConfig.logGroup, logGroup.state.name);
});

test("explicit role: the function runs as the component's role", async () => {
  const stack = await devStack();
  const role = only(stack, "aws:iam/role:Role");
  assert.is(only(stack, FUNCTION).inputs.role, role.state.arn);
  assert.equal(JSON.parse(role.inputs.assumeRolePolicy).Statement, [
    { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
  ]);
});

test("event source mapping: the queue, partial batch responses, batch size, window, max concurrency", async () => {
  const stack = await devStack();
  const settings = devSettings();
  const mapping = only(stack, "aws:lambda/eventSourceMapping:EventSourceMapping");
  assert.is(mapping.inputs.eventSourceArn, only(stack, "aws:sqs/queue:Queue", "vehicles").state.arn);
  assert.is(mapping.inputs.functionName, only(stack, FUNCTION).state.arn);
  assert.equal(mapping.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
  assert.is(mapping.inputs.batchSize, settings.batchSize);
  assert.is(mapping.inputs.maximumBatchingWindowInSeconds, settings.batchingWindowSeconds);
  assert.equal(mapping.inputs.scalingConfig, { maximumConcurrency: settings.maxConcurrency });
  assert.equal(
    [
      mapping.inputs.batchSize,
      mapping.inputs.maximumBatchingWindowInSeconds,
      mapping.inputs.scalingConfig.maximumConcurrency,
    ],
    [10, 0, 10],
  );
});

test("the serialized handler is built by createConsumerFromEnvironment and exports handler", async () => {
  const { indexJs } = only(await devStack(), FUNCTION).inputs.code;
  assert.match(indexJs, /exports\.handler/);
  assert.match(indexJs, /createConsumerFromEnvironment/);
});

test.run();
