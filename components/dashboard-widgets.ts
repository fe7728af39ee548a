import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import {
  CONSUMER_METRICS,
  CONSUMER_NAMESPACE,
  CONSUMER_SERVICE_NAME,
  REASON_DIMENSION,
  SERVICE_DIMENSION,
  VALIDATION_CODES,
} from "../contracts";
import { DLQ_RUNBOOK_POINTER } from "./runbook";

const cloudwatch = awsx.classic.cloudwatch;
type Metric = awsx.classic.cloudwatch.Metric;
type Widget = awsx.classic.cloudwatch.Widget;

/**
 * The names the dashboard watches. Plain strings in tests and on the local page, Outputs in the program.
 * Only names, never resources: CloudWatch metrics are addressed by dimension values, and the local cloud has no
 * Pulumi resources to hand over.
 */
export interface DashboardTargets {
  queueName: pulumi.Input<string>;
  dlqName: pulumi.Input<string>;
  functionName: pulumi.Input<string>;
  tableName: pulumi.Input<string>;
}

/**
 * One minute is the finest period SQS, Lambda and DynamoDB publish at (standard resolution) and the shortest
 * awsx accepts on a dashboard; a load test lasts minutes, so coarser periods would hide the ramp.
 */
export const DASHBOARD_PERIOD_SECONDS = 60;

/** The consumer's EMF metrics: Powertools adds `service` to every metric as a default dimension. */
const consumerDimensions = { [SERVICE_DIMENSION]: CONSUMER_SERVICE_NAME };

/**
 * Every metric is a plain `[namespace, name, dimName, dimValue, {stat, label, period}]` array: no metric math and no
 * SEARCH, so the local dashboard can draw each line from the per-second record without an expression evaluator.
 * That is also why ValidationFailures gets one line per Reason: the consumer emits it only with a Reason dimension
 * (handlers/batch-metrics.ts), and a total would need SUM(SEARCH(...)).
 */
function line(metric: Metric, statistic: "Sum" | "Average" | "Maximum" | number, label: string): Metric {
  const withStat =
    typeof statistic === "number" ? metric.withExtendedStatistic(statistic) : metric.withStatistic(statistic);
  return withStat.withPeriod(DASHBOARD_PERIOD_SECONDS).withLabel(label);
}

function consumerMetric(name: string, dimensions: Record<string, string> = {}): Metric {
  return new cloudwatch.Metric({
    namespace: CONSUMER_NAMESPACE,
    name,
    dimensions: { ...consumerDimensions, ...dimensions },
  });
}

function graph(title: string, metrics: Metric[], width = 8): Widget {
  return new cloudwatch.LineGraphMetricWidget({ title, metrics, width, height: 6, period: DASHBOARD_PERIOD_SECONDS });
}

function singleNumber(title: string, metrics: Metric[], width = 6): Widget {
  return new cloudwatch.SingleNumberMetricWidget({
    title,
    metrics,
    width,
    height: 6,
    period: DASHBOARD_PERIOD_SECONDS,
  });
}

function heading(markdown: string): Widget {
  return new cloudwatch.TextWidget({ markdown, width: 24, height: 1 });
}

/**
 * The pipeline's dashboard, row by row: SQS, Lambda, DynamoDB, then the consumer's own metrics. Built from the awsx
 * metric helpers, which know each service's namespace and metric names; dimensions are given by name because the
 * helpers' `queue`/`function`/`table` options want resources and the local page only has names.
 */
