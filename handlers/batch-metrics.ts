import type { Metrics } from "@aws-lambda-powertools/metrics";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { ValidationErrorCode } from "./errors";

/** The EMF namespace and service dimension the consumer publishes under, unless its environment says otherwise. */
export const METRICS_NAMESPACE = "VehiclePipeline";
export const CONSUMER_SERVICE_NAME = "vehicle-consumer";

/** Names shared with the dashboard, the alarms and the local per-second record: change them together. */
export const CONSUMER_METRICS = {
  stored: "VehiclesStored",
  duplicates: "DuplicatesSkipped",
  validationFailures: "ValidationFailures",
  transientFailures: "TransientFailures",
  endToEndLatency: "EndToEndLatency",
} as const;

/**
 * What one invocation did, counted while records are processed in parallel and published once at the end.
 * A plain object, not a class: Pulumi's closure serializer rebuilds a class from its constructor's source,
 * which does not contain class field initializers, so their fields would be missing in the deployed handler.
 */
export interface BatchTally {
  stored: number;
  duplicates: number;
  transientFailures: number;
  validationFailures: Map<ValidationErrorCode, number>;
  /** SentTimestamp to stored, per stored record, in ms. */
  latenciesMs: number[];
}

export function newBatchTally(): BatchTally {
  return { stored: 0, duplicates: 0, transientFailures: 0, validationFailures: new Map(), latenciesMs: [] };
}

export function countValidationFailure(tally: BatchTally, code: ValidationErrorCode): void {
  tally.validationFailures.set(code, (tally.validationFailures.get(code) ?? 0) + 1);
}

/**
 * Add the tally and flush, all synchronously: nothing else can run between the adds and the flush, so two
 * invocations sharing one Metrics object (the local cloud can run several in one process) never mix their
 * numbers. Counters are emitted even when zero so alarms and sums see a datapoint for every invocation.
 * ValidationFailures goes out per Reason only (one EMF document each), so summing its series never double counts.
 */
export function publishBatchMetrics(metrics: Metrics, tally: BatchTally): void {
  metrics.addMetric(CONSUMER_METRICS.stored, MetricUnit.Count, tally.stored);
  metrics.addMetric(CONSUMER_METRICS.duplicates, MetricUnit.Count, tally.duplicates);
  metrics.addMetric(CONSUMER_METRICS.transientFailures, MetricUnit.Count, tally.transientFailures);
  for (const latency of tally.latenciesMs)
    metrics.addMetric(CONSUMER_METRICS.endToEndLatency, MetricUnit.Milliseconds, latency);
  for (const [code, count] of tally.validationFailures) {
    const single = metrics.singleMetric();
    single.addDimension("Reason", code);
    single.addMetric(CONSUMER_METRICS.validationFailures, MetricUnit.Count, count);
  }
  metrics.publishStoredMetrics();
}
