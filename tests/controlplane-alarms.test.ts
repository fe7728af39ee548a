// CloudWatch alarm evaluation over per-second metric records (controlplane/alarms): definitions from MetricAlarm
// inputs, datapoints, the documented evaluation rules, state transitions, notifications and no-data diagnoses.

import { test } from "uvu";
import * as assert from "uvu/assert";
import type { MetricLine } from "../contracts/run-record";
import type { PlainValues } from "../contracts/synthesized-stack";
import {
  type AlarmDefinition,
  AlarmDefinitionError,
  AlarmMonitor,
  type AlarmNotification,
  type AlarmReport,
  type AlarmState,
  alarmFromInputs,
  alarmNotification,
  datapoints,
  evaluateRange,
  evaluateRecord,
  InvalidAlarmError,
  METRIC_ALARM_TYPE,
  type MetricQuery,
  MonitorFinishedError,
  notificationSubject,
  notificationTargets,
  type RangeSlot,
  type StateTransition,
  UnsupportedAlarmError,
} from "../controlplane";
import { devStack, ofType } from "./support/pulumi";

/** 2026-12-04T15:30:00Z, a minute boundary. */
const T0 = Date.UTC(2026, 11, 4, 15, 30, 0) / 1000;
const TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms";

function line(t: number, values: number[], over: Partial<MetricLine> = {}): MetricLine {
  return {
    t,
    namespace: "Test/App",
    metric: "Errors",
    dimensions: { FunctionName: "fn" },
    unit: "Count",
    values,
    ...over,
  };
}

function alarm(over: PlainValues = {}): AlarmDefinition {
  return alarmFromInputs("test-alarm", {
    namespace: "Test/App",
    metricName: "Errors",
    dimensions: { FunctionName: "fn" },
    statistic: "Maximum",
    period: 60,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    alarmActions: [TOPIC],
    okActions: [TOPIC],
    ...over,
  });
}

/** One value per second for `seconds` seconds from `from`, with the same options. */
function run(from: number, seconds: number, value: (t: number) => number[], over: Partial<MetricLine> = {}) {
  return Array.from({ length: seconds }, (_, i) => line(from + i, value(from + i), over));
}

/** A line of another series, written every second so the record's clock advances as the recorder's does. */
function clock(from: number, seconds: number): MetricLine[] {
  return run(from, seconds, () => [0], { metric: "Heartbeat", dimensions: {} });
}

function transitionsOf(reports: AlarmReport[]): [string, AlarmState, AlarmState, number][] {
  return reports.flatMap((r) =>
    r.transitions.map((t) => [t.alarm, t.from, t.to, t.at - T0] as [string, AlarmState, AlarmState, number]),
  );
}

test("alarmFromInputs reads a MetricAlarm's inputs and refuses, by name, what it cannot evaluate", () => {
  const a = alarm({ datapointsToAlarm: 1, evaluationPeriods: 3, treatMissingData: "notBreaching", unit: "Count" });
  assert.equal(
    [a.namespace, a.metricName, a.dimensions, a.statistic, a.period, a.evaluationPeriods, a.datapointsToAlarm, a.unit],
    ["Test/App", "Errors", { FunctionName: "fn" }, "Maximum", 60, 3, 1, "Count"],
  );
  assert.is(alarm().treatMissingData, "missing", "CloudWatch's default");
  assert.is(alarm().datapointsToAlarm, undefined);
  assert.is(alarm({ statistic: undefined, extendedStatistic: "p99.9" }).statistic, "p99.9");

  const refusals: [PlainValues, typeof AlarmDefinitionError, RegExp][] = [
    [{ metricQueries: [{ id: "e1", expression: "m1*2" }] }, UnsupportedAlarmError, /metric math/],
    [{ comparisonOperator: "GreaterThanUpperThreshold", thresholdMetricId: "ad1" }, UnsupportedAlarmError, /anomaly/],
    [{ evaluateLowSampleCountPercentiles: "ignore" }, UnsupportedAlarmError, /evaluateLowSampleCountPercentile/],
    [{ statistic: undefined, extendedStatistic: "TM(10%:90%)" }, UnsupportedAlarmError, /plain percentile/],
    [{ period: 45 }, InvalidAlarmError, /10, 20, 30 or a multiple of 60/],
    [{ evaluationPeriods: 2, datapointsToAlarm: 3 }, InvalidAlarmError, /exceeds evaluationPeriods/],
    [{ extendedStatistic: "p99" }, InvalidAlarmError, /exactly one of statistic and extendedStatistic/],
    [{ period: 300, evaluationPeriods: 289 }, InvalidAlarmError, /86400 s allowed/],
    [{ comparisonOperator: "Above" }, InvalidAlarmError, /comparisonOperator/],
    [{ metricName: undefined }, InvalidAlarmError, /metricName/],
  ];
  for (const [inputs, kind, message] of refusals) {
    try {
      alarm(inputs);
      assert.unreachable(`accepted ${JSON.stringify(inputs)}`);
    } catch (error) {
      assert.instance(error, kind, JSON.stringify(inputs));
      assert.instance(error, AlarmDefinitionError);
      assert.match((error as Error).message, /^alarm test-alarm: /);
      assert.match((error as Error).message, message);
    }
  }
});

