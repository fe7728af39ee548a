// The observability resources as the program declares them: the dev stack synthesized under mocks (tests/support/pulumi.ts).

import { execFile } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type DashboardBody, renderDashboardBody } from "../components/dashboard-widgets";
import { consumerLogQueries } from "../components/log-queries";
import { PROJECT_ROOT, type SynthesizedResource, type SynthesizedStack } from "../contracts";
import { devStack, devStackConfig, ofType, only } from "./support/pulumi";

const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const QUERY = "aws:cloudwatch/queryDefinition:QueryDefinition";

/** The physical names the stack gave the pipeline's resources, read from the synthesized state. */
function pipelineNames(stack: SynthesizedStack) {
  // The source queue is the one the redrive policy is set on; the DLQ is the one it names.
  const queues = ofType(stack, "aws:sqs/queue:Queue");
  const redrive = only(stack, "aws:sqs/redrivePolicy:RedrivePolicy");
  const source = queues.find((q) => q.state.url === redrive.inputs.queueUrl);
  const deadLetter = queues.find((q) => q.state.arn === JSON.parse(redrive.inputs.redrivePolicy).deadLetterTargetArn);
  assert.ok(source && deadLetter && source !== deadLetter, "a source queue with a redrive policy and its DLQ");
  return {
    queueName: source!.state.name as string,
    dlqName: deadLetter!.state.name as string,
    functionName: only(stack, "aws:lambda/function:Function").state.name as string,
    tableName: only(stack, "aws:dynamodb/table:Table").state.name as string,
    logGroupName: only(stack, "aws:cloudwatch/logGroup:LogGroup").state.name as string,
  };
}

function topicArn(stack: SynthesizedStack): string {
  return only(stack, TOPIC).state.arn as string;
}

test("the dashboard body is the one dashboard-widgets.ts builds for this stack's queue, DLQ, function and table", async () => {
  const stack = await devStack();
  const dashboard = only(stack, DASHBOARD);
  const body = JSON.parse(dashboard.inputs.dashboardBody) as DashboardBody;
  const { logGroupName: _, ...targets } = pipelineNames(stack);
  assert.equal(body, await renderDashboardBody(targets, "us-east-1"));
  assert.is(body.widgets.filter((w) => w.type === "metric").length, 14);
  assert.is(dashboard.inputs.dashboardName, "vehicle-pipeline-dev");
});

test("stack outputs link to the dashboard and the X-Ray trace map, and name the alarm topic", async () => {
  const stack = await devStack();
  assert.is(
    stack.outputs.dashboardUrl,
    "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=vehicle-pipeline-dev",
  );
  assert.is(
    stack.outputs.traceMapUrl,
    "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#xray:service-map/map",
  );
  assert.is(stack.outputs.alarmTopicArn, topicArn(stack));
});

