import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  consumerPolicy,
  logStreamsOf,
  type PolicyStatement,
  producerPolicy,
  XRAY_UNSCOPED_ACTIONS,
} from "../components/policies";
import type { SynthesizedStack } from "../contracts";
import { devStack, ofType, only } from "./support/pulumi";

const test = suite("infra: IAM least privilege");

/** Every ARN a resource of this stack owns. */
function stackArns(stack: SynthesizedStack): Set<string> {
  return new Set(stack.resources.map((r) => r.state.arn).filter((arn): arn is string => typeof arn === "string"));
}

/** A resource is in scope when it is one of the stack's ARNs, or a sub-resource path of one (log streams: "<group>:*"). */
function inScope(resource: string, arns: Set<string>): boolean {
  if (arns.has(resource)) return true;
  return [...arns].some((arn) => resource === `${arn}:*`);
}

/** Every identity policy statement attached to a role: inline RolePolicy resources and Role.inlinePolicies. */
function roleStatements(stack: SynthesizedStack): { source: string; statement: PolicyStatement }[] {
  const documents = [
    ...ofType(stack, "aws:iam/rolePolicy:RolePolicy").map((p) => ({ source: p.name, policy: p.inputs.policy })),
    ...ofType(stack, "aws:iam/role:Role").flatMap((r) =>
      (r.inputs.inlinePolicies ?? []).map((p: { policy: string }) => ({ source: r.name, policy: p.policy })),
    ),
    ...ofType(stack, "aws:iam/policy:Policy").map((p) => ({ source: p.name, policy: p.inputs.policy })),
  ];
  return documents.flatMap(({ source, policy }) =>
    (JSON.parse(policy).Statement as PolicyStatement[]).map((statement) => ({ source, statement })),
  );
}

test("no role has a managed policy: no attachments, no managedPolicyArns, so no FullAccess", async () => {
  const stack = await devStack();
  assert.is(ofType(stack, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
  assert.is(ofType(stack, "aws:iam/policyAttachment:PolicyAttachment").length, 0);
  const roles = ofType(stack, "aws:iam/role:Role");
  assert.ok(roles.length >= 1);
  for (const role of roles)
    assert.is(role.inputs.managedPolicyArns, undefined, `${role.name} must not carry managedPolicyArns`);
  assert.not.match(JSON.stringify(stack.resources.map((r) => r.inputs)), /FullAccess/);
});

test("the consumer role has exactly one inline policy", async () => {
  const stack = await devStack();
  const role = only(stack, "aws:iam/role:Role");
  const policies = ofType(stack, "aws:iam/rolePolicy:RolePolicy");
  assert.is(policies.length, 1);
  assert.is(policies[0]!.inputs.role, role.id);
});

test("no wildcard action and every resource is this stack's, except the documented X-Ray actions", async () => {
  const stack = await devStack();
  const arns = stackArns(stack);
  const statements = roleStatements(stack);
  assert.ok(statements.length >= 6);
  for (const { source, statement } of statements) {
    assert.is(statement.Effect, "Allow", `${source}: identity policies here only allow`);
    const actions = [statement.Action].flat();
    const resources = [statement.Resource ?? []].flat();
    assert.ok(resources.length > 0, `${source}: statement without Resource`);
    for (const action of actions) assert.not.match(action, /\*/, `${source}: wildcard action ${action}`);
    if (resources.includes("*")) {
      assert.equal(
        [...actions].sort(),
        [...XRAY_UNSCOPED_ACTIONS].sort(),
        `${source}: only the X-Ray upload actions may use Resource "*"`,
      );
      assert.equal(resources, ["*"]);
      continue;
    }
    for (const resource of resources)
      assert.ok(inScope(resource, arns), `${source}: ${resource} is not one of this stack's ARNs`);
  }
});

test("the consumer may do exactly its job on each resource", async () => {
  const stack = await devStack();
  const byResource = new Map<string, string[]>();
  for (const { source, statement } of roleStatements(stack)) {
    if (source !== "consumer-policy") continue;
    for (const resource of [statement.Resource ?? []].flat())
      byResource.set(resource, [...(byResource.get(resource) ?? []), ...[statement.Action].flat()].sort());
  }
  const arn = (type: string, name?: string) => only(stack, type, name).state.arn as string;
  assert.equal(Object.fromEntries(byResource), {
    [`${arn("aws:cloudwatch/logGroup:LogGroup")}:*`]: ["logs:CreateLogStream", "logs:PutLogEvents"],
    [arn("aws:sqs/queue:Queue", "vehicles")]: ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
    [arn("aws:sqs/queue:Queue", "vehicles-dlq")]: ["sqs:SendMessage"],
    [arn("aws:dynamodb/table:Table")]: ["dynamodb:PutItem"],
    "*": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
  });
});

test("policy builders: log streams of one group, and the checks above catch a widened policy", () => {
  assert.is(
    logStreamsOf("arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f"),
    "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*",
  );
  assert.is(
    logStreamsOf("arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*"),
    "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*",
  );
  const arns = new Set(["arn:q", "arn:d", "arn:t", "arn:l"]);
  const document = consumerPolicy({
    logGroupArn: "arn:l",
    queueArn: "arn:q",
    deadLetterQueueArn: "arn:d",
    tableArn: "arn:t",
  });
  for (const statement of document.Statement.filter((s) => s.Resource !== "*")) {
    for (const resource of [statement.Resource!].flat()) assert.ok(inScope(resource, arns));
  }
  assert.not.ok(inScope("arn:other", arns));
  assert.not.ok(inScope("arn:q2", arns));
  assert.equal(producerPolicy("arn:q").Statement[0]!.Resource, "arn:q");
});

test.run();
