import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { SynthesizedStack } from "../contracts/synthesized-stack";
import {
  type AuthorizationRequest,
  accessKeyFromAuthorization,
  accessKeyFromPresignedQuery,
  arnMatch,
  authorize,
  ControlPlaneError,
  credentialRegistry,
  type Decision,
  evaluate,
  findByReference,
  functionPrincipal,
  functionRole,
  type Identity,
  MalformedPolicyError,
  type NamedPolicy,
  namedPolicy,
  operationFromTarget,
  type Permission,
  type PolicyKind,
  type PolicySet,
  type PolicyViolation,
  parsePolicy,
  queueResourcePolicy,
  type RequestContext,
  type RequestPrincipal,
  type ResourceScope,
  requiredPermissions,
  roleIdentityPolicies,
  roleSessionIdentity,
  type Service,
  TYPES,
  UnknownOperationError,
  UnresolvableResourceError,
  UnsupportedConditionOperatorError,
  UnsupportedPolicyFeatureError,
  userIdentity,
  wildcardMatch,
} from "../controlplane";
import { devStack, only } from "./support/pulumi";

const ACCOUNT = "123456789012";
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:vehicles-3ca8f54`;
const OTHER_QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:other`;
const CONSUMER: RequestPrincipal = {
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/consumer-role/vehicle-consumer-dev`,
  accountId: ACCOUNT,
};
const OTHER_USER: RequestPrincipal = { arn: `arn:aws:iam::${ACCOUNT}:user/other`, accountId: ACCOUNT };

const identity = (...statements: object[]) =>
  namedPolicy("identity", { Version: "2012-10-17", Statement: statements }, "identity");
const queuePolicy = (...statements: object[]) =>
  namedPolicy("queue-policy", { Version: "2012-10-17", Statement: statements }, "resource");
const denyInsecureTransport = queuePolicy({
  Sid: "DenyInsecureTransport",
  Effect: "Deny",
  Principal: "*",
  Action: "sqs:*",
  Resource: QUEUE,
  Condition: { Bool: { "aws:SecureTransport": "false" } },
});

interface Case {
  name: string;
  policies: PolicySet;
  principal?: RequestPrincipal;
  action?: string;
  resource?: string;
  context?: RequestContext;
  expect: Decision["decision"];
  sid?: string;
  message?: string;
}

const evaluation = suite("controlplane: IAM evaluation");

const allowConsume = identity({
  Sid: "Consume",
  Effect: "Allow",
  Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
  Resource: QUEUE,
});

const cases: Case[] = [
  { name: "identity allow", policies: { identityPolicies: [allowConsume] }, expect: "allow", sid: "Consume" },
  {
    name: "implicit deny: no statement allows",
    policies: { identityPolicies: [allowConsume] },
    action: "sqs:SendMessage",
    expect: "implicitDeny",
    message: `User: ${(CONSUMER as { arn: string }).arn} is not authorized to perform: sqs:sendmessage on resource: ${QUEUE} because no identity-based policy allows the sqs:sendmessage action`,
  },
  {
    name: "explicit deny in the queue policy over plain HTTP",
    policies: { identityPolicies: [allowConsume], resourcePolicy: denyInsecureTransport },
    context: { "aws:SecureTransport": "false" },
    expect: "explicitDeny",
    sid: "DenyInsecureTransport",
    message: `User: ${(CONSUMER as { arn: string }).arn} is not authorized to perform: sqs:receivemessage on resource: ${QUEUE} with an explicit deny in a resource-based policy`,
  },
  {
    name: "the TLS-only queue policy does not deny over TLS",
    policies: { identityPolicies: [allowConsume], resourcePolicy: denyInsecureTransport },
    context: { "aws:SecureTransport": true },
    expect: "allow",
  },
  {
    name: "explicit deny in an identity policy wins over an allow",
    policies: {
      identityPolicies: [
        allowConsume,
        identity({ Sid: "NoReceive", Effect: "Deny", Action: "sqs:Receive*", Resource: "*" }),
      ],
    },
    expect: "explicitDeny",
    sid: "NoReceive",
    message: `User: ${(CONSUMER as { arn: string }).arn} is not authorized to perform: sqs:receivemessage on resource: ${QUEUE} with an explicit deny in an identity-based policy`,
  },
  {
    name: "NotAction allows everything else",
    policies: { identityPolicies: [identity({ Effect: "Allow", NotAction: "sqs:DeleteQueue", Resource: "*" })] },
    action: "sqs:SendMessage",
    expect: "allow",
  },
  {
    name: "NotAction does not allow the action it names",
    policies: { identityPolicies: [identity({ Effect: "Allow", NotAction: "sqs:DeleteQueue", Resource: "*" })] },
    action: "sqs:DeleteQueue",
    expect: "implicitDeny",
  },
  {
    name: "NotResource denies every other queue",
    policies: {
      identityPolicies: [
        identity({ Effect: "Allow", Action: "sqs:*", Resource: "*" }),
        identity({ Sid: "OnlyVehicles", Effect: "Deny", Action: "sqs:*", NotResource: QUEUE }),
      ],
    },
    resource: OTHER_QUEUE,
    expect: "explicitDeny",
    sid: "OnlyVehicles",
  },
  {
    name: "NotResource leaves the named queue alone",
    policies: {
      identityPolicies: [
        identity({ Effect: "Allow", Action: "sqs:*", Resource: "*" }),
        identity({ Effect: "Deny", Action: "sqs:*", NotResource: QUEUE }),
      ],
    },
    expect: "allow",
  },
  {
    name: "* and ? wildcards in action and resource",
    policies: {
      identityPolicies: [
        identity({ Effect: "Allow", Action: "sqs:Receive*", Resource: `arn:aws:sqs:*:${ACCOUNT}:vehicles-???????` }),
      ],
    },
    expect: "allow",
  },
  {
    name: "? matches exactly one character",
    policies: {
      identityPolicies: [
        identity({ Effect: "Allow", Action: "sqs:*", Resource: `arn:aws:sqs:*:${ACCOUNT}:vehicles-??????` }),
      ],
    },
    expect: "implicitDeny",
  },
  {
    name: "wrong resource",
    policies: { identityPolicies: [allowConsume] },
    resource: OTHER_QUEUE,
    expect: "implicitDeny",
  },
  {
    name: "resources match case-sensitively",
    policies: { identityPolicies: [allowConsume] },
    resource: QUEUE.toUpperCase().replace("ARN:AWS:SQS", "arn:aws:sqs"),
    expect: "implicitDeny",
  },
  {
    name: "actions match case-insensitively",
    policies: { identityPolicies: [identity({ Effect: "Allow", Action: "SQS:receivemessage", Resource: QUEUE })] },
    expect: "allow",
  },
  {
    name: "condition false",
    policies: {
      identityPolicies: [
        identity({
          Effect: "Allow",
          Action: "sqs:*",
          Resource: QUEUE,
          Condition: { StringEquals: { "aws:PrincipalTag/team": "vehicles" } },
        }),
      ],
    },
    context: { "aws:PrincipalTag/team": "billing" },
    expect: "implicitDeny",
  },
  {
    name: "condition keys are case-insensitive",
    policies: {
      identityPolicies: [
        identity({
          Effect: "Allow",
          Action: "sqs:*",
          Resource: QUEUE,
          Condition: { StringEquals: { "aws:principaltag/team": "vehicles" } },
        }),
      ],
    },
    context: { "aws:PrincipalTag/team": "vehicles" },
    expect: "allow",
  },
  {
    name: "missing condition key fails a positive operator",
    policies: {
      identityPolicies: [
        identity({
          Effect: "Allow",
          Action: "sqs:*",
          Resource: QUEUE,
          Condition: { StringEquals: { "aws:PrincipalTag/team": "vehicles" } },
        }),
      ],
    },
    expect: "implicitDeny",
  },
  {
    name: "missing condition key passes ...IfExists",
    policies: {
      identityPolicies: [
        identity({
          Effect: "Allow",
          Action: "sqs:*",
          Resource: QUEUE,
          Condition: { StringEqualsIfExists: { "aws:PrincipalTag/team": "vehicles" } },
        }),
      ],
    },
    expect: "allow",
  },
  {
    name: "missing condition key passes a negated operator",
    policies: {
      identityPolicies: [
        identity({
          Effect: "Allow",
          Action: "sqs:*",
          Resource: QUEUE,
          Condition: { StringNotEquals: { "aws:PrincipalTag/team": "billing" } },
        }),
      ],
    },
    expect: "allow",
  },
  {
    name: "a key's values are ORed, operators and keys ANDed",
    policies: {
      identityPolicies: [
        identity({
          Effect: "Allow",
          Action: "sqs:*",
          Resource: QUEUE,
          Condition: {
            StringLike: { "aws:PrincipalTag/team": ["billing", "veh*"] },
            NumericLessThan: { "aws:MultiFactorAuthAge": "3600" },
            ArnLike: { "aws:SourceArn": `arn:aws:lambda:*:${ACCOUNT}:function:vehicle-*` },
          },
        }),
      ],
    },
    context: {
      "aws:PrincipalTag/team": "vehicles",
      "aws:MultiFactorAuthAge": 60,
      "aws:SourceArn": `arn:aws:lambda:us-east-1:${ACCOUNT}:function:vehicle-consumer-dev`,
    },
    expect: "allow",
  },
  {
    name: "a negated operator's values are NORed",
    policies: {
      identityPolicies: [
        identity({
          Effect: "Allow",
          Action: "sqs:*",
          Resource: QUEUE,
          Condition: { StringNotEquals: { "aws:PrincipalTag/team": ["a", "vehicles"] } },
        }),
      ],
    },
    context: { "aws:PrincipalTag/team": "vehicles" },
    expect: "implicitDeny",
  },
  {
    name: "Null: true holds for a missing key",
    policies: {
      identityPolicies: [
        identity({
          Effect: "Allow",
          Action: "sqs:*",
          Resource: QUEUE,
          Condition: { Null: { "aws:TokenIssueTime": "true" } },
        }),
      ],
    },
    expect: "allow",
  },
  {
    name: "ForAnyValue on a multivalued key",
    policies: {
      identityPolicies: [
        identity({
          Effect: "Allow",
          Action: "sqs:TagQueue",
          Resource: QUEUE,
          Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["team"] } },
        }),
      ],
    },
    action: "sqs:TagQueue",
    context: { "aws:TagKeys": ["owner", "team"] },
    expect: "allow",
  },
  {
    name: "ForAllValues fails when one value is outside the set",
    policies: {
      identityPolicies: [
        identity({
          Effect: "Allow",
          Action: "sqs:TagQueue",
          Resource: QUEUE,
          Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] } },
        }),
      ],
    },
    action: "sqs:TagQueue",
    context: { "aws:TagKeys": ["owner", "team"] },
    expect: "implicitDeny",
  },
  {
    name: "ForAnyValue...IfExists with the key missing does not hold",
    policies: {
      identityPolicies: [
        identity({
          Effect: "Allow",
          Action: "sqs:*",
          Resource: "*",
          Condition: { "ForAnyValue:StringEqualsIfExists": { "aws:TagKeys": ["team"] } },
        }),
      ],
    },
    action: "sqs:ListQueues",
    resource: "*",
    expect: "implicitDeny",
  },
  {
    name: "resource-policy-only allow for another principal",
    policies: {
      identityPolicies: [],
      resourcePolicy: queuePolicy({
        Sid: "Other",
        Effect: "Allow",
        Principal: { AWS: OTHER_USER.arn },
        Action: "sqs:SendMessage",
        Resource: QUEUE,
      }),
    },
    principal: OTHER_USER,
    action: "sqs:SendMessage",
    expect: "allow",
    sid: "Other",
  },
  {
    name: "a queue policy naming someone else does not allow this principal",
    policies: {
      identityPolicies: [],
      resourcePolicy: queuePolicy({
        Effect: "Allow",
        Principal: { AWS: OTHER_USER.arn },
        Action: "sqs:SendMessage",
        Resource: QUEUE,
      }),
    },
    action: "sqs:SendMessage",
    expect: "implicitDeny",
  },
  {
    name: "a queue policy naming the role allows its sessions",
    policies: {
      identityPolicies: [],
      resourcePolicy: queuePolicy({
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/service-role/consumer-role` },
        Action: "sqs:ReceiveMessage",
        Resource: QUEUE,
      }),
    },
    expect: "allow",
  },
  {
    name: "a queue policy naming only the account delegates to identity policies",
    policies: {
      identityPolicies: [],
      resourcePolicy: queuePolicy({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sqs:*", Resource: QUEUE }),
    },
    expect: "implicitDeny",
  },
  {
    name: "across accounts the identity allow is not enough",
    policies: { identityPolicies: [identity({ Effect: "Allow", Action: "sqs:*", Resource: "*" })] },
    resource: "arn:aws:sqs:us-east-1:999999999999:theirs",
    expect: "implicitDeny",
    message: `User: ${(CONSUMER as { arn: string }).arn} is not authorized to perform: sqs:receivemessage on resource: arn:aws:sqs:us-east-1:999999999999:theirs because no resource-based policy allows the sqs:receivemessage action`,
  },
  {
    name: "DynamoDB keeps the action's case in its message",
    policies: { identityPolicies: [] },
    action: "dynamodb:PutItem",
    resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/vehicles`,
    expect: "implicitDeny",
    message: `User: ${(CONSUMER as { arn: string }).arn} is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/vehicles because no identity-based policy allows the dynamodb:PutItem action`,
  },
];

for (const c of cases) {
  evaluation(c.name, () => {
    const request: AuthorizationRequest = {
      principal: c.principal ?? CONSUMER,
      action: c.action ?? "sqs:ReceiveMessage",
      resource: c.resource ?? QUEUE,
      ...(c.context ? { context: c.context } : {}),
    };
    const decision = evaluate(request, c.policies);
    assert.is(decision.decision, c.expect);
    if (c.sid) assert.is(decision.decision !== "implicitDeny" ? decision.by.sid : undefined, c.sid);
    if (c.message) assert.is(decision.decision !== "allow" ? decision.message : undefined, c.message);
  });
}

evaluation("a trust policy admits the service it names", () => {
  const trust = namedPolicy(
    "trust",
    {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    },
    "trust",
  );
  const assume = (service: string) =>
    evaluate(
      { principal: { service }, action: "sts:AssumeRole", resource: `arn:aws:iam::${ACCOUNT}:role/r` },
      { identityPolicies: [], resourcePolicy: trust },
    ).decision;
  assert.is(assume("lambda.amazonaws.com"), "allow");
  assert.is(assume("ec2.amazonaws.com"), "implicitDeny");
});

evaluation("an unsupported operator is refused, never decided", () => {
  const policies = {
    identityPolicies: [
      identity({
        Effect: "Allow",
        Action: "sqs:*",
        Resource: QUEUE,
        Condition: { DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } },
      }),
    ],
  };
  const request = { principal: CONSUMER, action: "sqs:SendMessage", resource: QUEUE };
  const error = (() => {
    try {
      evaluate(request, policies);
    } catch (caught) {
      return caught;
    }
  })();
  assert.instance(error, UnsupportedConditionOperatorError);
  assert.instance(error, ControlPlaneError);
  assert.is((error as UnsupportedConditionOperatorError).operator, "DateLessThan");
  assert.match((error as Error).message, "cannot evaluate condition operator DateLessThan");
  // An explicit deny elsewhere still decides: the unsupported statement cannot change that outcome.
  const denied = evaluate(request, {
    identityPolicies: [...policies.identityPolicies, identity({ Effect: "Deny", Action: "sqs:*", Resource: "*" })],
  });
  assert.is(denied.decision, "explicitDeny");
});

evaluation("policy variables and plain operators on multivalued keys are refused", () => {
  const withVariable = {
    identityPolicies: [identity({ Effect: "Allow", Action: "sqs:*", Resource: `arn:aws:sqs:*:*:\${aws:username}` })],
  };
  assert.throws(
    () => evaluate({ principal: CONSUMER, action: "sqs:SendMessage", resource: QUEUE }, withVariable),
    (e: unknown) => e instanceof UnsupportedPolicyFeatureError,
  );
  const plain = {
    identityPolicies: [
      identity({
        Effect: "Allow",
        Action: "sqs:*",
        Resource: QUEUE,
        Condition: { StringEquals: { "aws:TagKeys": "team" } },
      }),
    ],
  };
  assert.throws(
    () =>
      evaluate(
        { principal: CONSUMER, action: "sqs:TagQueue", resource: QUEUE, context: { "aws:TagKeys": ["a", "b"] } },
        plain,
      ),
    (e: unknown) => e instanceof UnsupportedPolicyFeatureError,
  );
});

evaluation("authorize reports the first permission a call lacks", () => {
  const result = authorize(
    CONSUMER,
    [
      { action: "sqs:ReceiveMessage", resource: QUEUE },
      { action: "sqs:SendMessage", resource: QUEUE },
    ],
    () => ({ identityPolicies: [allowConsume] }),
  );
  assert.is(result.allowed, false);
  const lacking: Permission = { action: "sqs:SendMessage", resource: QUEUE };
  assert.equal(result.allowed ? undefined : result.permission, lacking);
});

evaluation("wildcards: * spans colons, ArnLike matches field by field", () => {
  assert.ok(wildcardMatch("arn:aws:logs:*", "arn:aws:logs:us-east-1:1:log-group:/a:*"));
  assert.not.ok(wildcardMatch("a?c", "abbc"));
  assert.ok(wildcardMatch("SQS:Send*", "sqs:SendMessage", { ignoreCase: true }));
  assert.ok(arnMatch("arn:aws:sqs:*:123456789012:*", QUEUE));
  assert.not.ok(arnMatch("arn:aws:sqs:*:999999999999:*", QUEUE));
  assert.not.ok(arnMatch("arn:aws:sqs:*:*:*", "not-an-arn"));
});

evaluation.run();

const grammar = suite("controlplane: policy grammar");

interface GrammarCase {
  name: string;
  kind: PolicyKind;
  document: unknown;
  field: string;
  awsText?: string;
}

const stmt = (s: object) => ({ Version: "2012-10-17", Statement: [s] });

const grammarCases: GrammarCase[] = [
  {
    name: "no Action",
    kind: "identity",
    document: stmt({ Effect: "Allow", Resource: "*" }),
    field: "Statement[0].Action",
    awsText: "Policy statement must contain actions.",
  },
  {
    name: "no Resource",
    kind: "identity",
    document: stmt({ Effect: "Allow", Action: "sqs:*" }),
    field: "Statement[0].Resource",
    awsText: "Policy statement must contain resources.",
  },
  {
    name: "Principal in an identity policy",
    kind: "identity",
    document: stmt({ Effect: "Allow", Principal: "*", Action: "sqs:*", Resource: "*" }),
    field: "Statement[0].Principal",
    awsText: "Policy document should not specify a principal.",
  },
  {
    name: "Sid with a hyphen",
    kind: "identity",
    document: stmt({ Sid: "send-vehicles", Effect: "Allow", Action: "sqs:*", Resource: "*" }),
    field: "Statement[0].Sid",
    awsText:
      "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*",
  },
  {
    name: "wrong partition",
    kind: "identity",
    document: stmt({ Effect: "Allow", Action: "sqs:*", Resource: "arn:aws-cn:sqs:us-east-1:123456789012:q" }),
    field: "Statement[0].Resource[0]",
    awsText: 'Partition "aws-cn" is not valid for resource "arn:aws-cn:sqs:us-east-1:123456789012:q".',
  },
  {
    name: "resource not an ARN",
    kind: "identity",
    document: stmt({ Effect: "Allow", Action: "sqs:*", Resource: "vehicles" }),
    field: "Statement[0].Resource[0]",
    awsText: 'Resource vehicles must be in ARN format or "*".',
  },
  {
    name: "action without vendor",
    kind: "identity",
    document: stmt({ Effect: "Allow", Action: "SendMessage", Resource: "*" }),
    field: "Statement[0].Action[0]",
    awsText: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
  },
  {
    name: "action with two colons",
    kind: "identity",
    document: stmt({ Effect: "Allow", Action: "sqs:sqs:SendMessage", Resource: "*" }),
    field: "Statement[0].Action[0]",
    awsText: "Actions/Condition can contain only one colon.",
  },
  {
    name: "lower-case effect",
    kind: "identity",
    document: stmt({ Effect: "allow", Action: "sqs:*", Resource: "*" }),
    field: "Statement[0].Effect",
    awsText: "The policy failed legacy parsing",
  },
  {
    name: "unknown version",
    kind: "identity",
    document: { Version: "2020-01-01", Statement: [] },
    field: "Version",
    awsText: "Syntax errors in policy.",
  },
  {
    name: "Resource in a trust policy",
    kind: "trust",
    document: stmt({
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: "sts:AssumeRole",
      Resource: "*",
    }),
    field: "Statement[0].Resource",
    awsText: "Has prohibited field Resource",
  },
  {
    name: "trust statement without principal",
    kind: "trust",
    document: stmt({ Effect: "Allow", Action: "sts:AssumeRole" }),
    field: "Statement[0].Principal",
    awsText:
      "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!",
  },
  {
    name: "queue policy without principal",
    kind: "resource",
    document: stmt({ Effect: "Deny", Action: "sqs:*", Resource: QUEUE }),
    field: "Statement[0].Principal",
    awsText: "Invalid value for the parameter Policy.",
  },
  {
    name: "Action and NotAction together",
    kind: "identity",
    document: stmt({ Effect: "Allow", Action: "sqs:*", NotAction: "sqs:DeleteQueue", Resource: "*" }),
    field: "Statement[0]",
    awsText: "Syntax errors in policy.",
  },
  {
    name: "unknown condition operator",
    kind: "identity",
    document: stmt({ Effect: "Allow", Action: "sqs:*", Resource: "*", Condition: { StringEqualz: { "aws:x": "y" } } }),
    field: "Statement[0].Condition.StringEqualz",
  },
  {
    name: "invalid JSON",
    kind: "identity",
    document: "{not json",
    field: "(document)",
    awsText: "This policy contains invalid Json",
  },
];

for (const c of grammarCases) {
  grammar(c.name, () => {
    const { policy, violations } = parsePolicy(c.document, c.kind);
    assert.is(policy, undefined);
    const found: PolicyViolation | undefined = violations.find((v) => v.field === c.field);
    assert.ok(found, `expected a violation at ${c.field}, got ${JSON.stringify(violations)}`);
    assert.is(found!.awsText, c.awsText);
    assert.type(found!.rule, "string");
  });
}

grammar("every violation at once, each with its statement and Sid", () => {
  const { violations } = parsePolicy(
    {
      Version: "2012-10-17",
      Statement: [
        { Sid: "A", Effect: "Allow", Resource: "*" },
        { Sid: "B", Effect: "Allow", Action: "Send", Resource: "*" },
      ],
    },
    "identity",
  );
  assert.equal(
    violations.map((v) => [v.statement, v.sid, v.field]),
    [
      [0, "A", "Statement[0].Action"],
      [1, "B", "Statement[1].Action[0]"],
    ],
  );
});

grammar("valid documents normalize to lists and strings", () => {
  const { policy, violations } = parsePolicy(
    JSON.stringify({
      Version: "2012-10-17",
      Statement: {
        Effect: "Deny",
        Principal: { AWS: ACCOUNT },
        Action: "sqs:*",
        Resource: QUEUE,
        Condition: { Bool: { "aws:SecureTransport": false } },
      },
    }),
    "resource",
  );
  assert.equal(violations, []);
  assert.equal(policy!.statements[0], {
    index: 0,
    effect: "Deny",
    principal: { AWS: [ACCOUNT] },
    action: ["sqs:*"],
    resource: [QUEUE],
    condition: { Bool: { "aws:SecureTransport": ["false"] } },
  });
  // SQS accepts Sids IAM refuses (its console writes __owner_statement).
  assert.equal(
    parsePolicy(
      stmt({ Sid: "__owner_statement", Effect: "Allow", Principal: "*", Action: "sqs:*", Resource: QUEUE }),
      "resource",
    ).violations,
    [],
  );
});

grammar("namedPolicy throws MalformedPolicyError listing the violations", () => {
  try {
    namedPolicy("bad", stmt({ Effect: "Allow" }), "identity");
    assert.unreachable("should throw");
  } catch (error) {
    assert.instance(error, MalformedPolicyError);
    assert.is((error as MalformedPolicyError).violations.length, 2);
  }
});

grammar.run();

const actions = suite("controlplane: API operation -> IAM permissions");
const scope: ResourceScope = { region: "us-east-1", accountId: "000000000000" };
const LOCAL_QUEUE_URL = "http://127.0.0.1:4566/000000000000/vehicles";
const LOCAL_QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:vehicles";

actions("SQS batch operations are authorized as their single-message actions", () => {
  for (const [operation, action] of [
    ["SendMessageBatch", "sqs:SendMessage"],
    ["DeleteMessageBatch", "sqs:DeleteMessage"],
    ["ChangeMessageVisibilityBatch", "sqs:ChangeMessageVisibility"],
    ["ReceiveMessage", "sqs:ReceiveMessage"],
    ["GetQueueAttributes", "sqs:GetQueueAttributes"],
    ["SetQueueAttributes", "sqs:SetQueueAttributes"],
    ["PurgeQueue", "sqs:PurgeQueue"],
    ["DeleteQueue", "sqs:DeleteQueue"],
    ["ListDeadLetterSourceQueues", "sqs:ListDeadLetterSourceQueues"],
  ])
    assert.equal(requiredPermissions("sqs", operation!, { QueueUrl: LOCAL_QUEUE_URL }, scope), [
      { action: action!, resource: LOCAL_QUEUE_ARN },
    ]);
});

actions("SQS resources from URLs, names and ARNs; ListQueues on *", () => {
  assert.equal(
    requiredPermissions(
      "sqs",
      "SendMessage",
      { QueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/q" },
      scope,
    ),
    [{ action: "sqs:SendMessage", resource: "arn:aws:sqs:eu-west-1:123456789012:q" }],
  );
  assert.equal(requiredPermissions("sqs", "CreateQueue", { QueueName: "vehicles", tags: { team: "v" } }, scope), [
    { action: "sqs:CreateQueue", resource: LOCAL_QUEUE_ARN },
    { action: "sqs:TagQueue", resource: LOCAL_QUEUE_ARN },
  ]);
  assert.equal(requiredPermissions("sqs", "GetQueueUrl", { QueueName: "vehicles" }, scope), [
    { action: "sqs:GetQueueUrl", resource: LOCAL_QUEUE_ARN },
  ]);
  assert.equal(requiredPermissions("sqs", "ListQueues", {}, scope), [{ action: "sqs:ListQueues", resource: "*" }]);
});

actions("StartMessageMoveTask reads the DLQ and sends to the destination", () => {
  const dlq = "arn:aws:sqs:us-east-1:000000000000:vehicles-dlq";
  const expected = [
    { action: "sqs:StartMessageMoveTask", resource: dlq },
    { action: "sqs:ReceiveMessage", resource: dlq },
    { action: "sqs:DeleteMessage", resource: dlq },
    { action: "sqs:GetQueueAttributes", resource: dlq },
    { action: "sqs:SendMessage", resource: LOCAL_QUEUE_ARN },
  ];
  assert.equal(
    requiredPermissions("sqs", "StartMessageMoveTask", { SourceArn: dlq, DestinationArn: LOCAL_QUEUE_ARN }, scope),
    expected,
  );
  assert.equal(
    requiredPermissions("sqs", "StartMessageMoveTask", { SourceArn: dlq }, scope, {
      redriveSources: () => [LOCAL_QUEUE_ARN],
    }),
    expected,
  );
  assert.throws(
    () => requiredPermissions("sqs", "StartMessageMoveTask", { SourceArn: dlq }, scope),
    (e: unknown) => e instanceof UnresolvableResourceError,
  );
  assert.equal(
    requiredPermissions("sqs", "CancelMessageMoveTask", { TaskHandle: "h" }, scope, { taskSource: () => dlq }),
    [{ action: "sqs:CancelMessageMoveTask", resource: dlq }],
  );
});

actions("DynamoDB tables, batches per table, transactions per item", () => {
  const table = (name: string) => `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`;
  assert.equal(requiredPermissions("dynamodb", "PutItem", { TableName: "vehicles" }, scope), [
    { action: "dynamodb:PutItem", resource: table("vehicles") },
  ]);
  assert.equal(requiredPermissions("dynamodb", "Query", { TableName: "vehicles", IndexName: "byTime" }, scope), [
    { action: "dynamodb:Query", resource: `${table("vehicles")}/index/byTime` },
  ]);
  assert.equal(requiredPermissions("dynamodb", "BatchWriteItem", { RequestItems: { a: [], b: [] } }, scope), [
    { action: "dynamodb:BatchWriteItem", resource: table("a") },
    { action: "dynamodb:BatchWriteItem", resource: table("b") },
  ]);
  assert.equal(
    requiredPermissions(
      "dynamodb",
      "TransactWriteItems",
      { TransactItems: [{ Put: { TableName: "a" } }, { ConditionCheck: { TableName: "b" } }] },
      scope,
    ),
    [
      { action: "dynamodb:PutItem", resource: table("a") },
      { action: "dynamodb:ConditionCheckItem", resource: table("b") },
    ],
  );
  assert.equal(requiredPermissions("dynamodb", "ListTables", {}, scope), [
    { action: "dynamodb:ListTables", resource: "*" },
  ]);
});

actions("unknown operations and missing parameters are refused", () => {
  assert.throws(
    () => requiredPermissions("sqs", "SendMessages", { QueueUrl: LOCAL_QUEUE_URL }, scope),
    (e: unknown) => e instanceof UnknownOperationError,
  );
  assert.throws(
    () => requiredPermissions("dynamodb", "ExecuteStatement", {}, scope),
    (e: unknown) => e instanceof UnknownOperationError,
  );
  assert.throws(
    () => requiredPermissions("sqs", "SendMessage", {}, scope),
    (e: unknown) => e instanceof UnresolvableResourceError,
  );
  assert.equal(operationFromTarget("AmazonSQS.SendMessageBatch"), { service: "sqs", operation: "SendMessageBatch" });
  assert.equal(operationFromTarget("DynamoDB_20120810.PutItem"), { service: "dynamodb", operation: "PutItem" });
  assert.is(operationFromTarget("Kinesis_20131202.PutRecord"), undefined);
});

actions.run();

const credentials = suite("controlplane: credentials");

credentials("keys in AWS's shapes, deterministic from a seed", () => {
  const user: Identity = userIdentity({ accountId: ACCOUNT, userName: "producer" }, { seed: "t" });
  const session = roleSessionIdentity(
    { accountId: ACCOUNT, roleName: "consumer-role", sessionName: "fn" },
    { seed: "t" },
  );
  assert.match(user.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
  assert.match(user.secretAccessKey, /^[A-Za-z0-9+/]{40}$/);
  assert.is(user.sessionToken, undefined);
  assert.is(user.arn, `arn:aws:iam::${ACCOUNT}:user/producer`);
  assert.match(session.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
  assert.ok(session.sessionToken && session.sessionToken.length > 100);
  assert.is(session.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/consumer-role/fn`);
  assert.equal(userIdentity({ accountId: ACCOUNT, userName: "producer" }, { seed: "t" }), user);
  assert.is.not(userIdentity({ accountId: ACCOUNT, userName: "producer" }).accessKeyId, user.accessKeyId);
  const registry = credentialRegistry([user, session]);
  assert.is(registry.get(session.accessKeyId), session);
  assert.throws(() => credentialRegistry([user, user]));
});

