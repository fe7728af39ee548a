/**
 * The consumer's CloudWatch names (EMF): the dashboard, the alarms, the local record, the report and the cost model
 * read them here. Serialized into the Lambda archive with the consumer: plain values only. AWS's own metric names are
 * in aws-metric-names.ts.
 */

/** The consumer's EMF namespace and its `service` dimension, unless its environment says otherwise. */
export const CONSUMER_NAMESPACE = "VehiclePipeline";
export const CONSUMER_SERVICE_NAME = "vehicle-consumer";
export const SERVICE_DIMENSION = "service";
/** ValidationFailures is published per Reason (a rejection code) only. */
export const REASON_DIMENSION = "Reason";

/** The consumer's metrics. Renaming one breaks every dashboard, alarm and query that reads it. */
export const CONSUMER_METRICS = {
  stored: "VehiclesStored",
  duplicates: "DuplicatesSkipped",
  /** Messages dead-lettered because they are invalid, per Reason. */
  validationFailures: "ValidationFailures",
  /** Messages dead-lettered because DynamoDB refused their write for good (STORE_REJECTED). */
  storeRejections: "StoreRejections",
  /** Messages dead-lettered because the consumer's own code failed on them (CONSUMER_ERROR): a bug. */
  unexpectedErrors: "UnexpectedErrors",
  transientFailures: "TransientFailures",
  endToEndLatency: "EndToEndLatency",
  /** Published by Powertools Metrics' captureColdStartMetric. */
  coldStart: "ColdStart",
} as const;
