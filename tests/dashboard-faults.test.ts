// A run with injected faults on the local dashboard: the program's own widgets (Lambda errors, DynamoDB throttles
// and errors) draw what the fault layers record, and a local-only row counts the faults by kind.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { FAULT_METRICS, type MetricLine } from "../contracts";
import { parseDashboardBody } from "../dashboard/body";
import { withFaultWidgets } from "../dashboard/fault-widgets";
import { dashboardBodyFromStack } from "../dashboard/stack-body";
import { dashboardData } from "../dashboard/widget-data";
import { devStack, ofType } from "./support/pulumi";

const T = 1_790_000_000;

function line(namespace: string, metric: string, dimensions: Record<string, string>, value: number, t = T): MetricLine {
  return { t, namespace, metric, dimensions, unit: "Count", values: [value] };
}

async function deployedBodyAndNames() {
  const stack = await devStack();
  const functionName = String(ofType(stack, "aws:lambda/function:Function")[0]!.state.name);
  const table = ofType(stack, "aws:dynamodb/table:Table")[0]!;
  const tableName = String(table.state.name ?? table.inputs.name);
  return { body: dashboardBodyFromStack(stack), functionName, tableName };
}

test("faults move the program's error and throttle widgets, and a local row counts them by kind", async () => {
  const { body, functionName, tableName } = await deployedBodyAndNames();
  const putItem = { TableName: tableName, Operation: "PutItem" };
  const faults = (kind: string, n: number, t = T) =>
    line(FAULT_METRICS.namespace, FAULT_METRICS.injected, { Kind: kind }, n, t);
  const lines: MetricLine[] = [
    faults("ddb-throttle", 3),
    faults("ddb-throttle", 1, T + 1),
    faults("ddb-5xx", 2),
    faults("lambda-crash", 1, T + 1),
    line("AWS/DynamoDB", "ThrottledRequests", putItem, 3),
    line("AWS/DynamoDB", "ThrottledRequests", putItem, 1, T + 1),
    line("AWS/DynamoDB", "UserErrors", {}, 4),
    line("AWS/DynamoDB", "SystemErrors", putItem, 2),
    line("AWS/Lambda", "Errors", { FunctionName: functionName }, 1, T + 1),
  ];
  const data = dashboardData(
    parseDashboardBody(withFaultWidgets(body, ["ddb-throttle", "ddb-5xx", "lambda-crash"])),
    lines,
  );
  const total = (title: string, label: string) => {
    const widget = data.widgets.find((w) => w.title === title);
    assert.ok(widget, `a widget "${title}"`);
    const series = widget.series.find((s) => s.label === label);
    assert.ok(series, `"${title}" draws ${label}: ${widget.series.map((s) => s.label).join(", ")}`);
    return series.points.reduce((sum, p) => sum + p.value, 0);
  };
  assert.is(total("PutItem throttles and errors", "Throttled requests"), 4);
  assert.is(total("PutItem throttles and errors", "System errors (5xx)"), 2);
  assert.is(total("PutItem throttles and errors", "User errors (4xx, account)"), 4);
  assert.is(total("Invocations, errors, throttles", "Errors"), 1);
  assert.is(total("Faults injected, by kind", "ddb-throttle"), 4);
  const counts = data.widgets.find((w) => w.title === "Faults injected in the run")!.values;
  assert.equal(counts, [
    { label: "ddb-throttle", value: 4 },
    { label: "ddb-5xx", value: 2 },
    { label: "lambda-crash", value: 1 },
  ]);
});

test("the fault row is local: the deployed body has none, and a run without faults gets none", async () => {
  const { body } = await deployedBodyAndNames();
  assert.not.ok(body.includes(FAULT_METRICS.namespace), "the program's dashboard never names the local fault metrics");
  assert.is(withFaultWidgets(body, []), body);
  const widgets = parseDashboardBody(withFaultWidgets(body, ["sqs-duplicate"]));
  const bottom = Math.max(...parseDashboardBody(body).map((w) => w.y + w.height));
  const added = widgets.slice(parseDashboardBody(body).length);
  assert.is(added.length, 3);
  assert.ok(
    added.every((w) => w.y >= bottom),
    "below every widget of the program",
  );
});

test.run();
