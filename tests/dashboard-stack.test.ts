import { test } from "uvu";
import * as assert from "uvu/assert";
import { type MetricWidget, parseDashboardBody } from "../dashboard/body";
import { dashboardBodyFromStack, NoDashboardError } from "../dashboard/stack-body";
import { dashboardData } from "../dashboard/widget-data";
import { devStack, ofType } from "./support/pulumi";
import { sampleRun } from "./support/sample-run";

/**
 * The dashboard the dev stack synthesizes is the one the local page draws: it parses, and a record carrying
 * the stack's own resource names (as the embedded cloud records them) gives every metric widget data.
 */

test("the synthesized dev stack's dashboard body draws from a record with the stack's names", async () => {
  const stack = await devStack();
  const widgets = parseDashboardBody(dashboardBodyFromStack(stack));
  const metricWidgets = widgets.filter((w): w is MetricWidget => w.type === "metric");
  assert.ok(metricWidgets.length > 0);

  const queues = ofType(stack, "aws:sqs/queue:Queue").map((q) => String(q.state.name ?? q.inputs.name));
  const queueName = queues.find((n) => !/dlq/.test(n))!;
  const dlqName = queues.find((n) => /dlq/.test(n))!;
  const functionName = String(ofType(stack, "aws:lambda/function:Function")[0]!.state.name);
  const tableName = String(
    ofType(stack, "aws:dynamodb/table:Table")[0]!.state.name ??
      ofType(stack, "aws:dynamodb/table:Table")[0]!.inputs.name,
  );
  const referenced = new Set(metricWidgets.flatMap((w) => w.metrics.flatMap((m) => Object.values(m.dimensions))));
  for (const name of [queueName, dlqName, functionName, tableName])
    assert.ok(referenced.has(name), `the dashboard watches ${name}`);

  const sample = sampleRun({ queueName, dlqName, functionName, tableName });
  const data = dashboardData(widgets, sample.metrics);
  for (const w of data.widgets.filter((w) => w.type === "metric"))
    assert.ok(w.points > 0, `"${w.title}" has data: ${w.notes.join("; ")}`);
});

test("a stack without exactly one dashboard is refused", () => {
  assert.throws(
    () => dashboardBodyFromStack({ resources: [] }),
    (e: unknown) => e instanceof NoDashboardError && /declares no/.test((e as Error).message),
  );
});

test.run();
