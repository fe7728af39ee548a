import { randomInt } from "node:crypto";
import { SQSClient } from "@aws-sdk/client-sqs";
import pLimit from "p-limit";
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_RATE, DRY_RUN_DEFAULT_COUNT } from "./args";
import { INVALID_KINDS, type InvalidKind } from "./invalid";
import { type MessageLimit, packBatches, readMessageLimit } from "./message-size";
import {
  MESSAGE_KINDS,
  type MessageKind,
  type MessageSource,
  type OutgoingMessage,
  VehicleMessageSource,
} from "./messages";
import { pause, type RatePhase, RateSchedule } from "./rate";
import { type BatchOutcome, DEFAULT_RETRY_POLICY, type RetryPolicy, type SentMessage, sendBatch } from "./sender";
import { chooseSqsClient } from "./sqs-client";
import { LatencyRecorder, type LatencySummary, RecentRate } from "./stats";

export type { InvalidKind } from "./invalid";
export type { MessageLimit } from "./message-size";
export type { MessageKind, MessageSource, OutgoingMessage } from "./messages";
export type { RatePhase } from "./rate";
export type { RetryPolicy, SentMessage } from "./sender";
export type { LatencySummary } from "./stats";

/** What to send, how fast, and for how long. Every field but queueUrl has a default. */
export interface ProduceOptions {
  queueUrl: string;
  /** Messages per second (default 200); Infinity sends as fast as `concurrency` allows. Ignored with `profile`. */
  rate?: number;
  /** Stepped phases, e.g. [{ ratePerSecond: 50, durationMs: 20_000 }, { ratePerSecond: 0, durationMs: 5_000 }]. */
  profile?: RatePhase[];
  /** Stop after this long (with `rate`). Without durationMs, count or profile the run lasts until the signal aborts. */
  durationMs?: number;
  /** Stop after this many messages. */
  count?: number;
  /** Entries per SendMessageBatch call, 1 to 10 (default 10). */
  batchSize?: number;
  /** SendMessageBatch calls in flight at once (default 8). */
  concurrency?: number;
  /** Seed for the vehicles (default: random; the summary reports it). */
  seed?: number;
  /** Share of malformed messages, 0 to 1 (default 0). */
  invalidRatio?: number;
  retry?: Partial<RetryPolicy>;
  /** Used only when no `sqs` client is passed in ProduceDependencies. */
  endpoint?: string;
  region?: string;
}

export interface ProduceProgress {
  elapsedMs: number;
  /** The schedule's rate right now (Infinity for an unlimited rate, 0 in a pause). */
  targetRate: number;
  /** Accepted messages per second over the last few seconds. */
  currentRate: number;
  /** Accepted messages per second since the start. */
  averageRate: number;
  generated: number;
  sent: number;
  retried: number;
  failed: number;
  /** SendMessageBatch calls running or waiting for a concurrency slot. */
  inFlight: number;
  /** Messages due by now but not yet handed to SQS: above zero for long means the queue or --concurrency cannot keep up. */
  behind: number;
}

export interface ProduceDependencies {
  /** The client to send with; without one, produce() makes one from options.endpoint/region and destroys it at the end. */
  sqs?: SQSClient;
  /** Abort to stop: no new batch starts, batches in flight finish (with their retries), the summary is returned. */
  signal?: AbortSignal;
  onProgress?: (progress: ProduceProgress) => void;
  /** How often onProgress is called (default 1000 ms). */
  progressIntervalMs?: number;
  /** Replaces the vehicle generator (tests use it for oversized or hand-made messages). */
  source?: MessageSource;
}

export type StopReason = "count" | "duration" | "profile" | "signal";

export interface ProduceSummary {
  queueUrl: string;
  startedAt: string;
  endedAt: string;
  /** From the start of the schedule (t = 0, after the queue's size limit was read) to the last answer, in milliseconds. */
  durationMs: number;
  stoppedBy: StopReason;
  target: {
    /** Messages per second; "max" for an unlimited rate; null with a profile. */
    rate: number | "max" | null;
    profile: RatePhase[] | null;
    count: number | null;
    durationMs: number | null;
    batchSize: number;
    concurrency: number;
    invalidRatio: number;
    seed: number;
  };
  /** Messages made: sent + failed. */
  generated: number;
  /** Messages the queue accepted. */
  sent: number;
  /** Messages still unsent after every attempt. */
  failed: number;
  /** Message re-sends after a failed entry or call (a message sent three times counts two). */
  retried: number;
  /** Accepted messages by kind. */
  byKind: Record<MessageKind, number>;
  /** Accepted malformed messages by kind (the same numbers as byKind, without "valid"). */
  invalid: Record<InvalidKind, number>;
  /** Unsent messages by the queue's last error code. */
  failures: Record<string, number>;
  /** Accepted messages per second over durationMs. */
  achievedRate: number;
  /** SendMessageBatch calls made, retries included. */
  calls: number;
  /** SendMessageBatch latency in ms, every call that got an answer. */
  latencyMs: LatencySummary;
  maxMessageBytes: MessageLimit;
  /** Every accepted message, in acceptance order, for end-to-end verification. */
  messages: SentMessage[];
  unsent: { eventId: string; kind: MessageKind; vehicleId: string; code: string; reason: string }[];
}

