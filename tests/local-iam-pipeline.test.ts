// Planted deployment bugs in whole pipeline runs (the function `npm start` uses, in process): a permission the
// consumer needs taken out of its role, run with IAM enforced and with --no-iam; and the stack's alarms judged over a
// run with malformed messages, one of them watching a misspelled metric. Short timeouts and two receives, so messages
// a refused call keeps failing are moved to the DLQ within seconds; the runs share one synthesized stack.

import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_LOCAL_ROOT, SNS_FILE, type SnsLine, type SynthesizedStack } from "../contracts";
import { type PipelineRunOptions, type PipelineRunResult, runPipeline } from "../local/pipeline-run";
import { formatRunSummary } from "../local/run-summary";

const localRoot = join(DEFAULT_LOCAL_ROOT, `test-iam-run-${process.pid}`);
const test = suite("pipeline runs with planted IAM and alarm bugs");
test.after(() => rmSync(localRoot, { recursive: true, force: true }));

/** The same overrides as tests/support/dead-letter-cloud.ts: one synthesized stack in the cache serves both. */
const SHORT_TIMEOUTS = {
  "vehicle-pipeline:timeoutSeconds": "2",
  "vehicle-pipeline:visibilityTimeoutSeconds": "2",
  "vehicle-pipeline:maxReceiveCount": "2",
};

function run(
  editStack: (stack: SynthesizedStack) => void,
  extra: Partial<PipelineRunOptions> = {},
): Promise<PipelineRunResult> {
  return runPipeline({
    localRoot,
    idleMs: 5_000,
    prewarm: 0,
    configOverrides: SHORT_TIMEOUTS,
    load: { count: 30, rate: 1000, invalidRatio: 0.2, seed: 5 },
    drainTimeoutMs: 60_000,
    editStack,
    ...extra,
  });
}

function withoutConsumerAction(action: string) {
  return (stack: SynthesizedStack) => {
    const rolePolicy = stack.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy")!;
    const document = JSON.parse(rolePolicy.inputs.policy);
    // A statement left with no action goes too: IAM refuses an empty Action, as the preflight would say.
    for (const s of document.Statement) s.Action = [s.Action].flat().filter((a: string) => a !== action);
    document.Statement = document.Statement.filter((s: { Action: string[] }) => s.Action.length > 0);
    rolePolicy.inputs.policy = JSON.stringify(document);
  };
}

const roleSession = /^arn:aws:sts::000000000000:assumed-role\/consumer-role-[^/]+\/vehicle-consumer-dev$/;

