import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { SynthesizedStack } from "../contracts/synthesized-stack";
import {
  formatPreflightReport,
  type PreflightOptions,
  type PreflightReport,
  type PreflightViolation,
  preflight,
  TYPES,
} from "../controlplane";
import { devStack, only } from "./support/pulumi";

const test = suite("controlplane: preflight");

/** The dev stack with one change planted in a deep copy of its inputs, preflighted. */
async function planted(mutate: (stack: SynthesizedStack) => void, options: Partial<PreflightOptions> = {}) {
  const stack = structuredClone(await devStack());
  mutate(stack);
  return preflight(stack, { stackName: "dev", ...options });
}

const rolePolicyDocument = (stack: SynthesizedStack) => JSON.parse(only(stack, TYPES.rolePolicy).inputs.policy);

function editRolePolicy(
  stack: SynthesizedStack,
  edit: (statements: { Sid: string; Action: string | string[] }[]) => void,
) {
  const rolePolicy = only(stack, TYPES.rolePolicy);
  const document = JSON.parse(rolePolicy.inputs.policy);
  edit(document.Statement);
  rolePolicy.inputs.policy = JSON.stringify(document);
}

const withoutAction = (action: string) => (stack: SynthesizedStack) =>
  editRolePolicy(stack, (statements) => {
    for (const s of statements) s.Action = [s.Action].flat().filter((a) => a !== action);
  });

const alarm = (stack: SynthesizedStack) => only(stack, TYPES.metricAlarm, "alarms-dlq-not-empty");
const source = (stack: SynthesizedStack) => only(stack, TYPES.eventSourceMapping);
const consumer = (stack: SynthesizedStack) => only(stack, TYPES.function);
const queue = (stack: SynthesizedStack) => only(stack, TYPES.queue, "vehicles");

interface Planted {
  name: string;
  mutate: (stack: SynthesizedStack) => void;
  options?: Partial<PreflightOptions>;
  /** Checks that depend on a policy AWS would refuse are listed as unchecked, each reason matching this. */
  unchecked?: RegExp;
  expect: {
    type: string;
    resource: string;
    field: string;
    value?: unknown;
    rule: RegExp;
    awsText?: string;
  };
}

