import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  ListMetricsCommand,
  type MetricDataResult,
} from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { MetricLine } from "../contracts";
import { computeStatistic, type MetricSelector, matchesSelector, parseStatistic } from "../metrics/aggregate";
import {
  cloudWatchReportData,
  namesFromStackOutputs,
  readStackOutputs,
  StackOutputsError,
} from "../reporting/cloudwatch-run";
import { CloudWatchReadError, toMetricDataQuery } from "../reporting/cloudwatch-source";
import { generateReport } from "../reporting/generate";
import { LocalMetricsSource } from "../reporting/local-source";
import { reportQueries } from "../reporting/queries";
import { SAMPLE_NAMES, sampleRun } from "./support/sample-run";

/**
 * The deployed-stack path of `npm run report`: GetMetricData answered by aws-sdk-client-mock from a sample
 * record, so the CloudWatch numbers can be checked against the same record read locally.
 */

const sample = sampleRun({ startT: 1_795_000_020 }); // starts on a minute boundary + 20 s
const NAMES = { ...SAMPLE_NAMES };
const cloudwatch = suite<{ tmp: string; mock: ReturnType<typeof mockClient> }>("report from CloudWatch (mocked)", {
  tmp: "",
  mock: undefined as never,
});

/**
 * A stand-in for CloudWatch over the sample's lines: MetricStat queries and SUM(SEARCH(...)) expressions,
 * buckets aligned to StartTime, paged with NextToken to exercise pagination.
 */
function answer(
  lines: readonly MetricLine[],
  input: GetMetricDataCommandInput,
): { MetricDataResults: MetricDataResult[]; NextToken?: string } {
  const start = Math.floor(input.StartTime!.getTime() / 1000);
  const end = Math.floor(input.EndTime!.getTime() / 1000);
  const queries = input.MetricDataQueries!;
  const half = Math.ceil(queries.length / 2);
  const page = input.NextToken === "page-2" ? queries.slice(half) : queries.slice(0, half);
  const results = page.map((q): MetricDataResult => {
    let selector: MetricSelector;
    let stat: string;
    let period: number;
    if (q.MetricStat) {
      const m = q.MetricStat.Metric!;
      selector = {
        namespace: m.Namespace!,
        metric: m.MetricName!,
        dimensions: Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name!, d.Value!])),
      };
      stat = q.MetricStat.Stat!;
      period = q.MetricStat.Period!;
    } else {
      // SUM(SEARCH('{Namespace,service,Reason} MetricName="ValidationFailures" service="vehicle-consumer"', 'Sum', 60))
      const match = /^SUM\(SEARCH\('\{([^}]+)\} MetricName="([^"]+)" (.*)', '(\w+)', (\d+)\)\)$/.exec(q.Expression!);
      assert.ok(match, `unexpected expression ${q.Expression}`);
      const [namespace, ...keys] = match![1]!.split(",");
      const dimensions = Object.fromEntries([...match![3]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
      selector = {
        namespace: namespace!,
        metric: match![2]!,
        dimensions,
        pooledDimensions: keys.filter((k) => !(k in dimensions)),
      };
      stat = match![4]!;
      period = Number(match![5]);
    }
    const buckets = new Map<number, number[]>();
    for (const line of lines) {
      if (line.t < start || line.t >= end || !matchesSelector(line, selector)) continue;
      const bucket = start + Math.floor((line.t - start) / period) * period;
      buckets.set(bucket, [...(buckets.get(bucket) ?? []), ...line.values]);
    }
    const points = [...buckets]
      .sort((a, b) => a[0] - b[0])
      .map(([t, values]) => [t, computeStatistic(values, parseStatistic(stat))!] as const);
    return {
      Id: q.Id,
      Timestamps: points.map(([t]) => new Date(t * 1000)),
      Values: points.map(([, v]) => v),
      StatusCode: "Complete",
    };
  });
  return { MetricDataResults: results, ...(input.NextToken === "page-2" ? {} : { NextToken: "page-2" }) };
}

cloudwatch.before((context) => {
  context.tmp = mkdtempSync(path.join(tmpdir(), "report-cloudwatch-"));
  context.mock = mockClient(CloudWatchClient);
  context.mock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => answer(sample.metrics, input));
  context.mock.on(ListMetricsCommand).resolves({
    Metrics: Array.from({ length: 12 }, (_, i) => ({ Namespace: "VehiclePipeline", MetricName: `m${i}` })),
  });
});

cloudwatch.after((context) => {
  context.mock.restore();
  rmSync(context.tmp, { recursive: true, force: true });
});

const range = () => {
  const first = sample.metrics[0]!.t;
  const last = sample.metrics[sample.metrics.length - 1]!.t;
  return { start: new Date(first * 1000), end: new Date((last + 1) * 1000) };
};

