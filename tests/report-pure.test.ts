import { test } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_LOCAL_ROOT, UsageError } from "../contracts";
import { parseReportArgs } from "../reporting/args";
import { costAlternatives, estimateCost, PRICES } from "../reporting/cost";
import { flattenParameters, usd, verificationRows } from "../reporting/markdown";
import { keyFigures, observations } from "../reporting/observations";
import type { ReportSeriesId } from "../reporting/queries";
import type { ReportData } from "../reporting/report-data";
import { chartPeriod } from "../reporting/report-data";

const NOW = new Date("2026-11-28T02:00:00Z");

/** A hand-made ReportData: every number below is chosen so the expected sentences can be worked out by hand. */
function data(overrides: Partial<ReportData> = {}): ReportData {
  const at = (values: number[]) => values.map((value, i) => ({ t: 1000 + i, value }));
  const series = {
    sent: at([10, 20, 20, 0, 0, 0, 0]),
    deleted: at([5, 15, 20, 10, 0, 0, 0]),
    received: at([5, 15, 20, 10, 0, 0, 0]),
    stored: at([5, 14, 19, 10, 0, 0, 0]),
    visible: at([5, 10, 10, 0, 0, 0, 0]),
    inFlight: at([5, 5, 5, 5, 0, 0, 0]),
    age: at([0, 1, 2, 1, 0, 0, 0]),
    concurrency: at([1, 2, 3, 2, 1, 0, 0]),
    invocations: at([1, 2, 2, 1, 0, 0, 0]),
    latencyP99: at([100, 900, 1500, 300]),
  } as Partial<Record<ReportSeriesId, { t: number; value: number }[]>>;
  const all = [
    "sent",
    "received",
    "deleted",
    "emptyReceives",
    "visible",
    "inFlight",
    "age",
    "dlqVisible",
    "dlqSent",
    "invocations",
    "errors",
    "throttles",
    "concurrency",
    "durationSum",
    "durationP50",
    "durationP99",
    "wcu",
    "stored",
    "duplicates",
    "validationFailures",
    "transientFailures",
    "coldStarts",
    "latencyP50",
    "latencyP90",
    "latencyP99",
    "latencyCount",
    "logBytes",
    "logEvents",
    "batchReaders",
  ] as const;
  return {
    sourceKind: "local record",
    origin: "test",
    runId: "t",
    range: { start: 1000, end: 1007 },
    period: 1,
    names: {
      queueName: "q",
      dlqName: "d",
      functionName: "f",
      tableName: "t",
      service: "s",
      namespace: "VehiclePipeline",
    },
    region: "us-east-1",
    settings: { maxConcurrency: 3, memorySizeMb: 1024, batchSize: 10 },
    settingsSource: "test",
    series: Object.fromEntries(all.map((id) => [id, series[id] ?? []])) as ReportData["series"],
    totals: {
      sent: 50,
      received: 50,
      stored: 48,
      validationFailures: 2,
      duplicates: 0,
      invocations: 6,
      durationSum: 3000,
      wcu: 48,
      latencyP50: 200,
      latencyP90: 800,
      latencyP99: 1400,
      dlqSent: 2,
      errors: 0,
      throttles: 0,
    } as ReportData["totals"],
    customMetricCount: 10,
    logs: [{ level: "INFO", message: "x".repeat(99) }],
    warnings: [],
    ...overrides,
  };
}

test("key figures: peaks, scale-in and drain from the series", () => {
  const f = keyFigures(data());
  assert.equal(f.peakConcurrency, { value: 3, t: 1002 });
  assert.is(f.scaledInAt, 1005);
  assert.equal(f.atPeak, { seconds: 1, first: 1002, last: 1002, meanProcessRate: 20 });
  assert.is(f.lastSend, 1002);
  assert.is(f.drainedAt, 1004); // visible 0 from 1003, in flight 0 from 1004
  assert.equal(f.peakVisible, { value: 10, t: 1001 });
  assert.equal(f.maxAge, { value: 2, t: 1002 });
  assert.equal(f.worstPeriodP99, { value: 1500, t: 1002 });
  assert.is(f.meanBatchSize, 50 / 6);
});

test("observations are sentences with the computed numbers", () => {
  const text = observations(data()).join("\n");
  assert.match(text, /sent 50 messages from \+0 s to \+2 s, peaking at 20\.0 messages per second at \+1 s/);
  assert.match(text, /peak of 3 \(the configured maximumConcurrency, 3\) at \+2 s/);
  assert.match(text, /back at 0 at \+5 s, 3 s after the last send/);
  assert.match(
    text,
    /At 3 concurrent executions \(1 s in all, between \+2 s and \+2 s\) the consumer finished 20\.0 messages per second on average\./,
  );
  assert.match(text, /empty, nothing in flight, at \+4 s: 2 s after the last send/);
  assert.match(text, /p50 200 ms, p90 800 ms, p99 1\.40 s/);
  assert.match(text, /48 stored \+ 2 dead-lettered = 50 sent/);
  const broken = observations(data({ totals: { ...data().totals, stored: 40 } })).join("\n");
  assert.match(broken, /do not add up: 50 sent, 40 stored and 2 dead-lettered leave 8 unaccounted for/);
  assert.equal(observations(data({ series: { ...data().series, sent: [] } })), [
    "No message was sent to the queue in this range: there is nothing to observe.",
  ]);
});

