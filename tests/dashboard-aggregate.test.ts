import { test } from "uvu";
import * as assert from "uvu/assert";
import { type MetricLine, parseMetricLines, percentile } from "../contracts";
import { DashboardBodyError, expandShorthand, type MetricWidget, parseDashboardBody } from "../dashboard/body";
import { renderMarkdown } from "../dashboard/markdown";
import { dashboardData } from "../dashboard/widget-data";
import {
  aggregateSeries,
  aggregateTotal,
  autoPeriod,
  computeStatistic,
  parseStatistic,
  UnsupportedStatisticError,
} from "../metrics/aggregate";
import { sampleDashboardBody, sampleRun } from "./support/sample-run";

const line = (
  t: number,
  values: number[],
  dimensions: Record<string, string> = { QueueName: "q" },
  metric = "NumberOfMessagesSent",
): MetricLine => ({
  t,
  namespace: "AWS/SQS",
  metric,
  dimensions,
  values,
});

test("statistics over datapoints", () => {
  const values = [4, 1, 3, 2, 10];
  assert.is(computeStatistic(values, "Sum"), 20);
  assert.is(computeStatistic(values, "Average"), 4);
  assert.is(computeStatistic(values, "Minimum"), 1);
  assert.is(computeStatistic(values, "Maximum"), 10);
  assert.is(computeStatistic(values, "SampleCount"), 5);
  assert.is(computeStatistic(values, "p50"), 3);
  assert.is(computeStatistic([], "Sum"), undefined);
});

test("nearest-rank percentiles", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
  assert.is(percentile(hundred, 99), 99);
  assert.is(percentile(hundred, 100), 100);
  assert.is(percentile(hundred, 0), 1);
  assert.is(percentile([7], 99.9), 7);
  assert.is(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9);
});

test("statistic names as CloudWatch spells them", () => {
  assert.is(parseStatistic("sum"), "Sum");
  assert.is(parseStatistic("p99.9"), "p99.9");
  assert.is(parseStatistic("P90"), "p90");
  assert.throws(
    () => parseStatistic("TM99"),
    (e: unknown) => e instanceof UnsupportedStatisticError && /TM99/.test((e as Error).message),
  );
  assert.throws(
    () => parseStatistic("p101"),
    (e: unknown) => e instanceof UnsupportedStatisticError,
  );
});

test("aggregates by aligned period and exact dimension set", () => {
  const lines = [
    line(100, [5]),
    line(101, [7]),
    line(104, [1]),
    line(105, [2]),
    line(105, [1000], { QueueName: "other" }),
    line(105, [1000], { QueueName: "q", Extra: "x" }),
  ];
  const selector = { namespace: "AWS/SQS", metric: "NumberOfMessagesSent", dimensions: { QueueName: "q" } };
  assert.equal(aggregateSeries(lines, selector, { stat: "Sum", period: 5 }), [
    { t: 100, value: 13 },
    { t: 105, value: 2 },
  ]);
  assert.equal(aggregateSeries(lines, selector, { stat: "Maximum", period: 1, start: 101, end: 105 }), [
    { t: 101, value: 7 },
    { t: 104, value: 1 },
  ]);
  assert.is(aggregateTotal(lines, selector, "SampleCount"), 4);
  assert.throws(
    () => aggregateSeries(lines, selector, { stat: "Sum", period: 0 }),
    (e: unknown) => e instanceof RangeError,
  );
});

test("pooled dimensions sum ValidationFailures over every Reason", () => {
  const vf = (t: number, reason: string, n: number): MetricLine => ({
    t,
    namespace: "VehiclePipeline",
    metric: "ValidationFailures",
    dimensions: { service: "s", Reason: reason },
    values: [n],
  });
  const lines = [
    vf(1, "MISSING_FIELD", 2),
    vf(1, "INVALID_JSON", 3),
    { ...vf(1, "x", 100), dimensions: { service: "s" } },
  ];
  const pooled = {
    namespace: "VehiclePipeline",
    metric: "ValidationFailures",
    dimensions: { service: "s" },
    pooledDimensions: ["Reason"],
  };
  assert.is(aggregateTotal(lines, pooled, "Sum"), 5);
  assert.is(aggregateTotal(lines, { ...pooled, pooledDimensions: [] }, "Sum"), 100);
});

test("auto period never coarser than declared, fine enough for a short run", () => {
  assert.is(autoPeriod(60, 3600), 60);
  assert.is(autoPeriod(300, 120), 1);
  assert.is(autoPeriod(300, 600), 10);
  assert.is(autoPeriod(60, 20), 1);
});