cloudwatch(
  "GetMetricData results become the report's series and totals, matching the record read locally",
  async ({ tmp, mock }) => {
    const { start, end } = range();
    const data = await cloudWatchReportData({
      client: new CloudWatchClient({
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      }),
      names: NAMES,
      region: "us-east-1",
      start,
      end,
      period: 60,
      settings: { memorySizeMb: 256, maxConcurrency: 8, batchSize: 10 },
      settingsSource: "test",
      origin: "stack test",
    });
    const v = sample.run.verification as Record<string, number>;
    assert.is(data.sourceKind, "CloudWatch");
    assert.is(data.totals.sent, v.sent);
    assert.is(data.totals.stored, v.stored);
    assert.is(data.totals.validationFailures, v.inDlq, "SUM(SEARCH) pools every Reason");
    assert.is(data.totals.concurrency, 8);
    assert.is(data.customMetricCount, 12);

    // Totals equal the local record's statistics over the same range (a whole-run p99, not an average of periods).
    const queries = Object.values(reportQueries(data.names));
    const local = await new LocalMetricsSource(sample.metrics).totals(queries, data.range);
    for (const q of queries) assert.is(data.totals[q.id as keyof typeof data.totals], local[q.id], q.id);

    // The 60 s series: the sample's ~23 s fall into one bucket that starts at StartTime.
    assert.equal(data.series.sent, [{ t: data.range.start, value: v.sent }]);

    const calls = mock.commandCalls(GetMetricDataCommand);
    assert.ok(
      calls.some((c) => c.args[0].input.NextToken === "page-2"),
      "pages through NextToken",
    );
    const periods = new Set(
      calls.flatMap((c) => c.args[0].input.MetricDataQueries!.map((q) => q.MetricStat?.Period ?? q.Period)),
    );
    assert.ok(periods.has(60));

    const result = await generateReport(data, { outDir: path.join(tmp, "out") });
    const md = readFileSync(result.markdownPath, "utf8");
    assert.match(md, /read from the CloudWatch \(stack test\)/);
    assert.match(md, /Derived from CloudWatch metrics/);
    assert.ok(md.includes(`| Sent | ${v.sent} |`));
    assert.ok(md.includes(`| Lost (sent − stored − DLQ) | 0 |`));
    assert.match(md, /Log excerpts are not read from CloudWatch Logs/);
  },
);

cloudwatch("queries: plain MetricStat, pooled dimensions as SUM(SEARCH()), percentiles refuse pooling", () => {
  const q = reportQueries({ ...NAMES, service: "vehicle-consumer", namespace: "VehiclePipeline" });
  assert.equal(toMetricDataQuery(q.durationP99, 60), {
    Id: "durationP99",
    MetricStat: {
      Metric: {
        Namespace: "AWS/Lambda",
        MetricName: "Duration",
        Dimensions: [{ Name: "FunctionName", Value: NAMES.functionName }],
      },
      Period: 60,
      Stat: "p99",
    },
    ReturnData: true,
  });
  assert.is(
    toMetricDataQuery(q.validationFailures, 300).Expression,
    `SUM(SEARCH('{VehiclePipeline,service,Reason} MetricName="ValidationFailures" service="vehicle-consumer"', 'Sum', 300))`,
  );
  assert.throws(
    () => toMetricDataQuery({ ...q.validationFailures, stat: "p99" }, 60),
    (e: unknown) => e instanceof CloudWatchReadError,
  );
});

cloudwatch("a refused GetMetricData call is a CloudWatchReadError naming the cause", async ({ mock }) => {
  mock.on(GetMetricDataCommand).rejects(new Error("AccessDenied: not authorized to perform cloudwatch:GetMetricData"));
  const { start, end } = range();
  try {
    await cloudWatchReportData({
      client: new CloudWatchClient({ region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } }),
      names: NAMES,
      region: "us-east-1",
      start,
      end,
      period: 60,
      settings: {},
      settingsSource: "test",
      origin: "x",
    });
    assert.unreachable("should have thrown");
  } catch (error) {
    assert.instance(error, CloudWatchReadError, String(error));
    assert.match((error as Error).message, /AccessDenied/);
  }
  mock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => answer(sample.metrics, input));
});

cloudwatch("stack outputs name the resources", () => {
  assert.equal(
    namesFromStackOutputs({
      queueUrl: "https://sqs.us-east-1.amazonaws.com/1/vq-1",
      dlqUrl: "https://sqs.us-east-1.amazonaws.com/1/vq-dlq-2",
      functionName: "c-3",
      tableName: "t-4",
    }),
    { queueName: "vq-1", dlqName: "vq-dlq-2", functionName: "c-3", tableName: "t-4" },
  );
  assert.throws(
    () => namesFromStackOutputs({ queueUrl: "x/q" }),
    (e: unknown) => e instanceof StackOutputsError && /dlqName, functionName, tableName/.test((e as Error).message),
  );
});

cloudwatch(
  "--stack without the Pulumi CLI on the PATH: an operator error saying so and what to pass instead",
  async () => {
    await readStackOutputs("dev", { PATH: path.join(tmpdir(), "no-pulumi-here") }).then(
      () => assert.unreachable("read outputs without a CLI"),
      (error: unknown) => {
        assert.instance(error, StackOutputsError);
        assert.match((error as Error).message, /stack "dev" .*: the pulumi CLI is not on the PATH/);
        assert.match((error as StackOutputsError).hint ?? "", /--queue-name/);
      },
    );
  },
);

cloudwatch.run();