credentials("the access key of a SigV4 header or presigned URL", () => {
  const header =
    "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE123456789/20261204/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
  assert.is(accessKeyFromAuthorization(header), "AKIAEXAMPLE123456789");
  assert.is(accessKeyFromAuthorization("Bearer x"), undefined);
  assert.is(accessKeyFromAuthorization(undefined), undefined);
  const query = new URLSearchParams({ "X-Amz-Credential": "ASIAEXAMPLE/20261204/us-east-1/sqs/aws4_request" });
  assert.is(accessKeyFromPresignedQuery(query), "ASIAEXAMPLE");
  assert.is(accessKeyFromPresignedQuery(new URLSearchParams()), undefined);
});

credentials.run();

const devStackIam = suite("controlplane: the dev stack's IAM");

const DEV_SCOPE: ResourceScope = { region: "us-east-1", accountId: "123456789012" };

/** The consumer as the dev stack declares it: its role's session, its policies, and its queues and table. */
async function consumerWiring(mutate?: (stack: SynthesizedStack) => void) {
  const stack = structuredClone(await devStack());
  mutate?.(stack);
  const fn = only(stack, TYPES.function);
  const role = functionRole(stack, fn)!;
  const principal = functionPrincipal(role, fn.state.name)!;
  const identity = roleIdentityPolicies(stack, role);
  assert.equal(identity.unavailable, []);
  return { stack, principal, policiesFor: policiesFor(stack, identity.policies) };
}

