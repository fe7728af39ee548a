// The local dashboard's alarm row: the stack's alarms listed in a CloudWatch alarm widget below the program's own
// widgets, each drawn in the state the embedded cloud's evaluation last gave it, read from the run's logs.jsonl.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { AlarmStateLogLine } from "../contracts";
import { withAlarmWidgets } from "../dashboard/alarm-widgets";
import { parseDashboardBody } from "../dashboard/body";
import { runDirRecordSource } from "../dashboard/record-source";
import { dashboardData } from "../dashboard/widget-data";

const body = JSON.stringify({
  widgets: [{ type: "text", x: 0, y: 0, width: 24, height: 2, properties: { markdown: "## Queue" } }],
});
const arn = (name: string) => `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}`;

const change = (alarm: string, to: AlarmStateLogLine["to"], at: number): AlarmStateLogLine => ({
  source: "cloud",
  event: "alarm-state",
  alarm,
  at,
  from: "INSUFFICIENT_DATA",
  to,
  reason: `Threshold Crossed: went ${to}`,
});

test("the alarm row goes below every widget and draws each alarm's latest state", () => {
  const widgets = parseDashboardBody(withAlarmWidgets(body, [arn("dlq-not-empty"), arn("consumer-errors")]));
  const alarmWidget = widgets.find((w) => w.type === "alarm")!;
  assert.ok(alarmWidget.y >= 2, "below the program's widgets");
  const data = dashboardData(widgets, [], "auto", [
    change("dlq-not-empty", "OK", 1_790_000_040),
    change("dlq-not-empty", "ALARM", 1_790_000_100),
  ]);
  const html = data.widgets.find((w) => w.type === "alarm")!.html!;
  assert.match(html, 'data-alarm="dlq-not-empty" data-state="ALARM"');
  assert.match(html, "Threshold Crossed: went ALARM");
  assert.match(html, 'data-alarm="consumer-errors" data-state="INSUFFICIENT_DATA"');
  // Without an evaluation in the record (a record from elsewhere), the widget only lists the alarms.
  const listed = dashboardData(widgets, []).widgets.find((w) => w.type === "alarm")!.html!;
  assert.match(listed, "state is only known on AWS");
  assert.is(withAlarmWidgets(body, []), body);
});

test("the record source keeps the alarm state changes of logs.jsonl and skips every other line", () => {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-alarms-"));
  try {
    writeFileSync(join(dir, "metrics.jsonl"), "");
    const lines = [
      { source: "function", message: "stored", outcome: "stored" },
      change("dlq-not-empty", "ALARM", 1_790_000_100),
      { source: "cloud", message: "deployed" },
    ];
    writeFileSync(join(dir, "logs.jsonl"), `${lines.map((l) => JSON.stringify(l)).join("\n")}\n{"half": `);
    const snapshot = runDirRecordSource(dir).read() as { alarms?: AlarmStateLogLine[] };
    assert.equal(
      snapshot.alarms?.map((a) => `${a.alarm} ${a.to}`),
      ["dlq-not-empty ALARM"],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
