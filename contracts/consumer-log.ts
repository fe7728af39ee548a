/**
 * What the consumer's structured log lines say, for the saved Logs Insights queries that read them: each record's
 * `outcome`, and the message of the one summary line per invocation. Serialized into the Lambda archive with the
 * consumer: plain values only.
 */

/** What became of one record: the `outcome` field of its log line and its X-Ray annotation. */
export type RecordOutcome = "stored" | "duplicate" | "invalid" | "failed";

/** The message of the per-invocation summary line, which the "slowest batches" query filters on. */
export const BATCH_SUMMARY_MESSAGE = "batch processed";