/** Identity policies plus the policy of the queue the resource is, if it is one of the stack's queues. */
function policiesFor(stack: SynthesizedStack, identityPolicies: NamedPolicy[]) {
  return (resource: string): PolicySet => {
    const queue = findByReference(stack, TYPES.queue, resource);
    const resourcePolicy = queue ? queueResourcePolicy(stack, queue) : undefined;
    return { identityPolicies, ...(resourcePolicy && "policy" in resourcePolicy ? { resourcePolicy } : {}) };
  };
}

/** Every SQS and DynamoDB call the consumer makes, with the IAM action it needs. */
async function consumerCalls(): Promise<
  { action: string; service: Service; operation: string; input: Record<string, string> }[]
> {
  const stack = await devStack();
  const queueUrl = only(stack, TYPES.queue, "vehicles").state.url;
  const dlqUrl = only(stack, TYPES.queue, "vehicles-dlq").state.url;
  const tableName = only(stack, "aws:dynamodb/table:Table").state.name;
  return [
    { action: "sqs:ReceiveMessage", service: "sqs", operation: "ReceiveMessage", input: { QueueUrl: queueUrl } },
    { action: "sqs:DeleteMessage", service: "sqs", operation: "DeleteMessageBatch", input: { QueueUrl: queueUrl } },
    {
      action: "sqs:GetQueueAttributes",
      service: "sqs",
      operation: "GetQueueAttributes",
      input: { QueueUrl: queueUrl },
    },
    { action: "sqs:SendMessage", service: "sqs", operation: "SendMessage", input: { QueueUrl: dlqUrl } },
    { action: "dynamodb:PutItem", service: "dynamodb", operation: "PutItem", input: { TableName: tableName } },
  ];
}

