// The embedded cloud's control plane without emulators: the decisions CloudIam makes for a request, the verdict a
// refusal or an alarm without data gives a run, and which alarms without data are misspelled rather than quiet.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { alarmFromInputs, namedPolicy, userIdentity } from "../controlplane";
import { CloudAlarms } from "../local/alarms";
import { CloudIam } from "../local/iam/cloud-iam";
import { administrator, permissionLines } from "../local/iam/cloud-principals";
import { RunRecorder } from "../local/recorder";
import { judgeControlPlane, judgeRun } from "../local/verify";

const ACCOUNT = "000000000000";
const QUEUE_URL = `http://127.0.0.1:1/${ACCOUNT}/vehicles`;
const QUEUE_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:vehicles`;

function cloudIam(enforced = true) {
  const iam = new CloudIam({ enforced, region: "us-east-1", accountId: ACCOUNT });
  const sender = {
    role: "producer",
    identity: userIdentity(
      {
        accountId: ACCOUNT,
        userName: "sender",
        identityPolicies: [
          namedPolicy(
            "send",
            { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: QUEUE_ARN }] },
            "identity",
          ),
        ],
      },
      { seed: "units" },
    ),
    aliases: [],
  };
  iam.addPrincipal(administrator(ACCOUNT));
  iam.addPrincipal(sender);
  return { iam, sender: sender.identity };
}

test("CloudIam: allowed, refused by the identity policy, refused by an explicit deny in the queue policy", () => {
  const { iam, sender } = cloudIam();
  const as = { accessKeyId: sender.accessKeyId };
  assert.ok(iam.authorize("sqs", "SendMessageBatch", { QueueUrl: QUEUE_URL }, as).allowed);
  const receive = iam.authorize("sqs", "ReceiveMessage", { QueueUrl: QUEUE_URL }, as);
  assert.ok(!receive.allowed && receive.wire.statusCode === 403 && receive.denial.action === "sqs:ReceiveMessage");
  iam.setQueuePolicy(
    QUEUE_ARN,
    namedPolicy(
      "vehicles Policy",
      {
        Version: "2012-10-17",
        Statement: [{ Effect: "Deny", Principal: { AWS: sender.arn }, Action: "sqs:SendMessage", Resource: QUEUE_ARN }],
      },
      "resource",
    ),
  );
  const denied = iam.authorize("sqs", "SendMessage", { QueueUrl: QUEUE_URL }, as);
  assert.ok(!denied.allowed);
  assert.match(
    (denied as { denial: { message: string } }).denial.message,
    "with an explicit deny in a resource-based policy",
  );
  // The insecure-transport deny the stack declares does not apply: local traffic stands in for AWS's TLS endpoints.
  iam.setQueuePolicy(
    QUEUE_ARN,
    namedPolicy(
      "tls",
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Deny",
            Principal: "*",
            Action: "sqs:*",
            Resource: QUEUE_ARN,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      },
      "resource",
    ),
  );
  assert.ok(iam.authorize("sqs", "SendMessage", { QueueUrl: QUEUE_URL }, as).allowed);
  assert.equal(
    iam.summary().denials.map((d) => [d.action, d.count]),
    [
      ["sqs:ReceiveMessage", 1],
      ["sqs:SendMessage", 1],
    ],
  );
});

test("CloudIam: unknown keys, a session token on a long-term key, an unresolvable request, and --no-iam", () => {
  const { iam, sender } = cloudIam();
  const unknown = iam.authorize("dynamodb", "PutItem", { TableName: "t" }, { accessKeyId: "AKIANOBODY" });
  assert.ok(!unknown.allowed && unknown.denial.code === "UnrecognizedClientException");
  const token = iam.authorize(
    "sqs",
    "SendMessage",
    { QueueUrl: QUEUE_URL },
    { accessKeyId: sender.accessKeyId, sessionToken: "x" },
  );
  assert.ok(!token.allowed && token.denial.code === "InvalidClientTokenId");
  // No QueueUrl: the emulator answers the missing parameter, as SQS validates before it authorizes.
  assert.ok(iam.authorize("sqs", "SendMessage", {}, { accessKeyId: sender.accessKeyId }).allowed);
  assert.ok(iam.authorize("sqs", "SendMessage", { QueueUrl: QUEUE_URL }, { accessKeyId: "test" }).allowed);
  const off = cloudIam(false).iam;
  assert.ok(off.authorize("sqs", "PurgeQueue", { QueueUrl: QUEUE_URL }, { accessKeyId: "AKIANOBODY" }).allowed);
  assert.equal(off.summary(), { enforced: false, denials: [], used: [] });
});

test("CloudIam: a policy the evaluator cannot decide refuses the call with InternalFailure, never guesses", () => {
  const { iam, sender } = cloudIam();
  iam.setQueuePolicy(
    QUEUE_ARN,
    namedPolicy(
      "dated",
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Deny",
            Principal: "*",
            Action: "sqs:*",
            Resource: QUEUE_ARN,
            Condition: { DateGreaterThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } },
          },
        ],
      },
      "resource",
    ),
  );
  const verdict = iam.authorize("sqs", "SendMessage", { QueueUrl: QUEUE_URL }, { accessKeyId: sender.accessKeyId });
  assert.ok(!verdict.allowed && verdict.wire.statusCode === 500 && verdict.denial.code === "InternalFailure");
  assert.match(verdict.denial.message, "DateGreaterThan");
});

test("what each principal may do, as `up` lists it", () => {
  const { iam } = cloudIam();
  assert.equal(
    iam.principals().map((p) => `${p.role}: ${permissionLines(p).join("; ")}`),
    ["administrator: every action on every resource", `producer: sqs:SendMessage on ${QUEUE_ARN}`],
  );
});

test("the verdict: a refusal or a misspelled alarm fails a run whose messages all arrived; a quiet alarm does not", () => {
  const fresh = () => judgeRun([], [], [], 0, {});
  const clean = fresh();
  judgeControlPlane(clean, { denials: [] }, [{ alarm: "table-throttles", noData: "quiet", quiet: true }]);
  assert.ok(clean.ok);
  const refused = fresh();
  judgeControlPlane(
    refused,
    {
      denials: [
        {
          principal: "arn:aws:sts::0:assumed-role/r/f",
          service: "dynamodb",
          operation: "PutItem",
          action: "dynamodb:PutItem",
          resource: "arn:aws:dynamodb:us-east-1:0:table/t",
          code: "AccessDeniedException",
          message: "User: ... is not authorized",
          count: 7,
          first: 1,
          last: 2,
        },
      ],
    },
    [{ alarm: "errors", noData: "AWS/Lambda Errorz never received data" }],
  );
  assert.not.ok(refused.ok);
  assert.equal(refused.alarmsWithoutData, ["errors"]);
  assert.match(
    refused.problems[0]!,
    "IAM refused PutItem 7 time(s): arn:aws:sts::0:assumed-role/r/f dynamodb:PutItem on",
  );
  assert.match(refused.problems[1]!, "alarm errors: AWS/Lambda Errorz never received data");
});

test("an alarm without data is quiet when its series is one the stack publishes, misspelled otherwise", () => {
  const root = mkdtempSync(join(tmpdir(), "alarms-units-"));
  const recorder = new RunRecorder({ root, runId: "r" });
  try {
    const alarm = (name: string, metricName: string, dimensions: Record<string, string>) =>
      alarmFromInputs(name, {
        namespace: "AWS/DynamoDB",
        metricName,
        dimensions,
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
      });
    const alarms = new CloudAlarms(
      [
        alarm("throttles", "ThrottledRequests", { TableName: "vehicles", Operation: "PutItem" }),
        alarm("misnamed-table", "ThrottledRequests", { TableName: "vehicle", Operation: "PutItem" }),
        alarm("misspelled", "ThrottledRequest", { TableName: "vehicles", Operation: "PutItem" }),
      ],
      recorder,
      { region: "us-east-1", accountId: ACCOUNT, deployedAt: 1_790_000_000, resourceNames: ["vehicles"] },
    );
    const t = 1_790_000_001;
    const lines = [
      {
        t,
        namespace: "AWS/DynamoDB",
        metric: "ThrottledRequests",
        dimensions: { TableName: "vehicles", Operation: "Scan" },
        unit: "Count",
        values: [0],
      },
    ];
    assert.equal(
      alarms.summary(lines).map((a) => `${a.alarm} ${a.quiet}`),
      ["throttles true", "misnamed-table false", "misspelled false"],
    );
    alarms.stop();
  } finally {
    recorder.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