test("five alarms, each notifying the topic on ALARM and on OK, thresholds from Pulumi.dev.yaml", async () => {
  const stack = await devStack();
  const alarms = ofType(stack, ALARM);
  assert.is(alarms.length, 5);
  const topic = topicArn(stack);
  for (const alarm of alarms) {
    assert.equal(alarm.inputs.alarmActions, [topic], `${alarm.name} alarm action`);
    assert.equal(alarm.inputs.okActions, [topic], `${alarm.name} OK action`);
    assert.is(alarm.inputs.treatMissingData, "notBreaching");
    assert.is(alarm.inputs.unit, undefined, `${alarm.name}: a unit could keep it in INSUFFICIENT_DATA`);
  }
  const names = pipelineNames(stack);
  const byMetric = (namespace: string, metricName: string, dimensions: Record<string, string>): SynthesizedResource => {
    const sorted = (d: Record<string, string> | undefined) =>
      JSON.stringify(Object.entries(d ?? {}).sort(([a], [b]) => a.localeCompare(b)));
    const found = alarms.filter(
      (a) =>
        a.inputs.namespace === namespace &&
        a.inputs.metricName === metricName &&
        sorted(a.inputs.dimensions) === sorted(dimensions),
    );
    assert.is(found.length, 1, `one alarm on ${namespace} ${metricName} ${JSON.stringify(dimensions)}`);
    return found[0]!;
  };
  const dlq = byMetric("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: names.dlqName });
  assert.equal([dlq.inputs.comparisonOperator, dlq.inputs.threshold], ["GreaterThanThreshold", 0]);
  const age = byMetric("AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: names.queueName });
  assert.equal([age.inputs.comparisonOperator, age.inputs.threshold], ["GreaterThanThreshold", 300]);
  const errors = byMetric("AWS/Lambda", "Errors", { FunctionName: names.functionName });
  assert.equal(
    [errors.inputs.comparisonOperator, errors.inputs.threshold, errors.inputs.statistic],
    ["GreaterThanOrEqualToThreshold", 1, "Sum"],
  );
  const throttles = byMetric("AWS/Lambda", "Throttles", { FunctionName: names.functionName });
  assert.equal([throttles.inputs.threshold, throttles.inputs.period], [1, 300]);
  const table = byMetric("AWS/DynamoDB", "ThrottledRequests", { Operation: "PutItem", TableName: names.tableName });
  assert.equal([table.inputs.comparisonOperator, table.inputs.threshold], ["GreaterThanOrEqualToThreshold", 1]);
});

test("no e-mail subscription while alarmEmail is unset (the dev stack leaves it commented out)", async () => {
  const stack = await devStack();
  assert.is(ofType(stack, SUBSCRIPTION).length, 0);
});

/** The program under other config: a child process (fresh module cache), since the in-process stack is synthesized once. */
function synthesizeWith(config: Record<string, string>): Promise<SynthesizedStack> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--require", "tsx/cjs", join(PROJECT_ROOT, "engine", "mock-synthesis-cli.ts")],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, PULUMI_CONFIG: JSON.stringify(config) },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`mock-synthesis-cli failed: ${stderr}`))
          : resolve(JSON.parse(stdout) as SynthesizedStack),
    );
  });
}

test("with alarmEmail set, the topic gets one e-mail subscription; thresholds and region follow the config", async () => {
  const stack = await synthesizeWith({
    ...devStackConfig(),
    "aws:region": "eu-west-1",
    "vehicle-pipeline:alarmEmail": "ops@example.com",
    "vehicle-pipeline:oldestMessageAgeAlarmSeconds": "900",
    "vehicle-pipeline:throttlesAlarmThreshold": "5",
  });
  const subscription = only(stack, SUBSCRIPTION);
  assert.equal(
    [subscription.inputs.protocol, subscription.inputs.endpoint, subscription.inputs.topic],
    ["email", "ops@example.com", topicArn(stack)],
  );
  const threshold = (metricName: string) =>
    ofType(stack, ALARM).find((a) => a.inputs.metricName === metricName)?.inputs.threshold;
  assert.is(threshold("ApproximateAgeOfOldestMessage"), 900);
  assert.is(threshold("Throttles"), 5);
  assert.is(threshold("ThrottledRequests"), 5);
  assert.is(
    stack.outputs.dashboardUrl,
    "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=vehicle-pipeline-dev",
  );
  const body = JSON.parse(only(stack, DASHBOARD).inputs.dashboardBody) as DashboardBody;
  assert.ok(body.widgets.filter((w) => w.type === "metric").every((w) => w.properties.region === "eu-west-1"));
});

test("the saved queries are scoped to the consumer's log group alone", async () => {
  const stack = await devStack();
  const queries = ofType(stack, QUERY);
  const { logGroupName } = pipelineNames(stack);
  assert.is(logGroupName, "/aws/lambda/vehicle-consumer-dev");
  assert.equal(
    queries.map((q) => q.inputs.queryString).sort(),
    consumerLogQueries()
      .map((q) => q.queryString)
      .sort(),
  );
  for (const query of queries) {
    assert.equal(query.inputs.logGroupNames, [logGroupName], query.name);
    assert.match(query.inputs.name, /^vehicle-pipeline-dev\//);
  }
});

test("observability resources sit under their components", async () => {
  const stack = await devStack();
  const parentType = (r: SynthesizedResource) => r.parent?.split("::")[2]?.split("$").pop();
  assert.is(parentType(only(stack, DASHBOARD)), "vehicle-pipeline:observability:PipelineDashboard");
  assert.is(parentType(only(stack, TOPIC)), "vehicle-pipeline:observability:PipelineAlarms");
  for (const alarm of ofType(stack, ALARM))
    assert.is(parentType(alarm), "vehicle-pipeline:observability:PipelineAlarms");
  for (const query of ofType(stack, QUERY)) assert.is(parentType(query), "vehicle-pipeline:observability:LogQueries");
});

test.run();