test("metrics.jsonl parsing skips a half-written last line", () => {
  const text = `${JSON.stringify(line(1, [1]))}\nnot json\n${JSON.stringify(line(2, [2, "x" as unknown as number, 3]))}\n{"t": 3, "namesp`;
  const parsed = parseMetricLines(text);
  assert.is(parsed.lines.length, 2);
  assert.equal(parsed.lines[1]!.values, [2, 3]);
  assert.equal(parsed.skipped, [2, 4]);
});

test("dashboard body: shorthand, per-metric options, defaults", () => {
  const widgets = parseDashboardBody(sampleDashboardBody());
  assert.is(widgets.length, 6);
  const messages = widgets[1] as MetricWidget;
  assert.is(messages.type, "metric");
  assert.equal(
    messages.metrics.map((m) => [m.metric, m.dimensions.QueueName, m.stat, m.yAxis]),
    [
      ["NumberOfMessagesSent", "vehicle-queue", "Sum", "left"],
      ["NumberOfMessagesDeleted", "vehicle-queue", "Sum", "left"],
      ["ApproximateAgeOfOldestMessage", "vehicle-queue", "Maximum", "right"],
    ],
  );
  const latency = widgets[3] as MetricWidget;
  assert.equal(
    latency.metrics.map((m) => [m.metric, m.dimensions.service, m.stat]),
    [
      ["EndToEndLatency", "vehicle-consumer", "p50"],
      ["EndToEndLatency", "vehicle-consumer", "p99"],
    ],
  );
  assert.is(latency.stat, "Average"); // CloudWatch's default when the widget names none
  const defaults = parseDashboardBody({
    widgets: [
      {
        type: "metric",
        properties: {
          metrics: [["N", "M"], ["N", "H", { visible: false }], [{ expression: "m1*2", label: "double" }]],
        },
      },
    ],
  })[0] as MetricWidget;
  assert.is(defaults.width, 6);
  assert.is(defaults.period, 300);
  assert.is(defaults.metrics.length, 1);
  assert.equal(defaults.expressions, [{ expression: "m1*2", label: "double", id: undefined }]);
});

test("dashboard body errors name the widget", () => {
  assert.throws(
    () => parseDashboardBody("{"),
    (e: unknown) => e instanceof DashboardBodyError,
  );
  assert.throws(() => parseDashboardBody({ dashboards: [] }), /widgets/);
  assert.throws(
    () => parseDashboardBody({ widgets: [{ type: "metric", properties: { metrics: [[".", "M"]] } }] }),
    /widgets\[0\].*"\."/,
  );
  assert.throws(
    () => parseDashboardBody({ widgets: [{ type: "metric", properties: { stat: "Median", metrics: [] } }] }),
    /widgets\[0\].*Median/,
  );
  assert.equal(expandShorthand(["...", "b2"], ["N", "M", "d", "b1"], "row"), ["N", "M", "d", "b2"]);
});

test("widget data from a sample run matches the record", () => {
  const sample = sampleRun();
  const data = dashboardData(parseDashboardBody(sampleDashboardBody()), sample.metrics, 1);
  const [text, messages, concurrency, latency, stored, dlq] = data.widgets;
  assert.is(text!.kind, "text");
  assert.match(text!.html!, /<strong>DynamoDB<\/strong>/);
  const sent = messages!.series[0]!.points.reduce((n, p) => n + p.value, 0);
  assert.is(sent, sample.run.verification!.sent);
  assert.is(Math.max(...concurrency!.series[0]!.points.map((p) => p.value)), 8);
  assert.ok(latency!.points > 0);
  assert.equal(stored!.values, [{ label: "VehiclesStored", value: sample.run.verification!.stored }]);
  assert.is(dlq!.series[0]!.points.at(-1)!.value, sample.run.verification!.inDlq);
  assert.ok(messages!.spec, "a chart widget carries a Vega-Lite spec");
  for (const w of data.widgets) assert.equal(w.notes, [], `widget ${w.index} has notes: ${w.notes.join("; ")}`);
});

test("widget data says which dimensions the record has when nothing matches", () => {
  const body = {
    widgets: [
      {
        type: "metric",
        properties: { title: "t", metrics: [["AWS/SQS", "NumberOfMessagesSent", "QueueName", "missing"]] },
      },
    ],
  };
  const [widget] = dashboardData(parseDashboardBody(body), [line(1, [1])]).widgets;
  assert.is(widget!.points, 0);
  assert.match(widget!.notes[0]!, /QueueName=missing.*QueueName=q/);
});

test("markdown: links only over http(s), everything else escaped", () => {
  const html = renderMarkdown("## Hi <b>\n- [ok](https://example.com)\n- [bad](javascript:alert(1))");
  assert.match(html, /<h2>Hi &lt;b&gt;<\/h2>/);
  assert.match(html, /<a href="https:\/\/example.com"/);
  assert.not.match(html, /href="javascript/);
});

test.run();