export function pipelineDashboardRows(targets: DashboardTargets): awsx.classic.cloudwatch.RowWidget[] {
  const { sqs, lambda, dynamodb } = awsx.classic;
  const queue = { dimensions: { QueueName: targets.queueName } };
  const dlq = { dimensions: { QueueName: targets.dlqName } };
  const fn = { dimensions: { FunctionName: targets.functionName } };
  const table = { dimensions: { TableName: targets.tableName } };
  // The consumer only writes with PutItem; ThrottledRequests and SuccessfulRequestLatency are published per Operation.
  const putItem = { dimensions: { TableName: targets.tableName, Operation: "PutItem" } };

  return [
    new cloudwatch.RowWidget(heading("## Queue (SQS): what arrives, what waits, what is dead-lettered")),
    new cloudwatch.RowWidget(
      graph(
        "Messages sent, received, deleted",
        [
          line(sqs.metrics.numberOfMessagesSent(queue), "Sum", "Sent"),
          line(sqs.metrics.numberOfMessagesReceived(queue), "Sum", "Received"),
          line(sqs.metrics.numberOfMessagesDeleted(queue), "Sum", "Deleted"),
        ],
        6,
      ),
      graph(
        "Queue depth",
        [
          line(sqs.metrics.approximateNumberOfMessagesVisible(queue), "Maximum", "Visible"),
          line(sqs.metrics.approximateNumberOfMessagesNotVisible(queue), "Maximum", "In flight"),
        ],
        6,
      ),
      graph(
        "Age of oldest message (s)",
        [line(sqs.metrics.approximateAgeOfOldestMessage(queue), "Maximum", "Oldest message age")],
        6,
      ),
      singleNumber(
        "Dead-letter queue: messages visible",
        [line(sqs.metrics.approximateNumberOfMessagesVisible(dlq), "Maximum", "DLQ visible")],
        6,
      ),
      new cloudwatch.TextWidget({ markdown: `**Dead letters?** ${DLQ_RUNBOOK_POINTER}`, width: 6, height: 6 }),
    ),
    new cloudwatch.RowWidget(
      heading("## Consumer (Lambda): invocations, failures, duration and how far it scaled out"),
    ),
    new cloudwatch.RowWidget(
      graph("Invocations, errors, throttles", [
        line(lambda.metrics.invocations(fn), "Sum", "Invocations"),
        line(lambda.metrics.errors(fn), "Sum", "Errors"),
        line(lambda.metrics.throttles(fn), "Sum", "Throttles"),
      ]),
      graph("Duration (ms)", [
        line(lambda.metrics.duration(fn), 50, "p50"),
        line(lambda.metrics.duration(fn), 90, "p90"),
        line(lambda.metrics.duration(fn), 99, "p99"),
      ]),
      graph("Concurrent executions", [
        line(lambda.metrics.concurrentExecutions(fn), "Maximum", "Concurrent executions"),
      ]),
    ),
    new cloudwatch.RowWidget(heading("## Table (DynamoDB): write capacity, throttling, PutItem latency")),
    new cloudwatch.RowWidget(
      graph("Consumed write capacity units", [
        line(dynamodb.metrics.consumedWriteCapacityUnits(table), "Sum", "Consumed WCU"),
      ]),
      // Throttling and DynamoDB's own failures, which the consumer retries: SystemErrors (5xx) per table and operation,
      // UserErrors (4xx, throttling included) for the account and region, without dimensions.
      graph("PutItem throttles and errors", [
        line(dynamodb.metrics.throttledRequests(putItem), "Sum", "Throttled requests"),
        line(dynamodb.metrics.systemErrors(putItem), "Sum", "System errors (5xx)"),
        line(dynamodb.metrics.userErrors(), "Sum", "User errors (4xx, account)"),
      ]),
      graph("PutItem latency (ms)", [
        line(dynamodb.metrics.successfulRequestLatency(putItem), "Average", "Average"),
        line(dynamodb.metrics.successfulRequestLatency(putItem), "Maximum", "Maximum"),
      ]),
    ),
    new cloudwatch.RowWidget(
      heading(
        `## Vehicles (${CONSUMER_NAMESPACE}, service=${CONSUMER_SERVICE_NAME}): what the consumer did with each message`,
      ),
    ),
    new cloudwatch.RowWidget(
      graph(
        "Outcomes",
        [
          line(consumerMetric(CONSUMER_METRICS.stored), "Sum", "Stored"),
          line(consumerMetric(CONSUMER_METRICS.duplicates), "Sum", "Duplicates skipped"),
          line(consumerMetric(CONSUMER_METRICS.transientFailures), "Sum", "Transient failures"),
          line(consumerMetric(CONSUMER_METRICS.storeRejections), "Sum", "Store rejections (to the DLQ)"),
          line(consumerMetric(CONSUMER_METRICS.unexpectedErrors), "Sum", "Unexpected errors (bugs, to the DLQ)"),
        ],
        6,
      ),
      graph(
        "Validation failures by reason",
        VALIDATION_CODES.map((code) =>
          line(consumerMetric(CONSUMER_METRICS.validationFailures, { [REASON_DIMENSION]: code }), "Sum", code),
        ),
        6,
      ),
      graph(
        "End-to-end latency, sent to stored (ms)",
        [
          line(consumerMetric(CONSUMER_METRICS.endToEndLatency), 50, "p50"),
          line(consumerMetric(CONSUMER_METRICS.endToEndLatency), 99, "p99"),
        ],
        6,
      ),
      // A graph, not a single number: a single number shows only the latest period, where a scale-out's cold starts
      // are long gone; over time they line up with the concurrency graph above.
      graph("Cold starts", [line(consumerMetric(CONSUMER_METRICS.coldStart), "Sum", "Cold starts")], 6),
    ),
  ];
}

