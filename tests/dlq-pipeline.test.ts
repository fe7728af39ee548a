// End to end on the embedded cloud: the table disappears while valid messages arrive, so the consumer fails them
// transiently until the redrive policy moves them to the DLQ; the table comes back, `redrive --moved-only` runs, and
// every one of them is stored exactly once. The consumer is unchanged: only its table is deleted and recreated.

import { rmSync } from "node:fs";
import { join } from "node:path";
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { parseDlqArgs } from "../dlq/args";
import { redrive, stats } from "../dlq/commands";
import { DEFAULT_LOCAL_ROOT, EmbeddedCloud } from "../local/cloud";
import { synthesizeStack } from "../local/stack-source";
import { readTable } from "../local/verify";
import { produce } from "../producer/produce";

const localRoot = join(DEFAULT_LOCAL_ROOT, `test-dlq-${process.pid}`);
const test = suite("dlq redrive after a table outage");
test.after(() => rmSync(localRoot, { recursive: true, force: true }));

test("messages dead-lettered during a table outage are stored exactly once after redrive --moved-only", async () => {
  const stack = await synthesizeStack({
    cacheDir: join(DEFAULT_LOCAL_ROOT, "synth-cache"),
    // Short timeouts and two receives, so the redrive policy moves the failing messages within the test.
    overrides: {
      "vehicle-pipeline:timeoutSeconds": "2",
      "vehicle-pipeline:visibilityTimeoutSeconds": "2",
      "vehicle-pipeline:maxReceiveCount": "2",
    },
  });
  const cloud = await EmbeddedCloud.start({ localRoot, idleMs: 5_000, writeState: false, record: false });
  try {
    const deployed = await cloud.deploy(stack);
    const { queueUrl, dlqUrl, tableName } = deployed.outputs as Record<string, string>;
    const { Table } = await cloud.dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    await cloud.dynamo.send(new DeleteTableCommand({ TableName: tableName }));

    const sent = await produce(
      { queueUrl: queueUrl!, count: 40, rate: 1000, invalidRatio: 0, seed: 21 },
      { sqs: cloud.sqs },
    );
    assert.is(sent.sent, 40);
    const dlqDepth = async () =>
      Number(
        (
          await cloud.sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
          )
        ).Attributes?.ApproximateNumberOfMessages,
      );
    const deadline = Date.now() + 180_000;
    while ((await dlqDepth()) < 40) {
      if (Date.now() > deadline) assert.unreachable(`only ${await dlqDepth()} of 40 reached the DLQ`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await cloud.waitForDrain(60_000);

    await cloud.dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: Table!.KeySchema,
        AttributeDefinitions: Table!.AttributeDefinitions,
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    const target = { dlqUrl: dlqUrl!, queueUrl, source: "test", sqs: cloud.sqs, describe: `DLQ ${dlqUrl}` };
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: () => undefined, signal: new AbortController().signal };
    await stats(parseDlqArgs(["stats", "--json"]), target, io);
    const before = JSON.parse(lines.pop()!);
    assert.is(before.moved, 40, "every valid message should have been moved by the redrive policy, none rejected");

    assert.is(await redrive(parseDlqArgs(["redrive", "--moved-only"]), target, io), 0);
    await cloud.waitForDrain(120_000);

    const items = await readTable(cloud.dynamo, tableName!);
    assert.is(items.length, 40);
    assert.equal(items.map((i) => i.eventId).sort(), sent.messages.map((m) => m.eventId).sort());
    assert.is(await dlqDepth(), 0);
  } finally {
    await cloud.stop();
  }
});

test.run();