test("datapoints apply the statistic to every raw value of a period", () => {
  const lines = [line(T0, [1, 5]), line(T0 + 1, [2]), line(T0 + 2, [10, 0])];
  const query = (statistic: string): MetricQuery => ({ ...alarm(), statistic }) as MetricQuery;
  const value = (statistic: string) => datapoints(lines, query(statistic)).map((d) => d.value);
  assert.equal(value("Maximum"), [10]);
  assert.equal(value("Minimum"), [0]);
  assert.equal(value("Sum"), [18]);
  assert.equal(value("Average"), [3.6]);
  assert.equal(value("SampleCount"), [5]);
  assert.equal(value("p50"), [2], "nearest rank of 0, 1, 2, 5, 10");
  assert.equal(datapoints(lines, query("Sum"))[0]!.sampleCount, 5);
});

test("datapoints: periods align to the epoch (or to a given offset) and an empty period is missing, not zero", () => {
  const lines = [...run(T0 + 50, 20, () => [1]), line(T0 + 200, [])];
  const query = { ...alarm(), statistic: "Sum" } as MetricQuery;
  assert.equal(
    datapoints(lines, query).map((d) => [d.start - T0, d.value]),
    [
      [0, 10],
      [60, 10],
    ],
    "15:30:50-15:31:09 falls in two clock minutes; the empty line at 15:33:20 makes no datapoint",
  );
  assert.equal(
    datapoints(lines, query, { offset: 30 }).map((d) => [d.start - T0, d.value]),
    [[30, 20]],
  );
});

test("a series with an extra or a missing dimension is another metric; dimension order does not matter", () => {
  const query = {
    ...alarm(),
    dimensions: { FunctionName: "fn", Resource: "fn:live" },
    statistic: "Sum",
  } as MetricQuery;
  const lines = [
    line(T0, [1], { dimensions: { FunctionName: "fn" } }),
    line(T0, [10], { dimensions: { FunctionName: "fn", Resource: "fn:live", Version: "3" } }),
    line(T0, [100], { dimensions: { Resource: "fn:live", FunctionName: "fn" } }),
    line(T0, [1000], { dimensions: { FunctionName: "fn", Resource: "fn:live" }, metric: "errors" }),
  ];
  assert.equal(
    datapoints(lines, query).map((d) => d.value),
    [100],
  );
});

