import { BatchProcessor, EventType, FullBatchFailureError, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { Tracer } from "@aws-lambda-powertools/tracer";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { BATCH_SUMMARY_MESSAGE, type RecordOutcome } from "../contracts/consumer-log";
import type { BatchTally } from "./batch-metrics";
import { countRejection, newBatchTally, publishBatchMetrics, rejectedCount } from "./batch-metrics";
import type { Rejection } from "./dead-letter";
import { deleteFromSource, sendToDeadLetterQueue } from "./dead-letter";
import { type CallDeadline, callDeadline } from "./deadline";
import { readEventId } from "./event-id";
import { classifyFailure } from "./failure-class";
import { buildVehicleItem, eventIdOf, type VehicleItem } from "./item";
import { storeVehicle } from "./store";
import { parseVehicleMessage } from "./vehicle";

export interface ConsumerDeps {
  documentClient: DynamoDBDocumentClient;
  /**
   * The client for the DLQ send and the source-queue delete, or how to make it on first use: only a rejected record
   * needs SQS, so a cold start need not load and configure its client.
   */
  sqs: SQSClient | (() => SQSClient);
  tableName: string;
  dlqUrl: string;
  /**
   * The queue the records come from. With it, a dead-lettered record is deleted from it at once, so a whole batch
   * coming back (an invocation that timed out or crashed after the DLQ send) does not dead-letter it a second time.
   */
  sourceQueueUrl?: string;
  logger: Logger;
  metrics: Metrics;
  /** Optional: without it (or with tracing disabled outside Lambda) no subsegments are made. */
  tracer?: Tracer;
  /** The clock, for tests. */
  now?: () => Date;
}

export type VehicleConsumer = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The SQS handler. Per record: invalid, conflicting, or failing for a reason a retry cannot change -> DLQ with a
 * code and the reason, then success (SQS deletes it: retrying a poison message only wastes receives); valid ->
 * conditional put (a duplicate with the same content is a success); anything that may pass (throttling, 5xx,
 * timeouts, network, or the DLQ refusing) -> thrown, so the record is a batch item failure and SQS retries it
 * until maxReceiveCount moves it to the DLQ.
 *
 * If every record of a batch fails, Powertools throws FullBatchFailureError instead of listing them all:
 * the invocation errors (visible in the Lambda Errors metric), and SQS makes the whole batch visible again,
 * which is what AWS does for a failed invocation. Powertools' maintainers describe it as functionally equal to
 * listing every record, kept so full failures show in the Errors metric (aws-powertools/powertools-lambda-python#4691,
 * powertools-lambda-typescript#2122); we keep that default. Metrics are flushed either way.
 */
export function createConsumer(deps: ConsumerDeps): VehicleConsumer {
  const now = deps.now ?? (() => new Date());
  return async function consumeVehicles(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    // Every line carries the request id (it leads to the batch's other lines and to its REPORT line) and whether this
    // was a cold start; not the function's ARN, name and memory size, which the full context would add to every line:
    // the same on every line of the function's own log group, whose REPORT lines carry the memory. About 150 bytes
    // less per line to ingest.
    deps.logger.addContext({ awsRequestId: context.awsRequestId } as Context);
    deps.metrics.captureColdStartMetric();
    const started = performance.now();
    // A write that does not answer in time fails its record only, not the whole batch by Lambda's timeout.
    const batch: BatchRun = { deps, now, tally: newBatchTally(), deadline: callDeadline(context) };
    try {
      return await processBatch(event, context, batch);
    } catch (error) {
      if (error instanceof FullBatchFailureError) {
        deps.logger.error("every record in the batch failed; failing the invocation so SQS retries them all", {
          records: event.Records.length,
          error,
        });
      }
      throw error;
    } finally {
      batch.deadline?.cancel();
      logBatchSummary(deps.logger, event.Records.length, batch.tally, performance.now() - started);
      publishBatchMetrics(deps.metrics, batch.tally);
    }
  };
}

/** What one invocation's records share: the dependencies, the clock, the batch's counts and its write deadline. */
interface BatchRun {
  deps: ConsumerDeps;
  now: () => Date;
  tally: BatchTally;
  deadline?: CallDeadline;
}

function processBatch(event: SQSEvent, context: Context, batch: BatchRun): Promise<SQSBatchResponse> {
  // A processor per invocation: BatchProcessor keeps the batch's records and failures on itself, so one
  // shared instance would mix batches if the local cloud runs several invocations in this process.
  const processor = new BatchProcessor(EventType.SQS);
  return processPartialResponse(event, (record: SQSRecord) => processRecord(record, batch), processor, { context });
}

/**
 * The record handler given to Powertools: what may pass on retry is thrown (a batch item failure, so SQS
 * retries it); anything else that went wrong is dead-lettered now, with its code, rather than retried in vain.
 */
async function processRecord(record: SQSRecord, batch: BatchRun): Promise<RecordOutcome> {
  return traced(batch.deps.tracer, "### storeVehicle", async (annotate) => {
    let outcome: RecordOutcome;
    try {
      outcome = await handleRecord(record, batch);
    } catch (error) {
      outcome = await handleFailure(record, error, batch);
    }
    annotate(outcome, record);
    return outcome;
  });
}

async function handleRecord(record: SQSRecord, batch: BatchRun): Promise<RecordOutcome> {
  const { deps, now } = batch;
  const eventId = readEventId(record);
  if (!eventId.ok) return rejectRecord(record, { code: "BAD_EVENT_ID", reason: eventId.reason }, batch);
  const parsed = parseVehicleMessage(record.body, now());
  if (!parsed.ok) return rejectRecord(record, { code: parsed.code, reason: parsed.reason }, batch);
  const item = buildVehicleItem(parsed.vehicle, record, eventId.eventId, now());
  const result = await storeVehicle(deps.documentClient, deps.tableName, item, batch.deadline);
  if (result.outcome === "conflict") {
    const reason = `eventId ${item.eventId} is already stored for ${item.vehicleId} with other content: ${result.differences.join("; ")}`;
    return rejectRecord(record, { code: "EVENT_ID_CONFLICT", reason }, batch);
  }
  recordWritten(record, item, result.outcome, batch);
  return result.outcome;
}

/**
 * Count and log a record whose write the table acknowledged, as new or as a duplicate of what it holds. A stored
 * record, the common case, is logged at DEBUG only: VehiclesStored and the batch summary line count it, and a line
 * per stored record at INFO would be most of the function's log volume (and log ingestion most of its cost). Set
 * LOG_LEVEL=DEBUG to see every record again.
 */
function recordWritten(record: SQSRecord, item: VehicleItem, outcome: "stored" | "duplicate", batch: BatchRun): void {
  const { deps, tally } = batch;
  const logged = {
    messageId: item.messageId,
    eventId: item.eventId,
    vehicleId: item.vehicleId,
    receiveCount: item.receiveCount,
    outcome,
  };
  if (outcome === "duplicate") {
    tally.duplicates += 1;
    deps.logger.info("vehicle already stored", {
      ...logged,
      reason: `eventId ${item.eventId} is already in the table with the same content`,
    });
  } else {
    tally.stored += 1;
    // Measured once the write is acknowledged: the latency a reader of the table experiences.
    tally.latenciesMs.push(batch.now().getTime() - Number(record.attributes.SentTimestamp));
    deps.logger.debug("vehicle stored", logged);
  }
}

/**
 * Dead-letter a message that can never be stored. A DeadLetterSendError propagates: the message then stays on the
 * source queue rather than being lost.
 */
async function rejectRecord(record: SQSRecord, rejection: Rejection, batch: BatchRun): Promise<RecordOutcome> {
  const { deps } = batch;
  const sqs = typeof deps.sqs === "function" ? deps.sqs() : deps.sqs;
  const sent = await sendToDeadLetterQueue(sqs, deps.dlqUrl, record, rejection);
  if (deps.sourceQueueUrl) await deleteFromSource(sqs, deps.sourceQueueUrl, record, deps.logger);
  countRejection(batch.tally, rejection.code);
  deps.logger.warn("vehicle rejected", {
    messageId: record.messageId,
    eventId: eventIdOf(record),
    vehicleId: vehicleIdHint(record.body),
    outcome: "invalid",
    code: rejection.code,
    reason: rejection.reason,
    ...(sent.dropped.length ? { droppedAttributes: sent.dropped } : {}),
    ...(sent.reasonMessage ? { reasonMessage: "sent beside the body, which left no room for the reason" } : {}),
  });
  return "invalid";
}

async function handleFailure(record: SQSRecord, error: unknown, batch: BatchRun): Promise<RecordOutcome> {
  const failure = classifyFailure(error);
  if (failure.kind === "permanent") return rejectRecord(record, { code: failure.code, reason: failure.reason }, batch);
  batch.tally.transientFailures += 1;
  batch.deps.logger.error("vehicle not processed, SQS will retry it", {
    messageId: record.messageId,
    eventId: eventIdOf(record),
    vehicleId: vehicleIdHint(record.body),
    outcome: "failed",
    reason: (error as Error)?.message ?? String(error),
    error,
  });
  throw error;
}

/** One line per invocation, for the "slowest batches" Logs Insights query (components/log-queries.ts): sort by durationMs. */
function logBatchSummary(logger: Logger, records: number, tally: BatchTally, durationMs: number): void {
  logger.info(BATCH_SUMMARY_MESSAGE, {
    records,
    stored: tally.stored,
    duplicates: tally.duplicates,
    invalid: rejectedCount(tally),
    failed: tally.transientFailures,
    durationMs: Math.round(durationMs),
  });
}

type Annotate = (outcome: RecordOutcome, record: SQSRecord) => void;

/**
 * Run fn in its own X-Ray subsegment (captureAsyncFunc gives it its own context, so the SDK calls made while
 * records are processed in parallel nest under the right record) and let it annotate outcome and vehicleId,
 * which are searchable in the X-Ray console. Outside Lambda the Tracer disables itself and fn just runs.
 */
async function traced<T>(tracer: Tracer | undefined, name: string, fn: (annotate: Annotate) => Promise<T>): Promise<T> {
  if (!tracer?.isTracingEnabled()) return fn(() => undefined);
  return tracer.provider.captureAsyncFunc(name, async (subsegment) => {
    const annotate: Annotate = (outcome, record) => {
      subsegment?.addAnnotation("outcome", outcome);
      const vehicleId = vehicleIdHint(record.body);
      if (vehicleId) subsegment?.addAnnotation("vehicleId", vehicleId);
    };
    try {
      return await fn(annotate);
    } catch (error) {
      subsegment?.addError(error as Error);
      throw error;
    } finally {
      subsegment?.close();
    }
  }) as Promise<T>;
}

/** The vehicleId of a body that may be invalid, for logs and traces only; undefined when there is none. */
function vehicleIdHint(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { vehicleId?: unknown })?.vehicleId;
    return typeof id === "string" ? id.trim().slice(0, 32) : undefined;
  } catch {
    return undefined;
  }
}
