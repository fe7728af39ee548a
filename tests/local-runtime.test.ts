// The Lambda side of the embedded cloud with a small fixture function (written at run time, plain JavaScript, like
// a serialized __index.js): the context, the environment, EMF and log capture, the timeout that discards an
// environment, the runtime's fault injection, and the event source mapping's batching window against fauxqs.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_LOCAL_ROOT, LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_REGION } from "../contracts";
import { startSqs } from "../local/emulators";
import { SqsEventSourceMapping } from "../local/event-source-mapping";
import type { LocalFunction } from "../local/execution-environment";
import { FaultInjector } from "../local/faults/injector";
import { lambdaFaultsOf } from "../local/faults/lambda-faults";
import { LambdaService } from "../local/lambda-service";
import { RunRecorder } from "../local/recorder";

const folder = join(DEFAULT_LOCAL_ROOT, `test-runtime-${process.pid}`);

const FIXTURE = `
exports.handler = async (event, context) => {
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  console.log(JSON.stringify({ level: "INFO", message: "fixture ran", records: (event.Records || []).length }));
  console.log(JSON.stringify({ _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: "Fixture", Dimensions: [["service"]], Metrics: [{ Name: "Seen", Unit: "Count" }] }] }, service: "fixture", Seen: (event.Records || []).length }));
  return {
    functionName: context.functionName,
    remaining: context.getRemainingTimeInMillis(),
    requestId: context.awsRequestId,
    variable: process.env.FIXTURE_VARIABLE,
    sizes: (event.Records || []).length,
  };
};
`;

function fixture(timeoutSeconds: number): LocalFunction {
  mkdirSync(folder, { recursive: true });
  const codePath = join(folder, "__index.js");
  writeFileSync(codePath, FIXTURE);
  return {
    name: "fixture-fn",
    arn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:fixture-fn`,
    codePath,
    handler: "__index.handler",
    timeoutSeconds,
    memorySizeMb: 128,
    environment: {
      FIXTURE_VARIABLE: "from the declared environment",
      AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/fixture-fn",
      AWS_LAMBDA_LOG_STREAM_NAME: "s",
    },
  };
}

const runtime = suite("embedded cloud runtime");
runtime.after(() => rmSync(folder, { recursive: true, force: true }));

runtime(
  "an invocation gets a Lambda context and the declared environment; its EMF and logs reach the record",
  async () => {
    const recorder = new RunRecorder({ root: join(folder, "record") });
    const fn = new LambdaService(fixture(5), { recorder });
    try {
      const first = await fn.invoke({ Records: [{}, {}] });
      assert.is(first.outcome.kind, "ok");
      assert.ok(first.coldStart);
      const response = (first.outcome as { response: Record<string, unknown> }).response;
      assert.is(response.functionName, "fixture-fn");
      assert.is(response.variable, "from the declared environment");
      assert.is(response.requestId, first.requestId);
      assert.ok(Number(response.remaining) > 0 && Number(response.remaining) <= 5000);
      const second = await fn.invoke({ Records: [{}] });
      assert.not.ok(second.coldStart, "the warm environment was not reused");
      assert.is(fn.stats.coldStarts, 1);
      // Output lines arrive asynchronously from the thread: flush until all three EMF values are in, or give up after 20 s.
      const seenSoFar = () =>
        recorder
          .lines()
          .filter((l) => l.namespace === "Fixture" && l.metric === "Seen")
          .reduce((n, l) => n + l.values[0]!, 0);
      for (let i = 0; i < 200 && seenSoFar() < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        recorder.flush(Math.floor(Date.now() / 1000));
      }
      recorder.stop();
      const seen = recorder.lines().filter((l) => l.namespace === "Fixture" && l.metric === "Seen");
      assert.is(
        seen.reduce((n, l) => n + l.values[0]!, 0),
        3,
      );
      assert.equal(seen[0]!.dimensions, { service: "fixture" });
      const logs = readFileSync(recorder.logsFile, "utf8");
      assert.match(logs, /"message":"fixture ran"/);
      assert.match(logs, /"source":"function"/);
    } finally {
      await fn.stop();
      recorder.stop();
    }
  },
);

runtime("a timeout ends the invocation and discards its environment; the next one starts cold", async () => {
  const fn = new LambdaService(fixture(1));
  try {
    const slowEvent = { sleepMs: 5_000 };
    const slow = await fn.invoke(slowEvent);
    assert.is(slow.outcome.kind, "timeout");
    const next = await fn.invoke({});
    assert.is(next.outcome.kind, "ok");
    assert.ok(next.coldStart, "the timed-out environment was reused");
    assert.is(fn.stats.timeouts, 1);
    assert.is(fn.stats.coldStarts, 2);
  } finally {
    await fn.stop();
  }
});

runtime("the injected fault fails the first invocation of each environment only", async () => {
  const faults = lambdaFaultsOf(new FaultInjector({ rates: { "lambda-first-invoke-error": 1 }, seed: 1 }));
  const fn = new LambdaService(fixture(5), { faults });
  try {
    const first = await fn.invoke({});
    assert.is(first.outcome.kind, "error");
    assert.match((first.outcome as { errorMessage: string }).errorMessage, /fault injected/);
    assert.is((await fn.invoke({})).outcome.kind, "ok");
  } finally {
    await fn.stop();
  }
});

runtime("with a batching window the mapping gathers up to batchSize records from several receives", async () => {
  const sqsEmulator = await startSqs({ loopbackQueueUrls: true });
  const sqs = new SQSClient({ endpoint: sqsEmulator.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const fn = new LambdaService(fixture(5));
  let mapping: SqsEventSourceMapping | undefined;
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "window-test" }));
    for (let batch = 0; batch < 3; batch++) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: `m${batch}-${i}` })),
        }),
      );
    }
    mapping = new SqsEventSourceMapping(
      {
        uuid: "window",
        queueUrl: QueueUrl!,
        queueArn: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:window-test`,
        region: LOCAL_REGION,
        batchSize: 25,
        batchingWindowSeconds: 1,
        maximumConcurrency: 2,
        reportBatchItemFailures: true,
        enabled: true,
      },
      sqs,
      fn,
    );
    mapping.start();
    for (let i = 0; i < 200 && mapping.stats.deleted < 30; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.is(mapping.stats.deleted, 30);
    // 30 messages waiting, batches of at most 25 gathered over one-second windows: 25 then 5.
    assert.equal(
      [...fn.stats.batchSizes].sort((a, b) => b - a),
      [25, 5],
    );
  } finally {
    await mapping?.stop();
    await fn.stop();
    sqs.destroy();
    await sqsEmulator.close();
  }
});

runtime.run();