const cases: Planted[] = [
  {
    name: "function timeout above the queue's visibility timeout",
    mutate: (s) => {
      consumer(s).inputs.timeout = 200;
    },
    expect: {
      type: TYPES.function,
      resource: "consumer",
      field: "timeout",
      value: 200,
      rule: /exceeds the visibility timeout \(180 s\) of queue "vehicles".*"consumer-source"/,
      awsText: "Queue visibility timeout: 180 seconds is less than Function timeout: 200 seconds",
    },
  },
  {
    name: "batch size 20 without a batching window",
    mutate: (s) => {
      source(s).inputs.batchSize = 20;
    },
    expect: {
      type: TYPES.eventSourceMapping,
      resource: "consumer-source",
      field: "batchSize",
      value: 20,
      rule: /above 10 needs maximumBatchingWindowInSeconds of at least 1 \(it is 0\)/,
      awsText: "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
    },
  },
  {
    name: "maximumConcurrency 1",
    mutate: (s) => {
      source(s).inputs.scalingConfig.maximumConcurrency = 1;
    },
    expect: {
      type: TYPES.eventSourceMapping,
      resource: "consumer-source",
      field: "scalingConfig.maximumConcurrency",
      value: 1,
      rule: /from 2 to 1000/,
    },
  },
  {
    name: "the role lacks sqs:ReceiveMessage",
    mutate: withoutAction("sqs:ReceiveMessage"),
    expect: {
      type: TYPES.eventSourceMapping,
      resource: "consumer-source",
      field: "eventSourceArn",
      value: "arn:aws:sqs:us-east-1:123456789012:vehicles-3ca8f54",
      rule: /role "consumer-role" .* must allow sqs:ReceiveMessage .*because no identity-based policy allows the sqs:receivemessage action$/,
      awsText: "The provided execution role does not have permissions to call ReceiveMessage on SQS",
    },
  },
  {
    name: "the role lacks sqs:GetQueueAttributes",
    mutate: withoutAction("sqs:GetQueueAttributes"),
    expect: {
      type: TYPES.eventSourceMapping,
      resource: "consumer-source",
      field: "eventSourceArn",
      rule: /must allow sqs:GetQueueAttributes/,
    },
  },
  {
    name: "an unknown function response type",
    mutate: (s) => {
      source(s).inputs.functionResponseTypes = ["ReportBatchItemFailure"];
    },
    expect: {
      type: TYPES.eventSourceMapping,
      resource: "consumer-source",
      field: "functionResponseTypes",
      value: ["ReportBatchItemFailure"],
      rule: /ReportBatchItemFailures/,
    },
  },
  {
    name: "a trust policy that does not admit Lambda",
    mutate: (s) => {
      only(s, TYPES.role).inputs.assumeRolePolicy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      });
    },
    expect: {
      type: TYPES.role,
      resource: "consumer-role",
      field: "assumeRolePolicy",
      rule: /lambda\.amazonaws\.com .*sts:AssumeRole.*function "consumer"/,
      awsText: "The role defined for the function cannot be assumed by Lambda.",
    },
  },
  {
    name: "active tracing without xray:PutTraceSegments",
    mutate: withoutAction("xray:PutTraceSegments"),
    expect: {
      type: TYPES.function,
      resource: "consumer",
      field: "tracingConfig.mode",
      value: "Active",
      rule: /allow xray:PutTraceSegments/,
      awsText: "The provided execution role does not have permissions to call PutTraceSegments on XRAY",
    },
  },
  {
    name: "a stack name that makes the function name too long",
    mutate: (s) => {
      consumer(s).inputs.name = `vehicle-consumer-${"s".repeat(48)}`;
    },
    options: { stackName: "s".repeat(48) },
    expect: {
      type: TYPES.function,
      resource: "consumer",
      field: "name",
      value: `vehicle-consumer-${"s".repeat(48)}`,
      rule: /at most 64 characters; this one has 65 .*stack names up to 47 characters fit/,
      awsText: `1 validation error detected: Value 'vehicle-consumer-${"s".repeat(48)}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    },
  },
  {
    name: "a stack name with a dot in the function name",
    mutate: (s) => {
      consumer(s).inputs.name = "vehicle-consumer-dev.eu";
    },
    options: { stackName: "dev.eu" },
    expect: {
      type: TYPES.function,
      resource: "consumer",
      field: "name",
      rule: /letters, digits, hyphens and underscores/,
    },
  },
  {
    name: "memory below 128 MB",
    mutate: (s) => {
      consumer(s).inputs.memorySize = 64;
    },
    expect: { type: TYPES.function, resource: "consumer", field: "memorySize", value: 64, rule: /from 128 to 10240/ },
  },
  {
    name: "a zero timeout",
    mutate: (s) => {
      consumer(s).inputs.timeout = 0;
    },
    expect: { type: TYPES.function, resource: "consumer", field: "timeout", value: 0, rule: /from 1 to 900/ },
  },
  {
    name: "environment variables over 4 KB",
    mutate: (s) => {
      consumer(s).inputs.environment.variables.PADDING = "x".repeat(3900);
    },
    expect: {
      type: TYPES.function,
      resource: "consumer",
      field: "environment.variables",
      rule: /measured as JSON, are \d+ bytes; Lambda allows 4096/,
      awsText:
        "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.",
    },
  },
  {
    name: "maxReceiveCount 0",
    mutate: (s) => {
      only(s, TYPES.redrivePolicy).inputs.redrivePolicy = JSON.stringify({
        deadLetterTargetArn: only(s, TYPES.queue, "vehicles-dlq").state.arn,
        maxReceiveCount: 0,
      });
    },
    expect: {
      type: TYPES.redrivePolicy,
      resource: "vehicles-redrive",
      field: "redrivePolicy.maxReceiveCount",
      value: 0,
      rule: /from 1 to 1000/,
    },
  },
  {
    name: "a redrive policy without maxReceiveCount",
    mutate: (s) => {
      only(s, TYPES.redrivePolicy).inputs.redrivePolicy = JSON.stringify({
        deadLetterTargetArn: only(s, TYPES.queue, "vehicles-dlq").state.arn,
      });
    },
    expect: {
      type: TYPES.redrivePolicy,
      resource: "vehicles-redrive",
      field: "redrivePolicy.maxReceiveCount",
      rule: /names maxReceiveCount/,
      awsText:
        'Value {"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:vehicles-dlq-96e9fec"} for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: maxReceiveCount.',
    },
  },
  {
    name: "a redrive-allow policy that does not admit the source queue",
    mutate: (s) => {
      only(s, TYPES.redriveAllowPolicy).inputs.redriveAllowPolicy = JSON.stringify({
        redrivePermission: "byQueue",
        sourceQueueArns: ["arn:aws:sqs:us-east-1:123456789012:someone-else"],
      });
    },
    expect: {
      type: TYPES.redrivePolicy,
      resource: "vehicles-redrive",
      field: "redrivePolicy.deadLetterTargetArn",
      rule: /redrive-allow policy of dead-letter queue "vehicles-dlq" \(byQueue\) does not admit source queue .*vehicles-3ca8f54/,
    },
  },
  {
    name: "a denyAll redrive-allow policy",
    mutate: (s) => {
      only(s, TYPES.redriveAllowPolicy).inputs.redriveAllowPolicy = JSON.stringify({ redrivePermission: "denyAll" });
    },
    expect: {
      type: TYPES.redrivePolicy,
      resource: "vehicles-redrive",
      field: "redrivePolicy.deadLetterTargetArn",
      rule: /\(denyAll\) does not admit/,
    },
  },
  {
    name: "byQueue with eleven source queues",
    mutate: (s) => {
      const arn = queue(s).state.arn;
      only(s, TYPES.redriveAllowPolicy).inputs.redriveAllowPolicy = JSON.stringify({
        redrivePermission: "byQueue",
        sourceQueueArns: [arn, ...Array.from({ length: 10 }, (_, i) => `${arn}-${i}`)],
      });
    },
    expect: {
      type: TYPES.redriveAllowPolicy,
      resource: "vehicles-dlq-redrive-allow",
      field: "redriveAllowPolicy.sourceQueueArns",
      rule: /1 to 10 source queue ARNs/,
    },
  },
  {
    name: "visibility timeout above 12 hours",
    mutate: (s) => {
      queue(s).inputs.visibilityTimeoutSeconds = 43_201;
    },
    expect: {
      type: TYPES.queue,
      resource: "vehicles",
      field: "visibilityTimeoutSeconds",
      value: 43_201,
      rule: /from 0 to 43200/,
    },
  },
  {
    name: "message retention under a minute",
    mutate: (s) => {
      queue(s).inputs.messageRetentionSeconds = 30;
    },
    expect: {
      type: TYPES.queue,
      resource: "vehicles",
      field: "messageRetentionSeconds",
      value: 30,
      rule: /from 60 to 1209600/,
    },
  },
  {
    name: "a queue policy statement without Principal",
    mutate: (s) => {
      const policy = only(s, TYPES.queuePolicy, "vehicles-tls");
      const document = JSON.parse(policy.inputs.policy);
      delete document.Statement[0].Principal;
      policy.inputs.policy = JSON.stringify(document);
    },
    expect: {
      type: TYPES.queuePolicy,
      resource: "vehicles-tls",
      field: "policy: Statement[0].Principal",
      rule: /^resource policy: .*principal.*\(statement DenyInsecureTransport\)$/,
      awsText: "Invalid value for the parameter Policy.",
    },
  },
  {
    name: "a role policy Sid with hyphens",
    mutate: (s) =>
      editRolePolicy(s, (statements) => {
        statements[0]!.Sid = "Write-Own-Logs";
      }),
    // AWS would refuse the role's only policy, so the permissions it grants cannot be judged.
    unchecked: /not checked: consumer-policy \(its document is malformed/,
    expect: {
      type: TYPES.rolePolicy,
      resource: "consumer-policy",
      field: "policy: Statement[0].Sid",
      value: "Write-Own-Logs",
      rule: /^identity policy: a Sid is ASCII letters and digits only/,
      awsText:
        "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*",
    },
  },
  {
    name: "a managed policy resource that is not an ARN",
    mutate: (s) => {
      const policy = only(s, TYPES.policy, "vehicles-producer");
      const document = JSON.parse(policy.inputs.policy);
      document.Statement[0].Resource = "vehicles";
      policy.inputs.policy = JSON.stringify(document);
    },
    expect: {
      type: TYPES.policy,
      resource: "vehicles-producer",
      field: "policy: Statement[0].Resource[0]",
      value: "vehicles",
      rule: /ARN/,
      awsText: 'Resource vehicles must be in ARN format or "*".',
    },
  },
  {
    name: "an alarm period of 45 s",
    mutate: (s) => {
      alarm(s).inputs.period = 45;
    },
    expect: {
      type: TYPES.metricAlarm,
      resource: "alarms-dlq-not-empty",
      field: "period",
      value: 45,
      rule: /10, 20, 30 or a multiple of 60/,
    },
  },
  {
    name: "an evaluation window over a day",
    mutate: (s) => {
      alarm(s).inputs.evaluationPeriods = 1441;
    },
    expect: {
      type: TYPES.metricAlarm,
      resource: "alarms-dlq-not-empty",
      field: "evaluationPeriods",
      value: 1441,
      rule: /60 x 1441 = 86460 s\) must not exceed 86400 s for a period under an hour/,
    },
  },
  {
    name: "datapointsToAlarm above evaluationPeriods",
    mutate: (s) => {
      alarm(s).inputs.datapointsToAlarm = 2;
    },
    expect: {
      type: TYPES.metricAlarm,
      resource: "alarms-dlq-not-empty",
      field: "datapointsToAlarm",
      value: 2,
      rule: /must not exceed evaluationPeriods \(1\)/,
      awsText: "DatapointsToAlarm must be less than or equal to EvaluationPeriods",
    },
  },
  {
    name: "both statistic and extendedStatistic",
    mutate: (s) => {
      alarm(s).inputs.extendedStatistic = "p99";
    },
    expect: {
      type: TYPES.metricAlarm,
      resource: "alarms-dlq-not-empty",
      field: "statistic",
      rule: /exactly one of statistic and extendedStatistic/,
    },
  },
  {
    name: "an unknown comparison operator",
    mutate: (s) => {
      alarm(s).inputs.comparisonOperator = "GreaterThan";
    },
    expect: {
      type: TYPES.metricAlarm,
      resource: "alarms-dlq-not-empty",
      field: "comparisonOperator",
      value: "GreaterThan",
      rule: /one of/,
    },
  },
  {
    name: "an unknown treatMissingData",
    mutate: (s) => {
      alarm(s).inputs.treatMissingData = "zero";
    },
    expect: {
      type: TYPES.metricAlarm,
      resource: "alarms-dlq-not-empty",
      field: "treatMissingData",
      value: "zero",
      rule: /notBreaching/,
    },
  },
  {
    name: "a log retention of 10 days",
    mutate: (s) => {
      only(s, TYPES.logGroup).inputs.retentionInDays = 10;
    },
    expect: {
      type: TYPES.logGroup,
      resource: "consumer-logs",
      field: "retentionInDays",
      value: 10,
      rule: /1, 3, 5, 7, 14, 30/,
    },
  },
];

test("the dev stack passes with no violation and nothing left unchecked", async () => {
  const report: PreflightReport = preflight(await devStack(), { stackName: "dev" });
  assert.equal(report, { violations: [], unchecked: [] });
  assert.is(formatPreflightReport(report), "Preflight: no violations.\n");
});

for (const c of cases) {
  test(c.name, async () => {
    const { violations, unchecked } = await planted(c.mutate, c.options);
    assert.is(violations.length, 1, JSON.stringify(violations, null, 2));
    const v: PreflightViolation = violations[0]!;
    assert.equal(v.resource, { type: c.expect.type, name: c.expect.resource });
    assert.is(v.field, c.expect.field);
    if ("value" in c.expect) assert.equal(v.value, c.expect.value);
    assert.match(v.rule, c.expect.rule);
    assert.is(v.awsText, c.expect.awsText);
    if (c.unchecked) {
      assert.ok(unchecked.length > 0);
      for (const u of unchecked) assert.match(u.reason, c.unchecked);
    } else assert.equal(unchecked, []);
  });
}

test("violations of several rules are all reported at once", async () => {
  const { violations } = await planted((s) => {
    source(s).inputs.batchSize = 20;
    source(s).inputs.scalingConfig.maximumConcurrency = 1;
    consumer(s).inputs.timeout = 200;
    withoutAction("sqs:ReceiveMessage")(s);
  });
  assert.equal(violations.map((v) => `${v.resource.name} ${v.field}`).sort(), [
    "consumer timeout",
    "consumer-source batchSize",
    "consumer-source eventSourceArn",
    "consumer-source scalingConfig.maximumConcurrency",
  ]);
});

test("values unknown before deployment are listed as unchecked, not guessed", async () => {
  const UNKNOWN = "<unknown>";
  const { violations, unchecked } = await planted(
    (s) => {
      only(s, TYPES.rolePolicy).inputs.policy = UNKNOWN;
      only(s, TYPES.queuePolicy, "vehicles-tls").inputs.policy = UNKNOWN;
    },
    { isUnknown: (v) => v === UNKNOWN },
  );
  assert.equal(violations, []);
  assert.ok(unchecked.some((u) => u.resource.name === "consumer-policy" && u.field === "policy"));
  assert.ok(unchecked.some((u) => u.resource.name === "consumer-source" && /sqs:ReceiveMessage/.test(u.reason)));
  assert.ok(unchecked.some((u) => u.resource.name === "consumer" && u.field === "tracingConfig.mode"));
});

test("in a preview, mapping rules that need no ARN still apply", async () => {
  const UNKNOWN = "<unknown>";
  const { violations, unchecked } = await planted(
    (s) => {
      source(s).inputs.eventSourceArn = UNKNOWN;
      source(s).inputs.batchSize = 20;
    },
    { isUnknown: (v) => v === UNKNOWN },
  );
  assert.equal(
    violations.map((v) => `${v.resource.name} ${v.field}`),
    ["consumer-source batchSize"],
  );
  assert.equal(
    unchecked.map((u) => `${u.resource.name} ${u.field}`),
    ["consumer-source eventSourceArn"],
  );
});

test("an attached managed policy the stack does not declare leaves the poller check unchecked", async () => {
  const { violations, unchecked } = await planted((s) => {
    withoutAction("sqs:ReceiveMessage")(s);
    only(s, TYPES.role).inputs.managedPolicyArns = [
      "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    ];
  });
  assert.equal(violations, []);
  assert.match(unchecked[0]!.reason, /AWSLambdaSQSQueueExecutionRole \(an attached managed policy whose document/);
});

test("the report reads as one block per violation", async () => {
  const report = await planted((s) => {
    source(s).inputs.batchSize = 20;
  });
  assert.is(
    formatPreflightReport(report),
    [
      "Preflight: 1 violation AWS or `pulumi up` would refuse:",
      "",
      '  aws:lambda/eventSourceMapping:EventSourceMapping "consumer-source"',
      "    batchSize = 20",
      "    rule: a batch size above 10 needs maximumBatchingWindowInSeconds of at least 1 (it is 0)",
      "    AWS: Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
      "",
    ].join("\n"),
  );
  assert.ok(rolePolicyDocument(await devStack()).Statement.length > 0);
});

test.run();
