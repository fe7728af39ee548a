// The dashboard body, built from plain names without a Pulumi program: what CloudWatch and the local dashboard draw.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  DASHBOARD_PERIOD_SECONDS,
  type DashboardBody,
  type DashboardMetricArray,
  type DashboardMetricOptions,
  type DashboardWidgetJson,
  dashboardConsoleUrl,
  renderDashboardBody,
  traceMapUrl,
} from "../components/dashboard-widgets";
import { VALIDATION_CODES } from "../contracts";

const TARGETS = {
  queueName: "vehicles-q",
  dlqName: "vehicles-dlq",
  functionName: "vehicle-consumer-dev",
  tableName: "vehicles-t",
};
const REGION = "eu-west-1";
const body = (): Promise<DashboardBody> => renderDashboardBody(TARGETS, REGION);

/** A metric array split into its parts: CloudWatch's format is [namespace, name, dimName, dimValue, ..., options]. */
function parse(array: DashboardMetricArray): {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  options: DashboardMetricOptions;
} {
  const [namespace, name, ...rest] = array;
  const options = rest.pop();
  assert.type(options, "object", `${name}: the last element must be the rendering options`);
  assert.is(rest.length % 2, 0, `${name}: dimensions come in name/value pairs`);
  const dimensions: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) dimensions[rest[i] as string] = rest[i + 1] as string;
  return { namespace, name, dimensions, options: options as DashboardMetricOptions };
}

function widget(b: DashboardBody, title: string): DashboardWidgetJson {
  const found = b.widgets.filter((w) => w.properties.title === title);
  assert.is(found.length, 1, `one widget titled ${title}`);
  return found[0]!;
}

function lines(w: DashboardWidgetJson) {
  return (w.properties.metrics ?? []).map(parse);
}

test("four section headings, the DLQ runbook pointer and fourteen metric widgets, within CloudWatch's 100", async () => {
  const b = await body();
  const texts = b.widgets.filter((w) => w.type === "text");
  assert.is(texts.length, 5);
  assert.ok(texts.some((w) => /When the DLQ alarm fires.*npm run dlq -- stats/.test(String(w.properties.markdown))));
  assert.is(b.widgets.filter((w) => w.type === "metric").length, 14);
});

test("every metric is a plain array the local page can draw: no math, no SEARCH, no wildcard", async () => {
  for (const w of (await body()).widgets.filter((w) => w.type === "metric")) {
    assert.ok(w.properties.metrics && w.properties.metrics.length > 0, `${w.properties.title} has metrics`);
    for (const array of w.properties.metrics!) {
      const text = JSON.stringify(array);
      assert.not.ok(text.includes("*"), `${w.properties.title}: ${text}`);
      assert.not.ok(text.includes("expression"), `${w.properties.title}: ${text}`);
      const { namespace, name, options } = parse(array);
      assert.ok(namespace.length > 0 && name.length > 0);
      assert.match(options.stat, /^(Sum|Average|Maximum|p\d+)$/);
      assert.is(options.period, DASHBOARD_PERIOD_SECONDS);
      assert.ok(options.label, `${name} has a legend label`);
    }
    assert.is(w.properties.region, REGION);
    assert.ok(w.properties.view === "timeSeries" || w.properties.view === "singleValue");
  }
});

test("widgets tile the 24-column grid without overlapping", async () => {
  const { widgets } = await body();
  for (const w of widgets) assert.ok(w.x >= 0 && w.x + w.width <= 24, `${w.properties.title} fits`);
  for (const [i, a] of widgets.entries()) {
    for (const b of widgets.slice(i + 1)) {
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      assert.ok(
        apart,
        `${a.properties.title ?? a.properties.markdown} overlaps ${b.properties.title ?? b.properties.markdown}`,
      );
    }
  }
});

test("SQS: sent, received, deleted, visible, in flight and oldest age on the queue; visible on the DLQ", async () => {
  const b = await body();
  const queue = { QueueName: TARGETS.queueName };
  const flow = lines(widget(b, "Messages sent, received, deleted"));
  assert.equal(
    flow.map((l) => [l.namespace, l.name, l.options.stat]),
    [
      ["AWS/SQS", "NumberOfMessagesSent", "Sum"],
      ["AWS/SQS", "NumberOfMessagesReceived", "Sum"],
      ["AWS/SQS", "NumberOfMessagesDeleted", "Sum"],
    ],
  );
  for (const l of flow) assert.equal(l.dimensions, queue);
  const depth = lines(widget(b, "Queue depth"));
  assert.equal(
    depth.map((l) => [l.name, l.options.label, l.dimensions]),
    [
      ["ApproximateNumberOfMessagesVisible", "Visible", queue],
      ["ApproximateNumberOfMessagesNotVisible", "In flight", queue],
    ],
  );
  assert.equal(
    lines(widget(b, "Age of oldest message (s)")).map((l) => [l.name, l.options.stat, l.dimensions]),
    [["ApproximateAgeOfOldestMessage", "Maximum", queue]],
  );
  const dlq = widget(b, "Dead-letter queue: messages visible");
  assert.is(dlq.properties.view, "singleValue");
  assert.equal(
    lines(dlq).map((l) => [l.name, l.dimensions]),
    [["ApproximateNumberOfMessagesVisible", { QueueName: TARGETS.dlqName }]],
  );
});