devStackIam("every call the consumer makes is allowed for its role, over TLS", async () => {
  const { principal, policiesFor } = await consumerWiring();
  for (const call of await consumerCalls()) {
    const permissions = requiredPermissions(call.service, call.operation, call.input, DEV_SCOPE);
    const result = authorize(principal, permissions, policiesFor, { "aws:SecureTransport": "true" });
    assert.ok(result.allowed, `${call.operation}: ${JSON.stringify(result)}`);
  }
});

devStackIam("its logs and traces are allowed where the program scopes them", async () => {
  const { stack, principal, policiesFor } = await consumerWiring();
  const group = only(stack, TYPES.logGroup).state.arn;
  for (const [action, resource] of [
    ["logs:PutLogEvents", `${group}:log-stream:2026/12/04/[$LATEST]abc`],
    ["xray:PutTraceSegments", "*"],
    ["xray:PutTelemetryRecords", "*"],
  ] as const)
    assert.is(evaluate({ principal, action, resource }, policiesFor(resource)).decision, "allow", action);
});

devStackIam("over plain HTTP the queue policies deny every SQS call explicitly", async () => {
  const { principal, policiesFor } = await consumerWiring();
  for (const call of (await consumerCalls()).filter((c) => c.service === "sqs")) {
    const result = authorize(
      principal,
      requiredPermissions("sqs", call.operation, call.input, DEV_SCOPE),
      policiesFor,
      {
        "aws:SecureTransport": "false",
      },
    );
    assert.ok(!result.allowed && result.denial.decision === "explicitDeny", call.operation);
    if (!result.allowed) assert.match(result.denial.message, / with an explicit deny in a resource-based policy$/);
  }
});