/**
 * A sending slot frees quickly at 200/s; waiting up to 50 ms to fill a batch keeps calls few without
 * adding more than 50 ms to any message's latency at low rates.
 */
const BATCH_LINGER_MS = 50;

function scheduleFor(options: Pick<ProduceOptions, "rate" | "profile" | "durationMs">): RateSchedule {
  if (options.profile) return new RateSchedule(options.profile);
  return RateSchedule.constant(options.rate ?? DEFAULT_RATE, options.durationMs ?? Infinity);
}

/** Overdue messages; an unlimited rate is never "behind". */
function behindBy(overdue: number): number {
  return Number.isFinite(overdue) ? Math.max(0, overdue) : 0;
}

function emptyCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/**
 * Sends vehicle messages to options.queueUrl on a precise schedule, in concurrent batches, retrying what
 * fails, and resolves with what happened. Rejects only when nothing more can be sent: the queue does not
 * exist or refuses us (FatalSendError), or a message is too large for it (MessageTooLargeError).
 */
export async function produce(options: ProduceOptions, deps: ProduceDependencies = {}): Promise<ProduceSummary> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10)
    throw new RangeError(`batchSize must be 1 to 10, got ${batchSize}`);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  if (!options.profile && options.rate !== undefined && !(options.rate > 0))
    throw new RangeError(`rate must be above 0 messages per second (or Infinity), got ${options.rate}`);
  if (options.count !== undefined && !(Number.isInteger(options.count) && options.count >= 1))
    throw new RangeError(`count must be a whole number of at least 1, got ${options.count}`);
  if (options.durationMs !== undefined && !(options.durationMs > 0))
    throw new RangeError(`durationMs must be above 0, got ${options.durationMs}`);
  if (options.invalidRatio !== undefined && !(options.invalidRatio >= 0 && options.invalidRatio <= 1))
    throw new RangeError(`invalidRatio must be from 0 to 1, got ${options.invalidRatio}`);
  const seed = options.seed ?? randomInt(0, 2 ** 32);
  const invalidRatio = options.invalidRatio ?? 0;
  const schedule = scheduleFor(options);
  const countLimit = options.count ?? Infinity;
  const source = deps.source ?? new VehicleMessageSource({ seed, invalidRatio });
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const ownClient = deps.sqs === undefined;
  const sqs =
    deps.sqs ??
    new SQSClient(
      chooseSqsClient({ queueUrl: options.queueUrl, endpoint: options.endpoint, region: options.region }).config,
    );
  const signal = deps.signal;

  try {
    const limit = await readMessageLimit(sqs, options.queueUrl);
    const latency = new LatencyRecorder();
    const sending = pLimit(concurrency);
    const inFlight = new Set<Promise<void>>();
    const messages: SentMessage[] = [];
    const unsent: ProduceSummary["unsent"] = [];
    const byKind = emptyCounts(MESSAGE_KINDS);
    const failures: Record<string, number> = {};
    let generated = 0;
    let retried = 0;
    let calls = 0;
    let fatal: unknown;

    const settle = (outcome: BatchOutcome) => {
      for (const sent of outcome.sent) {
        messages.push(sent);
        byKind[sent.kind] += 1;
      }
      for (const { message, code, reason } of outcome.unsent) {
        unsent.push({ eventId: message.eventId, kind: message.kind, vehicleId: message.vehicleId, code, reason });
        failures[code] = (failures[code] ?? 0) + 1;
      }
      retried += outcome.retried;
      calls += outcome.calls;
    };
    const dispatch = (batch: OutgoingMessage[]) => {
      const task: Promise<void> = sending(() => sendBatch(sqs, options.queueUrl, batch, { policy, latency })).then(
        settle,
        (error: unknown) => {
          fatal ??= error;
          // The batch never reached the queue: count its messages as unsent rather than lose track of them.
          const code = (error as Error).name || "Error";
          settle({
            sent: [],
            unsent: batch.map((message) => ({ message, code, reason: (error as Error).message })),
            retried: 0,
            calls: 0,
          });
        },
      );
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
    };

    const startedAt = new Date();
    const start = performance.now();
    const elapsed = () => performance.now() - start;
    const recent = new RecentRate();
    recent.update(0, 0);
    const progress = (): ProduceProgress => {
      const now = elapsed();
      return {
        elapsedMs: now,
        targetRate: schedule.rateAt(now),
        currentRate: recent.update(now, messages.length),
        averageRate: now > 0 ? (messages.length * 1000) / now : 0,
        generated,
        sent: messages.length,
        retried,
        failed: unsent.length,
        inFlight: sending.activeCount + sending.pendingCount,
        behind: behindBy(Math.min(schedule.dueBy(now), countLimit) - generated),
      };
    };
    const ticker = deps.onProgress
      ? setInterval(() => deps.onProgress!(progress()), deps.progressIntervalMs ?? 1000)
      : undefined;
    ticker?.unref();

    let stoppedBy: StopReason;
    try {
      for (;;) {
        if (signal?.aborted) {
          stoppedBy = "signal";
          break;
        }
        if (fatal !== undefined) throw fatal;
        if (generated >= countLimit) {
          stoppedBy = "count";
          break;
        }
        const now = elapsed();
        const dueNow = Math.min(schedule.dueBy(now), countLimit);
        // At the end of the schedule: stop once everything due went out (an unlimited rate is never "all due").
        if (now >= schedule.totalDurationMs && (generated >= dueNow || dueNow === Infinity)) {
          stoppedBy = options.profile ? "profile" : "duration";
          break;
        }
        // Backpressure: never queue more calls than can run, so a slow queue lowers the rate instead of memory piling up.
        if (sending.activeCount + sending.pendingCount >= concurrency) {
          await Promise.race(inFlight);
          continue;
        }
        const want = Math.min(batchSize, countLimit - generated);
        const due = dueNow - generated;
        const oldestDueAt = schedule.timeOf(generated + 1);
        if (due >= want || (due > 0 && (now >= oldestDueAt + BATCH_LINGER_MS || now >= schedule.totalDurationMs))) {
          const n = Math.min(due, want);
          const made: OutgoingMessage[] = [];
          for (let i = 0; i < n; i++) made.push(source.create(generated + i));
          generated += n;
          for (const batch of packBatches(made, batchSize, limit)) dispatch(batch);
          continue;
        }
        // Sleep until the batch would be full, the oldest due message has lingered long enough, or the schedule ends.
        const wakeAt = Math.min(
          schedule.timeOf(generated + want),
          oldestDueAt + BATCH_LINGER_MS,
          schedule.totalDurationMs,
        );
        if (wakeAt === Infinity) {
          // Nothing will ever be due again (a profile whose remaining phases are all 0/s ends by its duration above).
          stoppedBy = options.profile ? "profile" : "duration";
          break;
        }
        await pause(wakeAt - now, signal);
      }
    } finally {
      // Whatever stopped the loop, the batches already handed to SQS finish and are accounted for.
      await Promise.all(inFlight);
      if (ticker) clearInterval(ticker);
    }
    if (fatal !== undefined) throw fatal;

    const durationMs = elapsed();
    deps.onProgress?.(progress());
    return {
      queueUrl: options.queueUrl,
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      durationMs: Math.round(durationMs),
      stoppedBy,
      target: {
        rate: options.profile
          ? null
          : (options.rate ?? DEFAULT_RATE) === Infinity
            ? "max"
            : (options.rate ?? DEFAULT_RATE),
        profile: options.profile ?? null,
        count: options.count ?? null,
        durationMs: options.profile ? schedule.totalDurationMs : (options.durationMs ?? null),
        batchSize,
        concurrency,
        invalidRatio,
        seed,
      },
      generated,
      sent: messages.length,
      failed: unsent.length,
      retried,
      byKind,
      invalid: Object.fromEntries(INVALID_KINDS.map((kind) => [kind, byKind[kind]])) as Record<InvalidKind, number>,
      failures,
      achievedRate: durationMs > 0 ? Math.round(((messages.length * 1000) / durationMs) * 100) / 100 : 0,
      calls,
      latencyMs: latency.summary(),
      maxMessageBytes: limit,
      messages,
      unsent,
    };
  } finally {
    if (ownClient) sqs.destroy();
  }
}

/** How many messages a run with these options would send, for --dry-run (which cannot wait for a signal). */
export function plannedCount(options: Pick<ProduceOptions, "rate" | "profile" | "durationMs" | "count">): number {
  const schedule = scheduleFor(options);
  const scheduled = Number.isFinite(schedule.totalMessages) ? Math.floor(schedule.totalMessages + 1e-9) : Infinity;
  const planned = Math.min(options.count ?? Infinity, scheduled);
  return Number.isFinite(planned) ? planned : DRY_RUN_DEFAULT_COUNT;
}

/** The messages a run would send, in order, without sending them (the eventIds are fresh each time). */
export function* dryRunMessages(
  options: Pick<ProduceOptions, "rate" | "profile" | "durationMs" | "count" | "seed" | "invalidRatio">,
): Generator<OutgoingMessage> {
  const source = new VehicleMessageSource({
    seed: options.seed ?? randomInt(0, 2 ** 32),
    invalidRatio: options.invalidRatio ?? 0,
  });
  const count = plannedCount(options);
  for (let index = 0; index < count; index++) yield source.create(index);
}
