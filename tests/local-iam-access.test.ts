// The embedded cloud's IAM through the real SDK clients against one running cloud: which keys belong to whom, what
// each may do, what AWS answers when it refuses, SQS's RedriveAllowPolicy, and the deploy-time refusals of a role that
// lacks what the event source mapping needs. One cloud for the file, deployed once.

import { rmSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  chooseSqsClient,
  DEFAULT_LOCAL_ROOT,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  SYNTH_CACHE_DIR,
  type SynthesizedStack,
} from "../contracts";
import { PreflightRefusal } from "../controlplane";
import { EmbeddedCloud } from "../local/cloud";
import { synthesizeStack } from "../local/stack-source";

const localRoot = join(DEFAULT_LOCAL_ROOT, `test-iam-${process.pid}`);
const test = suite("embedded cloud: IAM on every call");

interface World {
  cloud: EmbeddedCloud;
  stack: SynthesizedStack;
  queueUrl: string;
  dlqUrl: string;
  tableName: string;
  queueArn: string;
  dlqArn: string;
  tableArn: string;
}
let world: World;
const clients: { destroy(): void }[] = [];

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const sqsAs = (credentials: Keys) => {
  const client = new SQSClient({
    region: LOCAL_REGION,
    endpoint: world.cloud.endpoints.sqs,
    credentials,
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
};
const dynamoAs = (credentials: Keys) => {
  const client = new DynamoDBClient({
    region: LOCAL_REGION,
    endpoint: world.cloud.endpoints.dynamodb,
    credentials,
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
};

/** The error a call fails with (the test fails if it succeeds). */
async function refusal(call: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  return assert.unreachable("the call should have been refused") as never;
}

test.before(async () => {
  const stack = await synthesizeStack({ cacheDir: SYNTH_CACHE_DIR });
  const cloud = await EmbeddedCloud.start({ localRoot, idleMs: 5_000, writeState: false, record: false, prewarm: 0 });
  const deployed = await cloud.deploy(stack);
  const outputs = deployed.outputs as Record<string, string>;
  world = {
    cloud,
    stack,
    queueUrl: outputs.queueUrl!,
    dlqUrl: outputs.dlqUrl!,
    tableName: outputs.tableName!,
    queueArn: deployed.queues.find((q) => q.url === outputs.queueUrl)!.arn,
    dlqArn: deployed.queues.find((q) => q.url === outputs.dlqUrl)!.arn,
    tableArn: deployed.tables[0]!.arn,
  };
});

test.after(async () => {
  for (const client of clients) client.destroy();
  await world?.cloud.stop();
  rmSync(localRoot, { recursive: true, force: true });
});

const producerKeys = () => world.cloud.deployed!.principals.producer!.identity;
const roleKeys = () => [...world.cloud.deployed!.principals.functions.values()][0]!.identity;

test("the producer's keys send to the queue and are refused ReceiveMessage with SQS's AccessDenied", async () => {
  const producer = sqsAs(producerKeys());
  await producer.send(new SendMessageCommand({ QueueUrl: world.queueUrl, MessageBody: "{}" }));
  const error = await refusal(producer.send(new ReceiveMessageCommand({ QueueUrl: world.queueUrl })));
  assert.is(error.name, "AccessDenied");
  assert.is(error.$metadata?.httpStatusCode, 403);
  assert.is(
    error.message,
    `User: ${producerKeys().arn} is not authorized to perform: sqs:receivemessage on resource: ${world.queueArn} ` +
      "because no identity-based policy allows the sqs:receivemessage action",
  );
  assert.match(producerKeys().arn, /^arn:aws:iam::000000000000:user\//);
});

test("the administrator's keys and the well-known test keys may do anything", async () => {
  const { accessKeyId, secretAccessKey } = world.cloud.administrator.identity;
  assert.match(accessKeyId, /^AKIA[A-Z2-7]{16}$/);
  for (const keys of [{ accessKeyId, secretAccessKey }, { ...LOCAL_CREDENTIALS }]) {
    await sqsAs(keys).send(new ReceiveMessageCommand({ QueueUrl: world.queueUrl, WaitTimeSeconds: 0 }));
    await dynamoAs(keys).send(new ScanCommand({ TableName: world.tableName, Select: "COUNT" }));
  }
});

test("unknown keys get InvalidClientTokenId from SQS and UnrecognizedClientException from DynamoDB", async () => {
  const stranger = { accessKeyId: "AKIAUNKNOWNUNKNOWN00", secretAccessKey: "x" };
  const sqs = await refusal(
    sqsAs(stranger).send(new SendMessageCommand({ QueueUrl: world.queueUrl, MessageBody: "{}" })),
  );
  assert.is(sqs.name, "InvalidClientTokenId");
  assert.is(sqs.message, "The security token included in the request is invalid.");
  const dynamo = await refusal(dynamoAs(stranger).send(new ScanCommand({ TableName: world.tableName })));
  assert.is(dynamo.name, "UnrecognizedClientException");
});

test("the function's role session: its keys need their session token, and allow exactly what the role grants", async () => {
  const { accessKeyId, secretAccessKey, sessionToken, arn } = roleKeys();
  assert.match(accessKeyId, /^ASIA/);
  assert.match(arn, /^arn:aws:sts::000000000000:assumed-role\/consumer-role-[^/]+\/vehicle-consumer-dev$/);
  const noToken = await refusal(
    dynamoAs({ accessKeyId, secretAccessKey }).send(new ScanCommand({ TableName: world.tableName })),
  );
  assert.is(noToken.name, "UnrecognizedClientException");

  const role = { accessKeyId, secretAccessKey, sessionToken: sessionToken! };
  await sqsAs(role).send(new SendMessageCommand({ QueueUrl: world.dlqUrl, MessageBody: "{}" }));
  await dynamoAs(role).send(
    new PutItemCommand({ TableName: world.tableName, Item: { vehicleId: { S: "VH1" }, eventId: { S: "e1" } } }),
  );
  const send = await refusal(sqsAs(role).send(new SendMessageCommand({ QueueUrl: world.queueUrl, MessageBody: "{}" })));
  assert.is(send.name, "AccessDenied");
  assert.match(send.message, `sqs:sendmessage on resource: ${world.queueArn}`);
  const get = await refusal(
    dynamoAs(role).send(
      new GetItemCommand({ TableName: world.tableName, Key: { vehicleId: { S: "VH1" }, eventId: { S: "e1" } } }),
    ),
  );
  assert.is(get.name, "AccessDeniedException");
  assert.is(
    get.message,
    `User: ${arn} is not authorized to perform: dynamodb:GetItem on resource: ${world.tableArn} ` +
      "because no identity-based policy allows the dynamodb:GetItem action",
  );
  // The function's environment carries the same session.
  const env = world.cloud.deployed!.functions[0]!.environment;
  assert.equal([env.AWS_ACCESS_KEY_ID, env.AWS_SESSION_TOKEN], [accessKeyId, sessionToken]);
});

test("the event source mapping polls as the function's role, and every refusal is recorded once with its count", async () => {
  const { used, denials, enforced } = world.cloud.iam.summary();
  assert.ok(enforced);
  assert.ok(
    used.some(
      (u) => u.principal === roleKeys().arn && u.action === "sqs:ReceiveMessage" && u.resource === world.queueArn,
    ),
    "the pollers' receives should be the role's",
  );
  const refused = denials.map((d) => `${d.principal} ${d.action} ${d.resource} ${d.code}`);
  assert.ok(refused.includes(`${producerKeys().arn} sqs:ReceiveMessage ${world.queueArn} AccessDenied`));
  assert.ok(refused.includes(`${roleKeys().arn} dynamodb:GetItem ${world.tableArn} AccessDeniedException`));
  assert.ok(refused.includes("access key AKIAUNKNOWNUNKNOWN00   InvalidClientTokenId"));
});

test("RedriveAllowPolicy: kept by the cloud, answered by GetQueueAttributes, and enforced on SetQueueAttributes", async () => {
  const admin = sqsAs({ ...LOCAL_CREDENTIALS });
  const { Attributes } = await admin.send(
    new GetQueueAttributesCommand({ QueueUrl: world.dlqUrl, AttributeNames: ["RedriveAllowPolicy"] }),
  );
  assert.equal(JSON.parse(Attributes!.RedriveAllowPolicy!), {
    redrivePermission: "byQueue",
    sourceQueueArns: [world.queueArn],
  });
  const { QueueUrl } = await admin.send(new CreateQueueCommand({ QueueName: `stray-${process.pid}` }));
  const redrive = JSON.stringify({ deadLetterTargetArn: world.dlqArn, maxReceiveCount: 3 });
  const error = await refusal(
    admin.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { RedrivePolicy: redrive } })),
  );
  assert.is(error.name, "InvalidParameterValue");
  assert.match(error.message, `RedriveAllowPolicy of ${world.dlqArn} does not allow`);
  const malformed = await refusal(
    admin.send(
      new SetQueueAttributesCommand({ QueueUrl, Attributes: { RedriveAllowPolicy: '{"redrivePermission":"some"}' } }),
    ),
  );
  assert.is(malformed.name, "InvalidParameterValue");
});

test("a move task needs the caller's permissions on the DLQ: the producer is refused StartMessageMoveTask", async () => {
  const error = await refusal(sqsAs(producerKeys()).send(new StartMessageMoveTaskCommand({ SourceArn: world.dlqArn })));
  assert.is(error.name, "AccessDenied");
  assert.match(error.message, `sqs:startmessagemovetask on resource: ${world.dlqArn}`);
});

test("the state file carries the producer's and the administrator's keys, and the producer's client picks its own", () => {
  const { credentials } = world.cloud.state();
  assert.is(credentials?.producer?.accessKeyId, producerKeys().accessKeyId);
  assert.is(credentials?.administrator?.accessKeyId, world.cloud.administrator.identity.accessKeyId);
  const choice = chooseSqsClient({
    queueUrl: world.queueUrl,
    discoveredEndpoint: world.cloud.endpoints.sqs,
    embeddedCloud: true,
    cloudKeys: credentials?.producer,
    env: { AWS_ACCESS_KEY_ID: "AKIAFROMTHESHELL0000", AWS_PROFILE: "prod" },
  });
  assert.equal(choice.config.credentials, {
    accessKeyId: producerKeys().accessKeyId,
    secretAccessKey: producerKeys().secretAccessKey,
  });
  assert.match(choice.credentials, producerKeys().arn);
});

/** The stack with one action taken out of the consumer's role policy. */
function withoutConsumerAction(action: string): SynthesizedStack {
  const stack = structuredClone(world.stack);
  const rolePolicy = stack.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy")!;
  const document = JSON.parse(rolePolicy.inputs.policy);
  for (const s of document.Statement) s.Action = [s.Action].flat().filter((a: string) => a !== action);
  document.Statement = document.Statement.filter((s: { Action: string[] }) => s.Action.length > 0);
  rolePolicy.inputs.policy = JSON.stringify(document);
  return stack;
}

for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"])
  test(`a role without ${action} is refused at deploy, as Lambda refuses the mapping, naming it`, async () => {
    let error: unknown;
    try {
      await world.cloud.deploy(withoutConsumerAction(action));
    } catch (caught) {
      error = caught;
    }
    assert.instance(error, PreflightRefusal);
    const refused = error as PreflightRefusal;
    assert.is(refused.report.violations.length, 1, refused.message);
    assert.match(refused.message, `must allow ${action} on the queue`);
    assert.match(refused.message, `on resource: arn:aws:sqs:us-east-1:123456789012:`);
  });

test.run();