devStackIam("removing each permission denies exactly the call that needs it, with AWS's text", async () => {
  for (const call of await consumerCalls()) {
    const { principal, policiesFor } = await consumerWiring((stack) => {
      const rolePolicy = only(stack, TYPES.rolePolicy);
      const document = JSON.parse(rolePolicy.inputs.policy);
      for (const statement of document.Statement)
        statement.Action = [statement.Action].flat().filter((a: string) => a !== call.action);
      document.Statement = document.Statement.filter((s: { Action: string[] }) => s.Action.length > 0);
      rolePolicy.inputs.policy = JSON.stringify(document);
    });
    const permissions = requiredPermissions(call.service, call.operation, call.input, DEV_SCOPE);
    const result = authorize(principal, permissions, policiesFor, { "aws:SecureTransport": "true" });
    assert.ok(!result.allowed, `${call.operation} should be denied without ${call.action}`);
    if (result.allowed) continue;
    const written = call.service === "sqs" ? call.action.toLowerCase() : call.action;
    assert.is(
      result.denial.message,
      `User: ${(principal as { arn: string }).arn} is not authorized to perform: ${written} on resource: ` +
        `${permissions[0]!.resource} because no identity-based policy allows the ${written} action`,
    );
    assert.match(
      (principal as { arn: string }).arn,
      /^arn:aws:sts::123456789012:assumed-role\/consumer-role-[0-9a-f]{7}\/vehicle-consumer-dev$/,
    );
  }
});

