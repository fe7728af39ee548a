import type { Metrics } from "@aws-lambda-powertools/metrics";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { CONSUMER_METRICS, REASON_DIMENSION } from "../contracts/metric-names";
import { type RejectionCode, VALIDATION_CODES } from "../contracts/rejection-codes";

/**
 * What one invocation did, counted while records are processed in parallel and published once at the end.
 * A plain object, not a class: Pulumi's closure serializer rebuilds a class from its constructor's source,
 * which does not contain class field initializers, so their fields would be missing in the deployed handler.
 */
export interface BatchTally {
  stored: number;
  duplicates: number;
  transientFailures: number;
  /** Every record dead-lettered on its first receive, by rejection code. */
  rejections: Map<RejectionCode, number>;
  /** SentTimestamp to stored, per stored record, in ms. */
  latenciesMs: number[];
}

export function newBatchTally(): BatchTally {
  return { stored: 0, duplicates: 0, transientFailures: 0, rejections: new Map(), latenciesMs: [] };
}

export function countRejection(tally: BatchTally, code: RejectionCode): void {
  tally.rejections.set(code, (tally.rejections.get(code) ?? 0) + 1);
}

export function rejectedCount(tally: BatchTally): number {
  let total = 0;
  for (const n of tally.rejections.values()) total += n;
  return total;
}

/**
 * Add the tally and flush, all synchronously: nothing else can run between the adds and the flush, so two
 * invocations sharing one Metrics object (the local cloud can run several in one process) never mix their
 * numbers. Counters are emitted even when zero so alarms and sums see a datapoint for every invocation.
 * A rejection counts under the metric its code belongs to: an invalid message under ValidationFailures, per Reason
 * only (one EMF document each, so summing its series never double counts); a write DynamoDB refused for good under
 * StoreRejections; a bug of the consumer's own under UnexpectedErrors, so no operator reads a bug as bad input.
 */
export function publishBatchMetrics(metrics: Metrics, tally: BatchTally): void {
  metrics.addMetric(CONSUMER_METRICS.stored, MetricUnit.Count, tally.stored);
  metrics.addMetric(CONSUMER_METRICS.duplicates, MetricUnit.Count, tally.duplicates);
  metrics.addMetric(CONSUMER_METRICS.transientFailures, MetricUnit.Count, tally.transientFailures);
  metrics.addMetric(CONSUMER_METRICS.storeRejections, MetricUnit.Count, tally.rejections.get("STORE_REJECTED") ?? 0);
  metrics.addMetric(CONSUMER_METRICS.unexpectedErrors, MetricUnit.Count, tally.rejections.get("CONSUMER_ERROR") ?? 0);
  for (const latency of tally.latenciesMs)
    metrics.addMetric(CONSUMER_METRICS.endToEndLatency, MetricUnit.Milliseconds, latency);
  for (const [code, count] of tally.rejections) {
    if (!VALIDATION_CODES.includes(code)) continue;
    const single = metrics.singleMetric();
    single.addDimension(REASON_DIMENSION, code);
    single.addMetric(CONSUMER_METRICS.validationFailures, MetricUnit.Count, count);
  }
  metrics.publishStoredMetrics();
}