test("Lambda: invocations, errors, throttles, duration p50/p90/p99, concurrency, by function name", async () => {
  const b = await body();
  const all = [
    ...lines(widget(b, "Invocations, errors, throttles")),
    ...lines(widget(b, "Duration (ms)")),
    ...lines(widget(b, "Concurrent executions")),
  ];
  assert.equal(
    all.map((l) => `${l.name}:${l.options.stat}`),
    [
      "Invocations:Sum",
      "Errors:Sum",
      "Throttles:Sum",
      "Duration:p50",
      "Duration:p90",
      "Duration:p99",
      "ConcurrentExecutions:Maximum",
    ],
  );
  for (const l of all) {
    assert.is(l.namespace, "AWS/Lambda");
    assert.equal(l.dimensions, { FunctionName: TARGETS.functionName });
  }
});

test("DynamoDB: consumed WCU by table; throttles, errors and latency of PutItem, the consumer's only operation", async () => {
  const b = await body();
  assert.equal(
    lines(widget(b, "Consumed write capacity units")).map((l) => [l.namespace, l.name, l.dimensions]),
    [["AWS/DynamoDB", "ConsumedWriteCapacityUnits", { TableName: TARGETS.tableName }]],
  );
  const putItem = { TableName: TARGETS.tableName, Operation: "PutItem" };
  assert.equal(
    lines(widget(b, "PutItem throttles and errors")).map((l) => [l.name, l.options.stat, l.dimensions]),
    [
      ["ThrottledRequests", "Sum", putItem],
      ["SystemErrors", "Sum", putItem],
      ["UserErrors", "Sum", {}],
    ],
  );
  assert.equal(
    lines(widget(b, "PutItem latency (ms)")).map((l) => [l.name, l.options.stat, l.dimensions]),
    [
      ["SuccessfulRequestLatency", "Average", putItem],
      ["SuccessfulRequestLatency", "Maximum", putItem],
    ],
  );
});

test("consumer metrics: outcomes, one line per validation reason, latency p50/p99, cold starts", async () => {
  const b = await body();
  const service = { service: "vehicle-consumer" };
  const outcomes = lines(widget(b, "Outcomes"));
  assert.equal(
    outcomes.map((l) => [l.namespace, l.name, l.options.stat, l.dimensions]),
    [
      ["VehiclePipeline", "VehiclesStored", "Sum", service],
      ["VehiclePipeline", "DuplicatesSkipped", "Sum", service],
      ["VehiclePipeline", "TransientFailures", "Sum", service],
      ["VehiclePipeline", "StoreRejections", "Sum", service],
      ["VehiclePipeline", "UnexpectedErrors", "Sum", service],
    ],
  );
  const reasons = lines(widget(b, "Validation failures by reason"));
  assert.equal(
    reasons.map((l) => l.dimensions),
    VALIDATION_CODES.map((Reason) => ({ ...service, Reason })),
  );
  assert.ok(reasons.every((l) => l.name === "ValidationFailures" && l.options.stat === "Sum"));
  assert.equal(
    lines(widget(b, "End-to-end latency, sent to stored (ms)")).map((l) => [l.name, l.options.stat, l.dimensions]),
    [
      ["EndToEndLatency", "p50", service],
      ["EndToEndLatency", "p99", service],
    ],
  );
  assert.equal(
    lines(widget(b, "Cold starts")).map((l) => [l.name, l.options.stat, l.dimensions]),
    [["ColdStart", "Sum", service]],
  );
});

test("console links for the dashboard and the X-Ray trace map", () => {
  assert.is(
    dashboardConsoleUrl("eu-west-1", "vehicle-pipeline-dev"),
    "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=vehicle-pipeline-dev",
  );
  assert.is(
    traceMapUrl("us-east-1"),
    "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#xray:service-map/map",
  );
});

test.run();
