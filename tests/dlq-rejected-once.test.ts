// End to end on the embedded cloud, through the real consumer artifact: the table is gone while a mix of valid and
// malformed messages arrives. Valid ones fail transiently until the redrive policy moves them (no errorCode); each
// malformed one must reach the DLQ exactly once, with its errorCode, even though the rest of its batch failed.

import { rmSync } from "node:fs";
import { join } from "node:path";
import { DeleteTableCommand, DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_LOCAL_ROOT } from "../contracts";
import { attachReasons } from "../dlq/messages";
import { receiveAll, release } from "../dlq/sqs-io";
import { produce } from "../producer/produce";
import { deployDeadLetterCloud, waitForDeadLetters } from "./support/dead-letter-cloud";

const localRoot = join(DEFAULT_LOCAL_ROOT, `test-dlq-once-${process.pid}`);
const test = suite("dlq: a rejected message is dead-lettered once when the rest of its batch fails");
test.after(() => rmSync(localRoot, { recursive: true, force: true }));

test("malformed messages in failing batches reach the DLQ once each, valid ones are moved once each", async () => {
  const world = await deployDeadLetterCloud(localRoot);
  const { cloud, queueUrl, dlqUrl, tableName } = world;
  try {
    await cloud.dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    await cloud.dynamo.send(new DeleteTableCommand({ TableName: tableName }));

    const sent = await produce({ queueUrl, count: 60, rate: 1000, invalidRatio: 0.25, seed: 7 }, { sqs: cloud.sqs });
    assert.is(sent.sent, 60);
    const invalid = sent.messages.filter((m) => m.kind !== "valid");
    const valid = sent.messages.filter((m) => m.kind === "valid");
    assert.ok(invalid.length > 5 && valid.length > 5, `a mix is needed: ${invalid.length} invalid`);
    await waitForDeadLetters(world, 60);

    const messages = attachReasons(await receiveAll(cloud.sqs, dlqUrl, { holdSeconds: 60 }));
    await release(cloud.sqs, dlqUrl, messages);
    const rejected = messages.filter((m) => m.errorCode !== undefined);
    const moved = messages.filter((m) => m.errorCode === undefined);
    const invalidIds = new Set(invalid.map((m) => m.messageId));
    assert.equal(rejected.map((m) => m.sourceMessageId).sort(), [...invalidIds].sort(), "each malformed one, once");
    assert.equal(moved.map((m) => m.messageId).sort(), valid.map((m) => m.messageId).sort(), "each valid one, once");
  } finally {
    await cloud.stop();
  }
});

test.run();
