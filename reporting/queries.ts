import { CONSUMER_METRICS } from "../handlers/batch-metrics";
import type { MetricSelector, SeriesPoint, Statistic } from "../metrics/aggregate";

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
  | "transientFailures"
  | "coldStarts"
  | "latencyP50"
  | "latencyP90"
  | "latencyP99"
  | "latencyCount";

export function reportQueries(names: PipelineNames): Record<ReportSeriesId, SeriesQuery> {
  const sqs = (id: string, metric: string, queue: string, stat: Statistic): SeriesQuery => ({
    id,
    namespace: "AWS/SQS",
    metric,
    dimensions: { QueueName: queue },
    stat,
  });
  const fn = (id: string, metric: string, stat: Statistic): SeriesQuery => ({
    id,
    namespace: "AWS/Lambda",
    metric,
    dimensions: { FunctionName: names.functionName },
    stat,
  });
  const own = (id: string, metric: string, stat: Statistic, pooledDimensions?: string[]): SeriesQuery => ({
    id,
    namespace: names.namespace,
    metric,
    dimensions: { service: names.service },
    stat,
    ...(pooledDimensions ? { pooledDimensions } : {}),
  });
  return {
    sent: sqs("sent", "NumberOfMessagesSent", names.queueName, "Sum"),
    received: sqs("received", "NumberOfMessagesReceived", names.queueName, "Sum"),
    deleted: sqs("deleted", "NumberOfMessagesDeleted", names.queueName, "Sum"),
    emptyReceives: sqs("emptyReceives", "NumberOfEmptyReceives", names.queueName, "Sum"),
    visible: sqs("visible", "ApproximateNumberOfMessagesVisible", names.queueName, "Maximum"),
    inFlight: sqs("inFlight", "ApproximateNumberOfMessagesNotVisible", names.queueName, "Maximum"),
    age: sqs("age", "ApproximateAgeOfOldestMessage", names.queueName, "Maximum"),
    dlqVisible: sqs("dlqVisible", "ApproximateNumberOfMessagesVisible", names.dlqName, "Maximum"),
    dlqSent: sqs("dlqSent", "NumberOfMessagesSent", names.dlqName, "Sum"),
    invocations: fn("invocations", "Invocations", "Sum"),
    errors: fn("errors", "Errors", "Sum"),
    throttles: fn("throttles", "Throttles", "Sum"),
    concurrency: fn("concurrency", "ConcurrentExecutions", "Maximum"),
    durationSum: fn("durationSum", "Duration", "Sum"),
    durationP50: fn("durationP50", "Duration", "p50"),
    durationP99: fn("durationP99", "Duration", "p99"),
    wcu: {
      id: "wcu",
      namespace: "AWS/DynamoDB",
      metric: "ConsumedWriteCapacityUnits",
      dimensions: { TableName: names.tableName },
      stat: "Sum",
    },
    stored: own("stored", CONSUMER_METRICS.stored, "Sum"),
    duplicates: own("duplicates", CONSUMER_METRICS.duplicates, "Sum"),
    // The consumer emits ValidationFailures only with a Reason dimension; the report wants all reasons together.
    validationFailures: own("validationFailures", CONSUMER_METRICS.validationFailures, "Sum", ["Reason"]),
    transientFailures: own("transientFailures", CONSUMER_METRICS.transientFailures, "Sum"),
    coldStarts: own("coldStarts", "ColdStart", "Sum"),
    latencyP50: own("latencyP50", CONSUMER_METRICS.endToEndLatency, "p50"),
    latencyP90: own("latencyP90", CONSUMER_METRICS.endToEndLatency, "p90"),
    latencyP99: own("latencyP99", CONSUMER_METRICS.endToEndLatency, "p99"),
    latencyCount: own("latencyCount", CONSUMER_METRICS.endToEndLatency, "SampleCount"),
  };
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
