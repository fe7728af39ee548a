import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DLQ_RETENTION_SECONDS, VISIBILITY_TIMEOUT_FACTOR } from "../contracts";
import { devSettings, devStack, ofType, only } from "./support/pulumi";

interface PolicyStatement {
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource?: unknown;
  Condition?: { Bool?: Record<string, string> };
}

const test = suite("infra: VehicleQueue");

const QUEUE = "aws:sqs/queue:Queue";

test("a source queue and a dead-letter queue, both with SQS-managed encryption", async () => {
  const stack = await devStack();
  const queues = ofType(stack, QUEUE);
  assert.equal(queues.map((q) => q.name).sort(), ["vehicles", "vehicles-dlq"]);
  for (const queue of queues) assert.is(queue.inputs.sqsManagedSseEnabled, true, `${queue.name} must be encrypted`);
});

test("visibility timeout is 6x the function timeout, retention from settings, DLQ keeps 14 days", async () => {
  const stack = await devStack();
  const settings = devSettings();
  const source = only(stack, QUEUE, "vehicles");
  const fn = only(stack, "aws:lambda/function:Function");
  assert.is(source.inputs.visibilityTimeoutSeconds, VISIBILITY_TIMEOUT_FACTOR * fn.inputs.timeout);
  assert.is(source.inputs.visibilityTimeoutSeconds, 180);
  assert.is(source.inputs.messageRetentionSeconds, settings.messageRetentionSeconds);
  assert.is(only(stack, QUEUE, "vehicles-dlq").inputs.messageRetentionSeconds, DLQ_RETENTION_SECONDS);
  assert.is(DLQ_RETENTION_SECONDS, 1_209_600);
});

test("redrive policy on the source queue targets the DLQ after maxReceiveCount", async () => {
  const stack = await devStack();
  const redrive = only(stack, "aws:sqs/redrivePolicy:RedrivePolicy");
  const source = only(stack, QUEUE, "vehicles");
  assert.is(redrive.inputs.queueUrl, source.state.url);
  const policy = JSON.parse(redrive.inputs.redrivePolicy);
  assert.equal(policy, {
    deadLetterTargetArn: only(stack, QUEUE, "vehicles-dlq").state.arn,
    maxReceiveCount: devSettings().maxReceiveCount,
  });
  assert.is(policy.maxReceiveCount, 5);
  // Set inline as well, it would fight the separate resource (and make a cycle with the redrive-allow policy).
  assert.is(source.inputs.redrivePolicy, undefined);
});

test("redrive-allow policy on the DLQ names only the source queue", async () => {
  const stack = await devStack();
  const allow = only(stack, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy");
  assert.is(allow.inputs.queueUrl, only(stack, QUEUE, "vehicles-dlq").state.url);
  assert.equal(JSON.parse(allow.inputs.redriveAllowPolicy), {
    redrivePermission: "byQueue",
    sourceQueueArns: [only(stack, QUEUE, "vehicles").state.arn],
  });
});

test("both queues deny every request not made over TLS", async () => {
  const stack = await devStack();
  const policies = ofType(stack, "aws:sqs/queuePolicy:QueuePolicy");
  const covered = new Set<string>();
  for (const queuePolicy of policies) {
    const queue = ofType(stack, QUEUE).find((q) => q.state.url === queuePolicy.inputs.queueUrl);
    assert.ok(queue, `queue policy ${queuePolicy.name} must attach to one of the stack's queues`);
    const document = JSON.parse(queuePolicy.inputs.policy);
    const denies = document.Statement.filter(
      (s: PolicyStatement) =>
        s.Effect === "Deny" &&
        s.Principal === "*" &&
        [s.Action].flat().includes("sqs:*") &&
        s.Resource === queue!.state.arn &&
        s.Condition?.Bool?.["aws:SecureTransport"] === "false",
    );
    assert.is(denies.length, 1, `${queue!.name} needs one TLS-deny statement`);
    // Nothing in a queue policy may grant access: access comes from IAM policies only.
    assert.is(document.Statement.filter((s: PolicyStatement) => s.Effect === "Allow").length, 0);
    covered.add(queue!.name);
  }
  assert.equal([...covered].sort(), ["vehicles", "vehicles-dlq"]);
});

test("producer policy allows only SendMessage, GetQueueUrl and GetQueueAttributes on the source queue", async () => {
  const stack = await devStack();
  const producer = only(stack, "aws:iam/policy:Policy", "vehicles-producer");
  const document = JSON.parse(producer.inputs.policy);
  assert.is(document.Statement.length, 1);
  const [statement] = document.Statement;
  assert.is(statement.Effect, "Allow");
  assert.equal([statement.Action].flat().sort(), ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"]);
  assert.is(statement.Resource, only(stack, QUEUE, "vehicles").state.arn);
  assert.is(stack.outputs.producerPolicyArn, producer.state.arn);
});

test("stack outputs name the deployed resources", async () => {
  const stack = await devStack();
  const source = only(stack, QUEUE, "vehicles");
  // The queue's six outputs (other components add their own, e.g. dashboardUrl).
  const { queueUrl, queueArn, dlqUrl, tableName, functionName, producerPolicyArn } = stack.outputs;
  assert.equal(
    { queueUrl, queueArn, dlqUrl, tableName, functionName, producerPolicyArn },
    {
      queueUrl: source.state.url,
      queueArn: source.state.arn,
      dlqUrl: only(stack, QUEUE, "vehicles-dlq").state.url,
      tableName: only(stack, "aws:dynamodb/table:Table").state.name,
      functionName: only(stack, "aws:lambda/function:Function").state.name,
      producerPolicyArn: only(stack, "aws:iam/policy:Policy", "vehicles-producer").state.arn,
    },
  );
  assert.match(stack.outputs.queueUrl, /^https:\/\/sqs\.us-east-1\.amazonaws\.com\/123456789012\/vehicles-/);
});

test("every child resource is parented to its component", async () => {
  const stack = await devStack();
  for (const resource of stack.resources.filter((r) => r.type.startsWith("aws:"))) {
    assert.ok(resource.parent, `${resource.urn} has no parent component`);
    assert.ok(
      stack.resources.some((r) => r.urn === resource.parent && r.type.startsWith("vehicle-pipeline:")),
      `${resource.urn}'s parent is not a component`,
    );
  }
});

test.run();