test("cost: quantities from the run, prices from the table", () => {
  const cost = estimateCost(data());
  const line = (item: string) => cost.lines.find((l) => l.item.startsWith(item))!;
  assert.is(line("SendMessageBatch").quantity, 5); // 50 messages / 10
  assert.is(line("Compute").quantity, 3); // 3000 ms x 1 GB
  assert.is(line("Compute").usd, 3 * PRICES.lambdaGbSecond.usd);
  assert.is(line("Write request units").usd, 48 * 0.625e-6);
  assert.is(line("Custom metrics").quantity, 10); // 10 series x 1 hour
  const withCalls = estimateCost(data({ producer: { calls: 7 } }));
  assert.is(withCalls.lines.find((l) => l.item.startsWith("SendMessageBatch"))!.quantity, 7);
  assert.is(
    cost.totalUsd,
    cost.lines.reduce((n, l) => n + l.usd, 0),
  );
  assert.is(cost.fixedUsd, line("Custom metrics").usd);
  assert.is(cost.usdPerMillionMessages, ((cost.totalUsd - cost.fixedUsd) / 50) * 1e6);
  const noMemory = estimateCost(data({ settings: {} }));
  assert.not.ok(noMemory.lines.some((l) => l.item.startsWith("Compute")));
  assert.ok(noMemory.assumptions.some((a) => /memory size/.test(a)));
});

test("cost: compute at the architecture's price, logs as CloudWatch ingests them, at each level", () => {
  const summary = {
    t: 1,
    source: "function",
    functionName: "f",
    environment: "e",
    level: "INFO",
    message: "batch processed",
    service: "vehicle-consumer",
    function_request_id: "5fea7756-0ea4-451a-a703-a558b933e274",
    records: 10,
    stored: 10,
    duplicates: 0,
    invalid: 0,
    failed: 0,
    durationMs: 12,
  };
  const measured = data({
    settings: { memorySizeMb: 1024, architecture: "arm64", logLevel: "INFO" },
    totals: { ...data().totals, logBytes: 100_000, logEvents: 300 },
    logs: [summary],
  });
  const declared = estimateCost(measured);
  assert.equal(declared.variant, { architecture: "arm64", logLevel: "INFO" });
  const compute = declared.lines.find((l) => l.item.startsWith("Compute"))!;
  assert.is(compute.usd, 3 * PRICES.lambdaGbSecondArm64.usd);
  assert.is(compute.item, "Compute at 1024 MB, arm64");
  const logs = declared.lines.find((l) => l.item === "Logs ingested")!;
  // IncomingBytes, plus what active tracing adds on AWS: a trace line in each of the 6 REPORT lines and a trace id
  // on the one Powertools line.
  const tracing = logs.quantity * 1024 ** 3 - 100_000;
  assert.ok(tracing > 6 * 60 + 40 && tracing < 6 * 100 + 60, `${tracing} B for active tracing`);
  assert.match(logs.basis, /IncomingBytes/);

  const alternatives = costAlternatives(measured);
  assert.equal(
    alternatives.map((a) => [a.architecture, a.logLevel, a.declared]),
    [
      ["arm64", "INFO", true],
      ["arm64", "DEBUG", false],
      ["x86_64", "INFO", false],
      ["x86_64", "DEBUG", false],
    ],
  );
  const [armInfo, armDebug, x86Info] = alternatives;
  assert.is(armInfo!.usdPerMillionMessages, declared.usdPerMillionMessages);
  // 48 stored records, each a DEBUG line built from the batch summary's keys with a record's fields.
  const debugLine = (armDebug!.logGb - armInfo!.logGb) * 1024 ** 3;
  assert.ok(debugLine / 48 > 250 && debugLine / 48 < 400, `${debugLine / 48} B per stored-record line`);
  assert.ok(armDebug!.usdPerMillionMessages! > armInfo!.usdPerMillionMessages!);
  assert.ok(
    Math.abs(
      x86Info!.usdPerMillionMessages! -
        armInfo!.usdPerMillionMessages! -
        ((3 * (PRICES.lambdaGbSecond.usd - PRICES.lambdaGbSecondArm64.usd)) / 50) * 1e6,
    ) < 1e-9,
    "x86_64 differs by the compute price alone",
  );
});