/** One entry of a widget's `metrics` array, as CloudWatch and the local dashboard read it. */
export type DashboardMetricArray = [
  namespace: string,
  metricName: string,
  ...dimensionsAndOptions: (string | DashboardMetricOptions)[],
];
export interface DashboardMetricOptions {
  stat: string;
  label?: string;
  period?: number;
  visible?: boolean;
  yAxis?: "left" | "right";
}
export interface DashboardWidgetJson {
  x: number;
  y: number;
  width: number;
  height: number;
  type: "metric" | "text";
  properties: {
    title?: string;
    markdown?: string;
    metrics?: DashboardMetricArray[];
    view?: "timeSeries" | "singleValue";
    stacked?: boolean;
    period?: number;
    region?: string;
    stat?: string;
  };
}
/** The `dashboardBody` JSON (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html). */
export interface DashboardBody {
  widgets: DashboardWidgetJson[];
}

/**
 * The dashboard body for these targets, laid out exactly as awsx's Dashboard lays out the same rows (one column of
 * rows, each wrapping at 24 grid units). For the local dashboard and tests, which need the JSON without a deployment;
 * the program's Dashboard resource computes the same body itself (tests/observability-infra.test.ts compares them).
 */
function dashboardBodyFor(targets: DashboardTargets, region: pulumi.Input<string>): pulumi.Output<DashboardBody> {
  const widgets: awsx.classic.cloudwatch.WidgetJson[] = [];
  new cloudwatch.ColumnWidget(...pipelineDashboardRows(targets)).addWidgetJson(
    widgets,
    0,
    0,
    pulumi.output(region) as pulumi.Output<never>,
  );
  // Round-tripping through JSON drops the undefined properties, as the Dashboard resource's JSON.stringify does.
  return pulumi.output({ widgets }).apply((body) => JSON.parse(JSON.stringify(body)) as DashboardBody);
}

/** Resolves dashboardBodyFor outside a Pulumi program (plain names in, plain JSON out). */
export function renderDashboardBody(
  targets: { [K in keyof DashboardTargets]: string },
  region: string,
): Promise<DashboardBody> {
  return new Promise((resolve) => dashboardBodyFor(targets, region).apply(resolve));
}

/** The CloudWatch console page of a dashboard (the same form awsx's Dashboard.url uses). */
export function dashboardConsoleUrl(region: string, dashboardName: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${dashboardName}`;
}

/** The X-Ray trace map in the CloudWatch console, where the function's active tracing shows SQS -> Lambda -> DynamoDB. */
export function traceMapUrl(region: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#xray:service-map/map`;
}
