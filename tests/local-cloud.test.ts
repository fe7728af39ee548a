// The embedded cloud end to end: the real program synthesized through Pulumi's language host, deployed into fauxqs and dynalite, its serialized
// consumer run in worker threads by the event source mapping, and the outcome verified against what was sent.
// No timing assertions: every check is about what happened, not how fast.

import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { consumerFunction, DEFAULT_LOCAL_ROOT, type MetricLine, readState } from "../contracts";
import { EmbeddedCloud } from "../local/cloud";
import { type PipelineRunResult, runPipeline } from "../local/pipeline-run";
import { synthesizeStack } from "../local/stack-source";
import { devUpdate } from "./support/language-host";

const localRoot = join(DEFAULT_LOCAL_ROOT, `test-${process.pid}`);
const quiet = { localRoot, idleMs: 5_000 };

function metricLines(result: PipelineRunResult): MetricLine[] {
  return readFileSync(join(result.folder!, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as MetricLine);
}

const cloud = suite("embedded cloud");
cloud.after(() => rmSync(localRoot, { recursive: true, force: true }));

let fullRun: PipelineRunResult | undefined;

cloud(
  "a run of 300 messages with malformed ones is verified end to end: stored once each, invalid ones in the DLQ with their reason",
  async () => {
    fullRun = await runPipeline({ ...quiet, load: { count: 300, rate: 1000, invalidRatio: 0.05, seed: 7 } });
    const v = fullRun.verification;
    assert.ok(v.ok, v.problems.join("\n"));
    assert.is(v.sent, 300);
    assert.ok(v.invalid >= 10, `expected some malformed messages, got ${v.invalid}`);
    assert.is(v.storedCorrectly, v.valid);
    assert.is(v.deadLetteredCorrectly, v.invalid);
    assert.is(v.lost, 0);
    assert.is(v.leftInQueue, 0);
    assert.is(v.duplicated, 0);
    assert.is(v.itemsInTable, v.valid);
    // The record and run.json are where the dashboard and the report expect them.
    const run = JSON.parse(readFileSync(join(fullRun.folder!, "run.json"), "utf8"));
    assert.is(run.verification.ok, true);
    // The role is a principal whose policies every call is judged against, and nothing was refused.
    assert.ok(
      run.resources.some(
        (r: { status: string; type: string }) => r.status === "emulated" && r.type === "aws:iam/role:Role",
      ),
    );
    assert.is(run.iam.enforced, true);
    assert.equal(run.iam.denials, []);
    assert.ok(existsSync(join(localRoot, "last-run")));
    const sent = metricLines(fullRun).filter(
      (l) =>
        l.namespace === "AWS/SQS" &&
        l.metric === "NumberOfMessagesSent" &&
        l.dimensions.QueueName ===
          fullRun!.deployed.queues.find((q) => q.url === fullRun!.deployed.outputs.queueUrl)!.name,
    );
    assert.is(
      sent.reduce((n, l) => n + (l.values[0] ?? 0), 0),
      300,
    );
  },
);

cloud(
  "the consumer it ran is byte for byte the __index.js the language host received, with the same archive",
  async () => {
    assert.ok(fullRun, "needs the full run above");
    const [ran] = fullRun.deployed.functions;
    const fromLanguageHost = consumerFunction(await devUpdate());
    assert.is(ran!.codePath, join(localRoot, "functions", fromLanguageHost.state.name, "__index.js"));
    assert.is(readFileSync(ran!.codePath, "utf8"), fromLanguageHost.inputs.code.indexJs);
    // The archive's other entries: the embedded cloud's workers load them from the same node_modules folders.
    const deployedFrom = consumerFunction(await synthesizeStack({ cacheDir: join(DEFAULT_LOCAL_ROOT, "synth-cache") }));
    assert.equal(deployedFrom.inputs.code.paths, fromLanguageHost.inputs.code.paths);
    assert.equal(deployedFrom.inputs.code.packages, fromLanguageHost.inputs.code.packages);
  },
);

cloud("the record shows concurrency scaling out above 1 and back to 0, never above maximumConcurrency", () => {
  assert.ok(fullRun, "needs the full run above");
  const max = fullRun.deployed.mappings[0]!.config.maximumConcurrency;
  const concurrency = metricLines(fullRun)
    .filter((l) => l.namespace === "AWS/Lambda" && l.metric === "ConcurrentExecutions")
    .sort((a, b) => a.t - b.t)
    .map((l) => l.values[0]!);
  const peakAt = concurrency.findIndex((c) => c > 1);
  assert.ok(peakAt >= 0, `no second with more than one concurrent execution: ${concurrency.join(",")}`);
  assert.ok(concurrency.slice(peakAt).includes(0), `concurrency never returned to 0: ${concurrency.join(",")}`);
  assert.ok(Math.max(...concurrency) <= max);
  assert.ok(fullRun.mapping.scaleOuts >= 1);
});

cloud("a batch size changed in the stack config shows up in the invocations", async () => {
  const result = await runPipeline({
    ...quiet,
    configOverrides: { "vehicle-pipeline:batchSize": "3" },
    load: { count: 60, rate: 1000, invalidRatio: 0, seed: 3 },
  });
  assert.ok(result.verification.ok, result.verification.problems.join("\n"));
  assert.is(result.deployed.mappings[0]!.config.batchSize, 3);
  const sizes = result.lambda.batchSizes;
  assert.ok(
    sizes.length >= 20,
    `60 messages in batches of at most 3 need at least 20 invocations, got ${sizes.length}`,
  );
  assert.ok(Math.max(...sizes) === 3, `largest batch ${Math.max(...sizes)}`);
});

cloud("environments that throw on their first invocation cause redelivery, and still nothing is lost", async () => {
  const result = await runPipeline({
    ...quiet,
    faults: { rates: { "lambda-first-invoke-error": 1 }, seed: 1 },
    // A short visibility timeout so failed batches come back within the test; two environments at most.
    configOverrides: {
      "vehicle-pipeline:timeoutSeconds": "5",
      "vehicle-pipeline:visibilityTimeoutSeconds": "5",
      "vehicle-pipeline:maxConcurrency": "2",
    },
    load: { count: 40, rate: 1000, invalidRatio: 0, seed: 5 },
  });
  assert.ok(result.verification.ok, result.verification.problems.join("\n"));
  assert.ok(result.lambda.errors >= 1, "the injected fault never fired");
  assert.ok(result.mapping.retriedBatches >= 1);
  const redelivered = result.verification.storedCorrectly;
  assert.is(redelivered, 40);
  const errors = metricLines(result)
    .filter((l) => l.metric === "Errors" && l.namespace === "AWS/Lambda")
    .reduce((n, l) => n + (l.values[0] ?? 0), 0);
  assert.is(errors, result.lambda.errors);
});

cloud("the state file lets a separate SQS client send a message that gets stored", async () => {
  const stack = await synthesizeStack({ cacheDir: join(DEFAULT_LOCAL_ROOT, "synth-cache") });
  const running = await EmbeddedCloud.start({ localRoot, idleMs: 5_000 });
  try {
    await running.deploy(stack);
    const state = readState(localRoot)!;
    assert.is(state.pid, process.pid);
    assert.match(String(state.outputs.queueUrl), /^http:\/\/127\.0\.0\.1:\d+\/000000000000\//);
    const credentials = { accessKeyId: "test", secretAccessKey: "test" };
    const sqs = new SQSClient({ endpoint: state.endpoints.sqs, region: state.region, credentials });
    const dynamo = new DynamoDBClient({ endpoint: state.endpoints.dynamodb, region: state.region, credentials });
    try {
      const body = { vehicleId: "VH777001", make: "Volvo", model: "XC60", year: 2021, color: "Red", mileage: 4200 };
      const { MessageId } = await sqs.send(
        new SendMessageCommand({ QueueUrl: String(state.outputs.queueUrl), MessageBody: JSON.stringify(body) }),
      );
      // Without an eventId attribute the consumer keys the item on the SQS messageId.
      let item: Record<string, unknown> | undefined;
      for (let attempt = 0; attempt < 300 && !item; attempt++) {
        const got = await dynamo.send(
          new GetItemCommand({
            TableName: String(state.outputs.tableName),
            Key: { vehicleId: { S: body.vehicleId }, eventId: { S: MessageId! } },
          }),
        );
        item = got.Item ? unmarshall(got.Item) : undefined;
        if (!item) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(item, "the message was not stored within 30 s");
      assert.is(item.make, "Volvo");
      assert.is(item.mileage, 4200);
      assert.is(item.messageId, MessageId);
    } finally {
      sqs.destroy();
      dynamo.destroy();
    }
  } finally {
    await running.stop();
  }
  assert.is(readState(localRoot), undefined, "the state file outlived the cloud");
});

cloud.run();