test("cost: a run that logged its stored records prices INFO without them", () => {
  const stored = {
    t: 1,
    source: "function",
    level: "DEBUG",
    message: "vehicle stored",
    outcome: "stored",
    messageId: "m",
  };
  const run = data({
    settings: { memorySizeMb: 1024, architecture: "x86_64", logLevel: "DEBUG" },
    totals: { ...data().totals, logBytes: 50_000, stored: 2 },
    logs: [stored, stored],
  });
  const [debug, info] = costAlternatives(run).filter((a) => a.architecture === "x86_64");
  assert.ok(debug!.declared);
  const lineBytes = Buffer.byteLength(
    JSON.stringify({ level: "DEBUG", message: "vehicle stored", outcome: "stored", messageId: "m" }),
  );
  assert.ok(Math.abs((debug!.logGb - info!.logGb) * 1024 ** 3 - 2 * lineBytes) < 1e-6);
});

test("verification: item-level from run.json, else derived from metrics", () => {
  const item = verificationRows(
    data({
      verification: {
        ok: true,
        sent: 50,
        storedCorrectly: 48,
        deadLetteredCorrectly: 2,
        lost: 0,
        duplicated: 0,
        problems: [],
        dlqByCode: { MISSING_FIELD: 2 },
      },
    }),
  );
  assert.ok(item.itemLevel);
  assert.equal(
    item.rows.slice(0, 5).map((r) => [r.label, r.value]),
    [
      ["Sent", "50"],
      ["Stored exactly once, content checked", "48"],
      ["In DLQ with the expected reason", "2"],
      ["Lost", "0"],
      ["Duplicated", "0"],
    ],
  );
  assert.equal(
    item.rows.slice(5).map((r) => [r.label, r.value]),
    [
      ["ok", "yes"],
      ["problems", "0"],
      ["dlqByCode", '{"MISSING_FIELD":2}'],
    ],
  );
  const derived = verificationRows(data({ totals: { ...data().totals, stored: 45 } }));
  assert.not.ok(derived.itemLevel);
  assert.equal(derived.rows.find((r) => r.label.startsWith("Lost"))?.value, "3");
});

test("formatting helpers", () => {
  assert.is(usd(0.0000176), "$0.0000176");
  assert.is(usd(1.234), "$1.23");
  assert.is(usd(0), "$0");
  assert.equal(flattenParameters({ a: { b: 1, c: [1, 2] }, d: "x" }), [
    ["a.b", "1"],
    ["a.c", "2 (1, 2)"],
    ["d", "x"],
  ]);
  assert.is(chartPeriod(120), 1);
  assert.is(chartPeriod(1200), 5);
  assert.is(chartPeriod(7200), 30);
});

test("report flags: local by default, CloudWatch with --stack or names", () => {
  assert.equal(parseReportArgs([], NOW), {
    target: { kind: "local", runDir: undefined, localRoot: DEFAULT_LOCAL_ROOT },
    outDir: "report",
    screenshot: false,
    help: false,
  });
  const cw = parseReportArgs(["--stack", "dev", "--since", "30m", "--region", "eu-west-1"], NOW);
  assert.is(cw.target.kind, "cloudwatch");
  if (cw.target.kind === "cloudwatch") {
    assert.is(cw.target.start.toISOString(), "2026-11-28T01:30:00.000Z");
    assert.is(cw.target.end.toISOString(), NOW.toISOString());
    assert.is(cw.target.period, 60);
    assert.is(cw.target.region, "eu-west-1");
  }
  const fails = (argv: string[], pattern: RegExp) =>
    assert.throws(
      () => parseReportArgs(argv, NOW),
      (e: unknown) => e instanceof UsageError && pattern.test((e as Error).message),
    );
  fails(["--queue-name", "q"], /missing --dlq-name, --function-name, --table-name/);
  fails(["--stack", "dev", "--period", "30"], /multiple of 60/);
  fails(["--stack", "dev", "--run", "x"], /cannot be combined/);
  fails(["--stack", "dev", "--since", "soon"], /^invalid --since "soon": expected a duration with a unit/);
  fails(["--stack", "dev", "--region", "Europe"], /^invalid --region "Europe"/);
  fails(["--region", "eu-west-1"], /only applies to a deployed stack/);
  fails(["--stack", "dev", "--start", "2026-11-28T03:00:00Z"], /must be before/);
  const day = parseReportArgs(["--stack", "dev", "--since", "1d"], NOW).target;
  assert.is(day.kind === "cloudwatch" && (day.end.getTime() - day.start.getTime()) / 1000, 86_400);
});

test("report flags: --reliability reads the campaign's runs, --rerun runs it first", () => {
  assert.equal(parseReportArgs(["--reliability"], NOW).target, {
    kind: "reliability",
    rerun: false,
    localRoot: DEFAULT_LOCAL_ROOT,
  });
  assert.equal(parseReportArgs(["--reliability", "--rerun", "--local-root", "x"], NOW).target, {
    kind: "reliability",
    rerun: true,
    localRoot: "x",
  });
  const fails = (argv: string[], pattern: RegExp) =>
    assert.throws(
      () => parseReportArgs(argv, NOW),
      (e: unknown) => e instanceof UsageError && pattern.test((e as Error).message),
    );
  fails(["--rerun"], /add --reliability/);
  fails(["--reliability", "--stack", "dev"], /takes only --rerun/);
  fails(["--reliability", "--run", "x"], /takes only --rerun/);
});

test.run();