test("without dynamodb:PutItem the run fails naming the refused action, the table and the role, though every message was accounted for", async () => {
  const result = await run(withoutConsumerAction("dynamodb:PutItem"));
  const v = result.verification;
  assert.not.ok(v.ok);
  // What the verdict alone would have accepted: every valid message moved by the redrive policy, nothing lost.
  assert.is(v.lost, 0);
  assert.is(v.leftInQueue, 0);
  assert.is(v.deadLetteredAfterReceives, v.valid);
  assert.is(v.accessDenied.length, 1);
  const [denied] = v.accessDenied;
  assert.is(denied!.action, "dynamodb:PutItem");
  assert.is(denied!.resource, result.deployed.tables[0]!.arn);
  assert.match(denied!.principal, roleSession);
  assert.is(denied!.code, "AccessDeniedException");
  assert.match(v.problems[0]!, `dynamodb:PutItem on ${result.deployed.tables[0]!.arn}`);
  const runJson = JSON.parse(readFileSync(join(result.folder!, "run.json"), "utf8"));
  assert.is(runJson.iam.denials[0].action, "dynamodb:PutItem");
  const logged = readFileSync(join(result.folder!, "logs.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.includes('"access-denied"'));
  assert.ok(logged.length >= v.valid, `each refusal is a log line: ${logged.length}`);
  assert.match(formatRunSummary(result), "IAM REFUSED");
});

test("without sqs:SendMessage on the DLQ the run fails naming it, though the redrive policy moved the malformed messages there", async () => {
  const result = await run(withoutConsumerAction("sqs:SendMessage"));
  const v = result.verification;
  assert.not.ok(v.ok);
  assert.is(v.lost, 0);
  assert.is(v.leftInQueue, 0);
  assert.ok(v.invalid > 0);
  assert.is(v.deadLetteredAfterReceives, v.invalid, "every malformed message moved by the redrive policy");
  const dlqArn = result.deployed.queues.find((q) => q.url === result.deployed.outputs.dlqUrl)!.arn;
  assert.equal(
    v.accessDenied.map((d) => `${d.action} ${d.resource}`),
    [`sqs:SendMessage ${dlqArn}`],
  );
  assert.match(v.accessDenied[0]!.message, `is not authorized to perform: sqs:sendmessage on resource: ${dlqArn}`);
});

test("--no-iam: the same missing PutItem passes, and the run says authorization was off", async () => {
  const result = await run(withoutConsumerAction("dynamodb:PutItem"), { iam: false });
  const v = result.verification;
  assert.ok(v.ok, v.problems.join("\n"));
  assert.is(v.storedCorrectly, v.valid);
  assert.equal(result.iam, { enforced: false, denials: [], used: [] });
  assert.match(formatRunSummary(result), "IAM NOT ENFORCED (--no-iam)");
});

test("malformed messages drive dlq-not-empty to ALARM with the SNS message CloudWatch would publish; a misspelled alarm metric fails the run naming the nearest series", async () => {
  const result = await run((stack) => {
    const errors = stack.resources.find((r) => r.name === "alarms-consumer-errors")!;
    errors.inputs.metricName = "Errorz";
  });
  const dlqAlarm = result.alarms.find((a) => a.alarm.startsWith("alarms-dlq-not-empty"))!;
  assert.is(dlqAlarm.state, "ALARM");
  assert.equal(
    dlqAlarm.transitions.map((t) => `${t.from}->${t.to}`),
    ["INSUFFICIENT_DATA->ALARM"],
  );
  const sns = readFileSync(join(result.folder!, SNS_FILE), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as SnsLine);
  const alarmMessage = sns.find((m) => m.message.AlarmName === dlqAlarm.alarm && m.message.NewStateValue === "ALARM");
  assert.ok(alarmMessage, "an SNS message for the DLQ alarm's ALARM");
  assert.is(alarmMessage!.subject, `ALARM: "${dlqAlarm.alarm}" in US East (N. Virginia)`);
  assert.equal(alarmMessage!.targets, [result.deployed.outputs.alarmTopicArn]);

  const v = result.verification;
  assert.not.ok(v.ok);
  assert.equal(v.accessDenied, []);
  assert.equal(v.alarmsWithoutData, [result.alarms.find((a) => a.alarm.startsWith("alarms-consumer-errors"))!.alarm]);
  assert.match(v.problems[0]!, "AWS/Lambda Errorz {FunctionName=vehicle-consumer-dev} never received data");
  assert.match(v.problems[0]!, "Nearest series in the record: AWS/Lambda Errors {FunctionName=vehicle-consumer-dev}");
  // Everything else about the run was right.
  assert.is(v.storedCorrectly, v.valid);
  assert.is(v.deadLetteredCorrectly, v.invalid);
  const summary = formatRunSummary(result);
  assert.match(summary, `IN ALARM: ${dlqAlarm.alarm}`);
  const runJson = JSON.parse(readFileSync(join(result.folder!, "run.json"), "utf8"));
  assert.is(runJson.alarms.find((a: { alarm: string }) => a.alarm === dlqAlarm.alarm).state, "ALARM");
  const changes = readFileSync(join(result.folder!, "logs.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((l) => l.event === "alarm-state" && l.alarm === dlqAlarm.alarm);
  assert.equal(
    changes.map((c) => c.to),
    ["ALARM"],
  );
});

test.run();