// The User Guide's two tables ("How alarm state is evaluated when data is missing"): 5 datapoints retrieved,
// oldest first; 0 within the threshold, X breaching, - missing. Columns: MISSING, IGNORE, BREACHING, NOT BREACHING.
const GUIDE_TABLES: { n: number; m: number; rows: [string, string, string, string, string][] }[] = [
  {
    n: 3,
    m: 3,
    rows: [
      ["0 - X - X", "OK", "OK", "OK", "OK"],
      ["0 - - - -", "OK", "OK", "OK", "OK"],
      ["- - - - -", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"],
      ["0 X X - X", "ALARM", "ALARM", "ALARM", "ALARM"],
      ["- - - - X", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"],
      ["X - - - -", "ALARM", "retain", "ALARM", "OK"],
    ],
  },
  {
    n: 3,
    m: 2,
    rows: [
      ["0 - X - X", "ALARM", "ALARM", "ALARM", "ALARM"],
      ["0 0 X 0 X", "ALARM", "ALARM", "ALARM", "ALARM"],
      ["0 - X - -", "OK", "OK", "ALARM", "OK"],
      ["- - - - 0", "OK", "OK", "ALARM", "OK"],
      ["- - - - X", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"],
    ],
  },
];

test("evaluateRange reproduces every row of the User Guide's missing-data tables", () => {
  const treatments = ["missing", "ignore", "breaching", "notBreaching"];
  for (const { n, m, rows } of GUIDE_TABLES) {
    for (const [points, ...expected] of rows) {
      const range: RangeSlot[] = points.split(" ").map((p, i) => ({
        start: T0 + i * 60,
        value: p === "-" ? undefined : p === "X" ? 5 : 0,
      }));
      treatments.forEach((treatMissingData, i) => {
        const a = alarm({ evaluationPeriods: n, datapointsToAlarm: m, threshold: 1, treatMissingData });
        const verdict = evaluateRange(a, range);
        assert.is(verdict?.state ?? "retain", expected[i], `${m} of ${n}, [${points}], ${treatMissingData}`);
      });
    }
  }
});

test("the threshold itself breaches only the ...OrEqualTo operators", () => {
  const at = (comparisonOperator: string, value: number) =>
    evaluateRange(alarm({ comparisonOperator, threshold: 3 }), [{ start: T0, value }])?.state;
  assert.is(at("GreaterThanThreshold", 3), "OK");
  assert.is(at("GreaterThanOrEqualToThreshold", 3), "ALARM");
  assert.is(at("LessThanThreshold", 3), "OK");
  assert.is(at("LessThanOrEqualToThreshold", 3), "ALARM");
  assert.is(at("GreaterThanThreshold", 3.000001), "ALARM");
  assert.is(at("LessThanThreshold", 2.999999), "ALARM");
});

test("the statistic decides: Maximum, Sum and Average over the same seconds give different verdicts", () => {
  // Per-second values 0, 0, 9, 0, 0, 0 in one minute; threshold 5.
  const lines = [...run(T0, 60, (t) => (t === T0 + 2 ? [9] : [0])), ...clock(T0 + 60, 1)];
  const states = ["Maximum", "Sum", "Average", "Minimum"].map((statistic) => {
    const [report] = evaluateRecord([alarm({ statistic, threshold: 5 })], lines);
    return report!.state;
  });
  assert.equal(states, ["ALARM", "ALARM", "OK", "OK"], "max 9 > 5, sum 9 > 5, average 0.15, minimum 0");
});

test("2 of 3: the alarm fires on the second breaching minute, not necessarily consecutive", () => {
  const lines = [
    ...run(T0, 60, () => [5]),
    ...run(T0 + 60, 60, () => [0]),
    ...run(T0 + 120, 60, () => [5]),
    ...clock(T0 + 180, 1),
  ];
  const [report] = evaluateRecord([alarm({ evaluationPeriods: 3, datapointsToAlarm: 2, threshold: 1 })], lines);
  assert.equal(
    report!.transitions.map((t) => [t.to, t.at - T0, t.reason]),
    [
      [
        "OK",
        120,
        "Threshold Crossed: 1 out of the last 3 datapoints [0.0 (04/12/26 15:31:00)] was not greater than the " +
          "threshold (1.0) (minimum 2 datapoints for ALARM -> OK transition).",
      ],
      [
        "ALARM",
        180,
        "Threshold Crossed: 2 out of the last 3 datapoints [5.0 (04/12/26 15:32:00), 5.0 (04/12/26 15:30:00)] were " +
          "greater than the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).",
      ],
    ],
    "15:31 has one breaching datapoint of 3 (still INSUFFICIENT_DATA), 15:32 a real 0, 15:33 two of three",
  );
});

test("no data at all: missing and ignore stay INSUFFICIENT_DATA, notBreaching goes OK, breaching goes ALARM", () => {
  const lines = clock(T0 + 10, 150);
  const alarms = ["missing", "ignore", "notBreaching", "breaching"].map((t) => alarmFromInputs(t, inputsOf(t)));
  const reports = evaluateRecord(alarms, lines);
  assert.equal(
    reports.map((r) => [r.alarm, r.state, r.transitions.length]),
    [
      ["missing", "INSUFFICIENT_DATA", 0],
      ["ignore", "INSUFFICIENT_DATA", 0],
      ["notBreaching", "OK", 1],
      ["breaching", "ALARM", 1],
    ],
  );
  assert.is(
    reports[2]!.reason,
    "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
  );
  assert.is(
    reports[3]!.reason,
    "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].",
  );
  assert.is(reports[2]!.transitions[0]!.at, T0 + 60, "first evaluation: the first minute boundary after the start");
});

/** The inputs `alarm()` builds, with treatMissingData set (named alarms for the table above). */
function inputsOf(treatMissingData: string): PlainValues {
  return {
    namespace: "Test/App",
    metricName: "Errors",
    dimensions: { FunctionName: "fn" },
    statistic: "Maximum",
    period: 60,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData,
  };
}

test("when a metric stops, its last datapoint is judged while it stays in the evaluation range (N + 2 periods)", () => {
  // One breaching minute, then the metric stops for five minutes while the record goes on.
  const lines = [...run(T0, 60, () => [4]), ...clock(T0 + 60, 300)];
  const alarms = ["missing", "ignore", "notBreaching", "breaching"].map((t) => alarmFromInputs(t, inputsOf(t)));
  assert.equal(transitionsOf(evaluateRecord(alarms, lines)), [
    ["missing", "INSUFFICIENT_DATA", "ALARM", 60],
    ["missing", "ALARM", "INSUFFICIENT_DATA", 240],
    ["ignore", "INSUFFICIENT_DATA", "ALARM", 60],
    ["notBreaching", "INSUFFICIENT_DATA", "ALARM", 60],
    ["notBreaching", "ALARM", "OK", 240],
    ["breaching", "INSUFFICIENT_DATA", "ALARM", 60],
  ]);
});

test("AWS/DynamoDB alarms ignore missing data whatever treatMissingData says", () => {
  const inputs = {
    ...inputsOf("notBreaching"),
    namespace: "AWS/DynamoDB",
    metricName: "ThrottledRequests",
    dimensions: { TableName: "t", Operation: "PutItem" },
    statistic: "Sum",
  };
  const table = alarmFromInputs("table", inputs);
  assert.equal(
    evaluateRecord([table], clock(T0, 200)).map((r) => [r.state, r.transitions.length]),
    [["INSUFFICIENT_DATA", 0]],
  );
  const zeros = run(T0, 200, () => [0], {
    namespace: "AWS/DynamoDB",
    metric: "ThrottledRequests",
    dimensions: inputs.dimensions,
  });
  assert.equal(
    evaluateRecord([table], zeros).map((r) => r.state),
    ["OK"],
  );
});

test("a 5-minute alarm judges the 5 minutes before each evaluation, not the clock's 5-minute periods", () => {
  // One error at 15:33:50, 15:34:10 and 15:36:30: 2 in the clock period 15:30-15:35, 1 in 15:35-15:40, but 3 in
  // the sliding window 15:32-15:37 that the evaluation at 15:37 judges.
  const errors = [T0 + 230, T0 + 250, T0 + 390].map((t) => line(t, [1]));
  const lines = [...clock(T0, 600), ...errors].sort((a, b) => a.t - b.t);
  const a = alarm({ period: 300, statistic: "Sum", threshold: 3, comparisonOperator: "GreaterThanOrEqualToThreshold" });
  assert.equal(
    datapoints(lines, a).map((d) => [d.start - T0, d.value]),
    [
      [0, 2],
      [300, 1],
    ],
  );
  const [report] = evaluateRecord([a], lines);
  const alarmed = report!.transitions.find((t) => t.to === "ALARM");
  assert.is(alarmed?.at, T0 + 420);
  assert.is(
    alarmed?.reason,
    "Threshold Crossed: 1 datapoint [3.0 (04/12/26 15:32:00)] was greater than or equal to the threshold (3.0).",
  );
  assert.is(report!.datapointsSeen, 2, "the clock periods that held a value");
});

/** OK in 15:30, a 3 in 15:31, OK again in 15:32: an alarm with every kind of action. */
function okAlarmOk() {
  const a = alarm({ alarmDescription: "DLQ not empty", insufficientDataActions: ["arn:aws:sns:us-east-1:1:other"] });
  const lines = [
    ...run(T0, 60, () => [0]),
    ...run(T0 + 60, 60, (t) => (t === T0 + 75 ? [3] : [1])),
    ...run(T0 + 120, 60, () => [0]),
    ...clock(T0 + 180, 1),
  ];
  return { a, report: evaluateRecord([a], lines)[0]! };
}

test("INSUFFICIENT_DATA -> OK -> ALARM -> OK, each with CloudWatch's reason", () => {
  const { report } = okAlarmOk();
  assert.equal(
    report.transitions.map((t) => [t.from, t.to, t.at - T0, t.reason]),
    [
      [
        "INSUFFICIENT_DATA",
        "OK",
        60,
        "Threshold Crossed: 1 datapoint [0.0 (04/12/26 15:30:00)] was not greater than the threshold (0.0).",
      ],
      [
        "OK",
        "ALARM",
        120,
        "Threshold Crossed: 1 datapoint [3.0 (04/12/26 15:31:00)] was greater than the threshold (0.0).",
      ],
      [
        "ALARM",
        "OK",
        180,
        "Threshold Crossed: 1 datapoint [0.0 (04/12/26 15:32:00)] was not greater than the threshold (0.0).",
      ],
    ],
  );
});

test("each transition's notification: CloudWatch's message, its subject, and only the new state's actions", () => {
  const { a, report } = okAlarmOk();
  const [toOk, toAlarm] = report.transitions as [StateTransition, StateTransition];
  const context = { accountId: "123456789012", region: "us-east-1", configurationUpdatedAt: T0 - 30 };
  const message: AlarmNotification = alarmNotification(a, toAlarm, context);
  assert.equal(message, {
    AlarmName: "test-alarm",
    AlarmDescription: "DLQ not empty",
    AWSAccountId: "123456789012",
    AlarmConfigurationUpdatedTimestamp: "2026-12-04T15:29:30.000+0000",
    NewStateValue: "ALARM",
    NewStateReason: "Threshold Crossed: 1 datapoint [3.0 (04/12/26 15:31:00)] was greater than the threshold (0.0).",
    StateChangeTime: "2026-12-04T15:32:00.000+0000",
    Region: "US East (N. Virginia)",
    AlarmArn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:test-alarm",
    OldStateValue: "OK",
    OKActions: [TOPIC],
    AlarmActions: [TOPIC],
    InsufficientDataActions: ["arn:aws:sns:us-east-1:1:other"],
    Trigger: {
      MetricName: "Errors",
      Namespace: "Test/App",
      StatisticType: "Statistic",
      Statistic: "MAXIMUM",
      Unit: null,
      Dimensions: [{ value: "fn", name: "FunctionName" }],
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: 0,
      TreatMissingData: "missing",
      EvaluateLowSampleCountPercentile: "",
    },
  });
  assert.equal(Object.keys(message).slice(0, 4), [
    "AlarmName",
    "AlarmDescription",
    "AWSAccountId",
    "AlarmConfigurationUpdatedTimestamp",
  ]);
  assert.is(notificationSubject(message), 'ALARM: "test-alarm" in US East (N. Virginia)');
  assert.equal(notificationTargets(a, toAlarm), [TOPIC], "ALARM runs the alarm actions");
  assert.equal(notificationTargets(a, toOk), [TOPIC], "INSUFFICIENT_DATA -> OK runs the OK actions");
  const toInsufficient = { ...toOk, from: "OK", to: "INSUFFICIENT_DATA" } as StateTransition;
  assert.equal(notificationTargets(a, toInsufficient), ["arn:aws:sns:us-east-1:1:other"]);
  assert.equal(notificationTargets(alarm({ okActions: [] }), toOk), [], "no OK action, no OK notification");
  assert.equal(notificationTargets(alarm({ actionsEnabled: false }), toAlarm), [], "actions disabled");

  const m = alarmNotification(
    alarm({ datapointsToAlarm: 1, statistic: undefined, extendedStatistic: "p99" }),
    toAlarm,
    {
      ...context,
      region: "eu-north-1",
    },
  );
  assert.equal(
    [m.Trigger.StatisticType, m.Trigger.ExtendedStatistic, m.Trigger.Statistic, m.Trigger.DatapointsToAlarm, m.Region],
    ["ExtendedStatistic", "p99", undefined, 1, "eu-north-1"],
  );
});

test("a misspelled metric, a wrong dimension value and an extra dimension are reported with the nearest series", () => {
  const dlq = { QueueName: "vehicles-dlq-96e9fec" };
  const sqs = (metric: string, dimensions: Record<string, string>) => ({ namespace: "AWS/SQS", metric, dimensions });
  const lines = [
    ...run(T0, 90, () => [0], sqs("ApproximateNumberOfMessagesVisible", dlq)),
    ...run(T0, 90, () => [0], sqs("ApproximateNumberOfMessagesVisible", { QueueName: "vehicles-3ca8f54" })),
    ...run(T0, 90, () => [0], sqs("ApproximateAgeOfOldestMessage", dlq)),
    ...run(T0, 90, () => [0], sqs("NumberOfMessagesSent", dlq)),
    ...run(T0, 90, () => [], { namespace: "AWS/Lambda", metric: "Duration", dimensions: { FunctionName: "fn" } }),
  ];
  const watch = (name: string, metricName: string, dimensions: Record<string, string>) =>
    alarmFromInputs(name, { ...inputsOf("notBreaching"), namespace: "AWS/SQS", metricName, dimensions });
  const duration = alarmFromInputs("duration", {
    ...inputsOf("missing"),
    namespace: "AWS/Lambda",
    metricName: "Duration",
  });
  const reports = evaluateRecord(
    [
      watch("typo", "ApproximateNumberOfMessagesVisble", dlq),
      watch("wrong-queue", "ApproximateNumberOfMessagesVisible", { QueueName: "vehicles-dlq" }),
      watch("extra", "ApproximateNumberOfMessagesVisible", { ...dlq, Region: "us-east-1" }),
      watch("right", "ApproximateNumberOfMessagesVisible", dlq),
      duration,
    ],
    lines,
  );
  const [typo, wrongQueue, extra, right, empty] = reports as [
    AlarmReport,
    AlarmReport,
    AlarmReport,
    AlarmReport,
    AlarmReport,
  ];
  const intended = sqs("ApproximateNumberOfMessagesVisible", dlq);
  for (const r of [typo, wrongQueue, extra]) {
    assert.is(r.datapointsSeen, 0, r.alarm);
    assert.is(r.samplesSeen, 0, r.alarm);
    assert.is(r.noData?.seriesInRecord, false, r.alarm);
    assert.equal(r.noData?.nearest[0], intended, `${r.alarm}: the intended series comes first`);
    assert.match(r.noData!.message, /never received data: no such series in the record/);
    assert.match(
      r.noData!.message,
      /Nearest series in the record: AWS\/SQS ApproximateNumberOfMessagesVisible \{QueueName=vehicles-dlq-96e9fec\}/,
    );
    assert.is(r.state, "OK", `${r.alarm}: notBreaching hides the typo as OK, which is why it is reported`);
  }
  assert.match(typo.noData!.message, /^AWS\/SQS ApproximateNumberOfMessagesVisble \{QueueName=vehicles-dlq-96e9fec\}/);
  assert.is(right.datapointsSeen, 2);
  assert.is(right.samplesSeen, 90);
  assert.is(right.noData, undefined);
  assert.is(empty.noData?.seriesInRecord, true);
  assert.match(empty.noData!.message, /is in the record but never carried a value/);
});

test("the incremental monitor, fed second by second, makes exactly the whole record's transitions", () => {
  // 7 minutes of a noisy record: a gauge, a counter with bursts, a latency distribution with a slow spell and a gap,
  // under alarms of every statistic kind, 30 s to 5 min periods, M of N and three missing-data treatments.
  const lines: MetricLine[] = [];
  for (let t = T0 + 17; t < T0 + 17 + 420; t++) {
    const s = t - T0;
    lines.push(line(t, [Math.floor(s / 60) % 3 === 1 && s % 60 > 40 ? 3 : 0], { metric: "Depth" }));
    lines.push(line(t, [s % 53 === 0 || (s > 250 && s < 262) ? 2 : 0], { metric: "Errors" }));
    const latency = s > 120 && s < 180 ? [40, 45] : [s % 7, (s * 13) % 41];
    if (s < 200 || s > 290) lines.push(line(t, latency, { metric: "Latency", unit: "Milliseconds" }));
  }
  const alarms = [
    alarm({ metricName: "Depth" }),
    alarm({
      metricName: "Errors",
      statistic: "Sum",
      period: 300,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 12,
    }),
    alarm({
      metricName: "Latency",
      statistic: undefined,
      extendedStatistic: "p90",
      threshold: 35,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    }),
    alarm({
      metricName: "Latency",
      statistic: "Average",
      threshold: 12,
      evaluationPeriods: 2,
      treatMissingData: "breaching",
    }),
    alarm({
      metricName: "Latency",
      statistic: "SampleCount",
      threshold: 55,
      period: 30,
      unit: "Milliseconds",
      treatMissingData: "ignore",
    }),
  ].map((a, i) => ({ ...a, name: `alarm-${i}` }));

  const whole = evaluateRecord(alarms, lines);
  const monitor = new AlarmMonitor(alarms);
  const live: StateTransition[] = [];
  for (let t = T0 + 17; t < T0 + 17 + 420; t++)
    live.push(
      ...monitor.update(
        lines.filter((l) => l.t === t),
        t,
      ),
    );
  live.push(...monitor.finish());
  const flat = whole.flatMap((r) => r.transitions).sort((a, b) => a.at - b.at || a.alarm.localeCompare(b.alarm));
  assert.ok(flat.length >= 12, `a record that exercises the alarms (${flat.length} transitions)`);
  assert.equal(
    live.sort((a, b) => a.at - b.at || a.alarm.localeCompare(b.alarm)),
    flat,
  );
  assert.equal(monitor.report(), whole);
  assert.equal(
    monitor.statuses().map((s) => s.state),
    whole.map((r) => r.state),
  );
  assert.throws(
    () => monitor.update([]),
    (e: unknown) => e instanceof MonitorFinishedError,
  );
});

test("a run shorter than a minute is still judged: the closing evaluation takes the open minute as it stands", () => {
  const lines = run(T0 + 5, 30, (t) => (t >= T0 + 20 ? [3] : [0]), { metric: "Depth" });
  const monitor = new AlarmMonitor([alarm({ metricName: "Depth" })]);
  assert.equal(monitor.update(lines), [], "no minute boundary has passed");
  assert.equal(monitor.statuses()[0]!.state, "INSUFFICIENT_DATA");
  const [closing] = monitor.finish();
  assert.equal([closing?.to, closing?.at], ["ALARM", T0 + 60]);
  assert.is(
    closing?.reason,
    "Threshold Crossed: 1 datapoint [3.0 (04/12/26 15:30:00)] was greater than the threshold (0.0).",
  );
  assert.equal(monitor.finish(), [], "finishing twice changes nothing");
});

/**
 * The dev stack's alarms over 40 seconds as the embedded cloud records them: queue gauges, Lambda counters and,
 * once the table has taken a PutItem, DynamoDB's ThrottledRequests declared at zero. The DLQ shows 3 visible
 * messages from 15:30:15 to :34.
 */
async function devStackRun() {
  const stack = await devStack();
  const resources = ofType(stack, METRIC_ALARM_TYPE);
  const alarms = resources.map((r) => alarmFromInputs(r.state.name as string, r.inputs));
  const byKey = (key: string) => alarms.find((a) => a.name.startsWith(`alarms-${key}-`))!;
  const dlqAlarm = byKey("dlq-not-empty");
  const queueName = byKey("oldest-message-age").dimensions.QueueName!;
  const dlqName = dlqAlarm.dimensions.QueueName!;
  const functionName = byKey("consumer-errors").dimensions.FunctionName!;
  const tableName = byKey("table-throttles").dimensions.TableName!;
  const from = T0 + 5;
  const series = (
    namespace: string,
    metric: string,
    dimensions: Record<string, string>,
    value: (t: number) => number,
  ) => run(from, 40, (t) => [value(t)], { namespace, metric, dimensions });
  const lines = [
    ...series("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: dlqName }, (t) =>
      t >= T0 + 15 && t < T0 + 35 ? 3 : 0,
    ),
    ...series("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: queueName }, () => 40),
    ...series("AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: queueName }, () => 1),
    ...series("AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: dlqName }, (t) => (t >= T0 + 15 ? 12 : 0)),
    ...series("AWS/Lambda", "Errors", { FunctionName: functionName }, () => 0),
    ...series("AWS/Lambda", "Throttles", { FunctionName: functionName }, () => 0),
    ...series("AWS/DynamoDB", "ThrottledRequests", { TableName: tableName, Operation: "PutItem" }, () => 0),
  ].sort((a, b) => a.t - b.t);

  const reports = evaluateRecord(alarms, lines);
  return { stack, resources, alarms, dlqAlarm, dlqName, reports };
}

test("the dev stack's five alarms: each parses, and a DLQ holding 3 messages for 20 s fires only dlq-not-empty", async () => {
  const { resources, alarms, reports } = await devStackRun();
  assert.is(resources.length, 5);
  assert.equal(
    alarms.map((a) => [a.namespace, a.metricName, a.statistic, a.period, a.treatMissingData]),
    resources.map((r) => [
      r.inputs.namespace,
      r.inputs.metricName,
      r.inputs.statistic,
      r.inputs.period,
      "notBreaching",
    ]),
  );
  assert.equal(
    reports.map((r) => [r.alarm.replace(/-[0-9a-f]{7}$/, ""), r.state]),
    [
      ["alarms-dlq-not-empty", "ALARM"],
      ["alarms-oldest-message-age", "OK"],
      ["alarms-consumer-errors", "OK"],
      ["alarms-consumer-throttles", "OK"],
      ["alarms-table-throttles", "OK"],
    ],
  );
  const dlq = reports[0]!;
  assert.equal(
    dlq.transitions.map((t) => [t.from, t.to, t.at - T0, t.reason]),
    [
      [
        "INSUFFICIENT_DATA",
        "ALARM",
        60,
        "Threshold Crossed: 1 datapoint [3.0 (04/12/26 15:30:00)] was greater than the threshold (0.0).",
      ],
    ],
  );
  for (const r of reports) assert.ok(r.datapointsSeen > 0, `${r.alarm} watches a series the embedded cloud records`);
});

test("the dev stack's DLQ alarm notifies the alarm topic with its runbook description", async () => {
  const { stack, dlqAlarm, dlqName, reports } = await devStackRun();
  const dlq = reports[0]!;
  const topic = stack.outputs.alarmTopicArn as string;
  assert.equal(notificationTargets(dlqAlarm, dlq.transitions[0]!), [topic]);
  const message = alarmNotification(dlqAlarm, dlq.transitions[0]!, {
    accountId: "123456789012",
    region: "us-east-1",
    configurationUpdatedAt: T0,
  });
  assert.match(message.AlarmDescription!, /When the DLQ alarm fires/);
  assert.equal(message.Trigger.Dimensions, [{ value: dlqName, name: "QueueName" }]);
  assert.is(message.Trigger.DatapointsToAlarm, undefined, "the stack's alarms leave DatapointsToAlarm unset");
  assert.is(message.Trigger.TreatMissingData, "notBreaching");
});

test.run();
