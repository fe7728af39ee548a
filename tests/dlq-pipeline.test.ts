// End to end on the embedded cloud: the table disappears while valid messages arrive, so the consumer fails them
// transiently until the redrive policy moves them to the DLQ; the table comes back, `redrive --moved-only` runs, and
// every one of them is stored exactly once. The consumer is unchanged: only its table is deleted and recreated.

import { rmSync } from "node:fs";
import { join } from "node:path";
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_LOCAL_ROOT } from "../contracts";
import { parseDlqArgs } from "../dlq/args";
import { redrive, stats } from "../dlq/commands";
import { readTable } from "../local/verify";
import { produce } from "../producer/produce";
import { deployDeadLetterCloud, waitForDeadLetters } from "./support/dead-letter-cloud";
import { dlqTarget, recordingIo } from "./support/dlq-fixtures";
import { queueDepth } from "./support/local-sqs";

const localRoot = join(DEFAULT_LOCAL_ROOT, `test-dlq-${process.pid}`);
const test = suite("dlq redrive after a table outage");
test.after(() => rmSync(localRoot, { recursive: true, force: true }));

test("messages dead-lettered during a table outage are stored exactly once after redrive --moved-only", async () => {
  const world = await deployDeadLetterCloud(localRoot);
  const { cloud, queueUrl, dlqUrl, tableName } = world;
  try {
    const { Table } = await cloud.dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    await cloud.dynamo.send(new DeleteTableCommand({ TableName: tableName }));

    const sent = await produce({ queueUrl, count: 40, rate: 1000, invalidRatio: 0, seed: 21 }, { sqs: cloud.sqs });
    assert.is(sent.sent, 40);
    await waitForDeadLetters(world, 40);

    await cloud.dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: Table!.KeySchema,
        AttributeDefinitions: Table!.AttributeDefinitions,
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    const target = dlqTarget(cloud.sqs, queueUrl, dlqUrl);
    const io = recordingIo();
    await stats(parseDlqArgs(["stats", "--json"]), target, io);
    const before = JSON.parse(io.lines.pop()!);
    assert.is(before.moved, 40, "every valid message should have been moved by the redrive policy, none rejected");

    assert.is(await redrive(parseDlqArgs(["redrive", "--moved-only"]), target, io), 0);
    await cloud.waitForDrain(120_000);

    const items = await readTable(cloud.dynamo, tableName);
    assert.is(items.length, 40);
    assert.equal(items.map((i) => i.eventId).sort(), sent.messages.map((m) => m.eventId).sort());
    assert.is(await queueDepth(cloud.sqs, dlqUrl), 0);
  } finally {
    await cloud.stop();
  }
});

test.run();
