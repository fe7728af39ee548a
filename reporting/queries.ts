import {
  CONSUMER_METRICS,
  DYNAMODB_METRICS,
  LAMBDA_METRICS,
  LOGS_METRICS,
  MAPPING_METRICS,
  REASON_DIMENSION,
  SERVICE_DIMENSION,
  SQS_METRICS,
} from "../contracts";
import type { MetricSelector, SeriesPoint, Statistic } from "../metrics";

/**
 * The series the report reads, named once. The local record and CloudWatch both answer these queries,
 * so everything after fetching (charts, observations, cost) is the same code for both.
 */

export interface PipelineNames {
  queueName: string;
  dlqName: string;
  functionName: string;
  tableName: string;
  /** Powertools' `service` dimension on the consumer's EMF metrics. */
  service: string;
  /** Namespace of the consumer's EMF metrics. */
  namespace: string;
}

export interface SeriesQuery extends MetricSelector {
  id: string;
  stat: Statistic;
}

export type ReportSeriesId =
  | "sent"
  | "received"
  | "deleted"
  | "emptyReceives"
  | "visible"
  | "inFlight"
  | "age"
  | "dlqVisible"
  | "dlqSent"
  | "invocations"
  | "errors"
  | "throttles"
  | "concurrency"
  | "durationSum"
  | "durationP50"
  | "durationP99"
  | "wcu"
  | "stored"
  | "duplicates"
  | "validationFailures"
  | "storeRejections"
  | "unexpectedErrors"
  | "transientFailures"
  | "coldStarts"
  | "latencyP50"
  | "latencyP90"
  | "latencyP99"
  | "latencyCount"
  | "logBytes"
  | "logEvents"
  | "batchReaders";

export function reportQueries(names: PipelineNames): Record<ReportSeriesId, SeriesQuery> {
  const sqs = (id: string, metric: string, queue: string, stat: Statistic): SeriesQuery => ({
    id,
    namespace: SQS_METRICS.namespace,
    metric,
    dimensions: { QueueName: queue },
    stat,
  });
  const fn = (id: string, metric: string, stat: Statistic): SeriesQuery => ({
    id,
    namespace: LAMBDA_METRICS.namespace,
    metric,
    dimensions: { FunctionName: names.functionName },
    stat,
  });
  const own = (id: string, metric: string, stat: Statistic, pooledDimensions?: string[]): SeriesQuery => ({
    id,
    namespace: names.namespace,
    metric,
    dimensions: { [SERVICE_DIMENSION]: names.service },
    stat,
    ...(pooledDimensions ? { pooledDimensions } : {}),
  });
  const logs = (id: string, metric: string): SeriesQuery => ({
    id,
    namespace: LOGS_METRICS.namespace,
    metric,
    dimensions: { LogGroupName: `/aws/lambda/${names.functionName}` },
    stat: "Sum",
  });
  return {
    sent: sqs("sent", SQS_METRICS.sent, names.queueName, "Sum"),
    received: sqs("received", SQS_METRICS.received, names.queueName, "Sum"),
    deleted: sqs("deleted", SQS_METRICS.deleted, names.queueName, "Sum"),
    emptyReceives: sqs("emptyReceives", SQS_METRICS.emptyReceives, names.queueName, "Sum"),
    visible: sqs("visible", SQS_METRICS.visible, names.queueName, "Maximum"),
    inFlight: sqs("inFlight", SQS_METRICS.notVisible, names.queueName, "Maximum"),
    age: sqs("age", SQS_METRICS.oldestAge, names.queueName, "Maximum"),
    dlqVisible: sqs("dlqVisible", SQS_METRICS.visible, names.dlqName, "Maximum"),
    dlqSent: sqs("dlqSent", SQS_METRICS.sent, names.dlqName, "Sum"),
    invocations: fn("invocations", LAMBDA_METRICS.invocations, "Sum"),
    errors: fn("errors", LAMBDA_METRICS.errors, "Sum"),
    throttles: fn("throttles", LAMBDA_METRICS.throttles, "Sum"),
    concurrency: fn("concurrency", LAMBDA_METRICS.concurrentExecutions, "Maximum"),
    durationSum: fn("durationSum", LAMBDA_METRICS.duration, "Sum"),
    durationP50: fn("durationP50", LAMBDA_METRICS.duration, "p50"),
    durationP99: fn("durationP99", LAMBDA_METRICS.duration, "p99"),
    wcu: {
      id: "wcu",
      namespace: DYNAMODB_METRICS.namespace,
      metric: DYNAMODB_METRICS.consumedWrites,
      dimensions: { TableName: names.tableName },
      stat: "Sum",
    },
    stored: own("stored", CONSUMER_METRICS.stored, "Sum"),
    duplicates: own("duplicates", CONSUMER_METRICS.duplicates, "Sum"),
    // The consumer emits ValidationFailures only with a Reason dimension; the report wants all reasons together.
    validationFailures: own("validationFailures", CONSUMER_METRICS.validationFailures, "Sum", [REASON_DIMENSION]),
    storeRejections: own("storeRejections", CONSUMER_METRICS.storeRejections, "Sum"),
    unexpectedErrors: own("unexpectedErrors", CONSUMER_METRICS.unexpectedErrors, "Sum"),
    transientFailures: own("transientFailures", CONSUMER_METRICS.transientFailures, "Sum"),
    coldStarts: own("coldStarts", CONSUMER_METRICS.coldStart, "Sum"),
    latencyP50: own("latencyP50", CONSUMER_METRICS.endToEndLatency, "p50"),
    latencyP90: own("latencyP90", CONSUMER_METRICS.endToEndLatency, "p90"),
    latencyP99: own("latencyP99", CONSUMER_METRICS.endToEndLatency, "p99"),
    latencyCount: own("latencyCount", CONSUMER_METRICS.endToEndLatency, "SampleCount"),
    // The log group MonitoredFunction creates, named as Lambda names it.
    logBytes: logs("logBytes", LOGS_METRICS.incomingBytes),
    logEvents: logs("logEvents", LOGS_METRICS.incomingLogEvents),
    // The embedded cloud's scaling model only: a deployed stack has no such series, and the chart leaves it out.
    batchReaders: {
      id: "batchReaders",
      namespace: MAPPING_METRICS.namespace,
      metric: MAPPING_METRICS.batchReaders,
      dimensions: { FunctionName: names.functionName },
      stat: "Maximum",
    },
  };
}

/**
 * Messages the consumer dead-lettered on their first receive, whatever the reason: invalid, refused by the table for
 * good, or failed by a bug. Undefined when the source has none of the three.
 */
export function consumerRejections(totals: Partial<Record<ReportSeriesId, number | undefined>>): number | undefined {
  const parts = [totals.validationFailures, totals.storeRejections, totals.unexpectedErrors];
  if (parts.every((n) => n === undefined)) return undefined;
  return parts.reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

export interface TimeRange {
  /** Epoch seconds, inclusive. */
  start: number;
  /** Epoch seconds, exclusive. */
  end: number;
}

/**
 * Where the numbers come from. `series` answers per period (for charts); `totals` answers one statistic
 * over the whole range (a run's p99 is not an average of per-minute p99s). Missing data is an empty
 * series or an undefined total, never zero.
 */
export interface MetricsSource {
  readonly kind: "local record" | "CloudWatch";
  series(queries: readonly SeriesQuery[], range: TimeRange, period: number): Promise<Record<string, SeriesPoint[]>>;
  totals(queries: readonly SeriesQuery[], range: TimeRange): Promise<Record<string, number | undefined>>;
}