devStackIam("the producer policy allows SendMessage(Batch) and not ReceiveMessage", async () => {
  const stack = await devStack();
  const producerPolicy = only(stack, TYPES.policy, "vehicles-producer");
  const producer = userIdentity(
    {
      accountId: "123456789012",
      userName: "producer",
      identityPolicies: [namedPolicy(producerPolicy.name, producerPolicy.inputs.policy, "identity")],
    },
    { seed: "dev" },
  );
  const queueUrl = only(stack, TYPES.queue, "vehicles").state.url;
  const call = (operation: string) =>
    authorize(
      producer,
      requiredPermissions("sqs", operation, { QueueUrl: queueUrl }, DEV_SCOPE),
      policiesFor(stack, [...producer.identityPolicies]),
      {
        "aws:SecureTransport": "true",
      },
    );
  assert.ok(call("SendMessage").allowed);
  assert.ok(call("SendMessageBatch").allowed);
  assert.ok(call("GetQueueAttributes").allowed);
  const receive = call("ReceiveMessage");
  assert.ok(!receive.allowed);
  if (!receive.allowed)
    assert.is(
      receive.denial.message,
      `User: arn:aws:iam::123456789012:user/producer is not authorized to perform: sqs:receivemessage on resource: ` +
        `${only(stack, TYPES.queue, "vehicles").state.arn} because no identity-based policy allows the sqs:receivemessage action`,
    );
});

devStackIam.run();
