// The fault layers sit in the emulators' request path, so any client meets them (the AWS CLI, boto3, an SDK), not
// only the consumer: checked here with plain SDK clients against a started embedded cloud.

import { rmSync } from "node:fs";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_LOCAL_ROOT, LOCAL_CREDENTIALS, LOCAL_REGION } from "../contracts";
import { EmbeddedCloud } from "../local/cloud";
import type { FaultRates } from "../local/faults/spec";

const localRoot = join(DEFAULT_LOCAL_ROOT, `test-fault-clients-${process.pid}`);
const clients = suite("fault layers for any client");
clients.after(() => rmSync(localRoot, { recursive: true, force: true }));

async function withCloud(rates: FaultRates, body: (cloud: EmbeddedCloud) => Promise<void>): Promise<void> {
  const cloud = await EmbeddedCloud.start({ localRoot, writeState: false, record: false, faults: { rates, seed: 1 } });
  try {
    await body(cloud);
  } finally {
    await cloud.stop();
  }
}

const client = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };

async function createTable(dynamo: DynamoDBClient): Promise<void> {
  await dynamo.send(
    new CreateTableCommand({
      TableName: "trucks",
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
    }),
  );
}

clients("ddb-throttle: PutItem answered with DynamoDB's throttling error, after the SDK's own retries", async () => {
  await withCloud({ "ddb-throttle": 1 }, async (cloud) => {
    const dynamo = new DynamoDBClient({ ...client, endpoint: cloud.endpoints.dynamodb });
    await createTable(dynamo);
    const error = await dynamo
      .send(new PutItemCommand({ TableName: "trucks", Item: { id: { S: "a" } } }))
      .catch((e) => e);
    assert.ok(["ProvisionedThroughputExceededException", "ThrottlingException"].includes(error.name), error.name);
    assert.is(error.$metadata.httpStatusCode, 400);
    assert.ok(error.$metadata.attempts >= 2, "the SDK retried the throttled call");
    // The worker reports each injected fault by message; hang guard only.
    for (let i = 0; i < 1000 && cloud.faults!.injector.counts["ddb-throttle"] < error.$metadata.attempts; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(cloud.faults!.injector.counts["ddb-throttle"] >= error.$metadata.attempts);
    // Only PutItem is eligible: reads still work.
    const read = await dynamo.send(new GetItemCommand({ TableName: "trucks", Key: { id: { S: "a" } } }));
    assert.is(read.Item, undefined);
    dynamo.destroy();
  });
});

clients(
  "ddb-lost-ack and dlq-send-fail: the write lands without an answer; a DLQ refuses sends, its source does not",
  async () => {
    await withCloud({ "ddb-lost-ack": 1, "dlq-send-fail": 1 }, async (cloud) => {
      const dynamo = new DynamoDBClient({ ...client, endpoint: cloud.endpoints.dynamodb, maxAttempts: 1 });
      await createTable(dynamo);
      const error = await dynamo
        .send(new PutItemCommand({ TableName: "trucks", Item: { id: { S: "b" } } }))
        .catch((e) => e);
      assert.instance(error, Error);
      assert.is(error.$metadata?.httpStatusCode, undefined, `no HTTP answer, got ${error.name}`);
      const read = await dynamo.send(new GetItemCommand({ TableName: "trucks", Key: { id: { S: "b" } } }));
      assert.equal(read.Item, { id: { S: "b" } }, "the write was applied");

      const sqs = new SQSClient({ ...client, endpoint: cloud.endpoints.sqs, maxAttempts: 1 });
      const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "dlq" }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }),
      );
      const source = await sqs.send(
        new CreateQueueCommand({
          QueueName: "source",
          Attributes: {
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: 3 }),
          },
        }),
      );
      const refused = await sqs
        .send(new SendMessageCommand({ QueueUrl: dlq.QueueUrl, MessageBody: "x" }))
        .catch((e) => e);
      assert.is(refused.$metadata.httpStatusCode, 500);
      assert.is(refused.name, "InternalFailure");
      await sqs.send(new SendMessageCommand({ QueueUrl: source.QueueUrl, MessageBody: "x" }));
      assert.is(cloud.faults!.injector.counts["dlq-send-fail"], 1);
      dynamo.destroy();
      sqs.destroy();
    });
  },
);

clients.run();
