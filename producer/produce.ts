import { randomInt } from "node:crypto";
import { SQSClient } from "@aws-sdk/client-sqs";
import pLimit from "p-limit";
import { chooseSqsClient, MAX_BATCH_ENTRIES, type RatePhase } from "../contracts";
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_RATE, DRY_RUN_DEFAULT_COUNT } from "./args";
import { INVALID_KINDS, type InvalidKind } from "./invalid";
import { batchesOf, type MessageLimit, readMessageLimit } from "./message-size";
import {
  MESSAGE_KINDS,
  type MessageKind,
  type MessageSource,
  type OutgoingMessage,
  VehicleMessageSource,
} from "./messages";
import { pause, RateSchedule } from "./rate";
import {
  awsErrorCode,
  type BatchOutcome,
  DEFAULT_RETRY_POLICY,
  isUnreachableCode,
  type RetryPolicy,
  sendBatch,
} from "./sender";
import { LatencyRecorder, type LatencySummary, RecentRate } from "./stats";

export type { InvalidKind } from "./invalid";
export type { MessageLimit } from "./message-size";
export type { MessageKind, MessageSource, OutgoingMessage } from "./messages";
export type { RetryPolicy } from "./sender";
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
  /** Entries per SendMessageBatch call, 1 to 10 (SQS's limit, the default). */
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
  /** Set once a batch found nothing listening at the endpoint: the reason (e.g. "connect ECONNREFUSED 127.0.0.1:4566"). */
  unreachable?: string;
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

/** The producer retries failed calls and entries itself (sendBatch), so each retry is counted and keeps its eventId. */
export const PRODUCER_MAX_ATTEMPTS = 1;

/** "unreachable": a batch's every attempt found nothing listening at the endpoint, so the run stopped early. */
export type StopReason = "count" | "duration" | "profile" | "signal" | "unreachable";

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
  /** Every accepted message with its body and messageId, in acceptance order, for end-to-end verification. */
  messages: OutgoingMessage[];
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

/** Checks the options up front with RangeErrors, and returns the batch size and concurrency to use. */
function checkedShape(options: ProduceOptions): { batchSize: number; concurrency: number } {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_ENTRIES)
    throw new RangeError(`batchSize must be 1 to ${MAX_BATCH_ENTRIES}, got ${batchSize}`);
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
  return { batchSize, concurrency };
}

/** What the sent batches came to: every message sent or given up on, by kind and failure code. */
class SendAccount {
  readonly messages: OutgoingMessage[] = [];
  readonly unsent: ProduceSummary["unsent"] = [];
  readonly byKind = emptyCounts(MESSAGE_KINDS);
  readonly failures: Record<string, number> = {};
  retried = 0;
  calls = 0;

  settle(outcome: BatchOutcome): void {
    for (const sent of outcome.sent) {
      this.messages.push(sent);
      this.byKind[sent.kind] += 1;
    }
    for (const { message, code, reason } of outcome.unsent) {
      this.unsent.push({ eventId: message.eventId, kind: message.kind, vehicleId: message.vehicleId, code, reason });
      this.failures[code] = (this.failures[code] ?? 0) + 1;
    }
    this.retried += outcome.retried;
    this.calls += outcome.calls;
  }

  /** A batch that never reached the queue: its messages count as unsent rather than go missing. */
  settleLost(batch: readonly OutgoingMessage[], error: unknown): void {
    const code = awsErrorCode(error);
    this.settle({
      sent: [],
      unsent: batch.map((message) => ({ message, code, reason: (error as Error).message })),
      retried: 0,
      calls: 0,
    });
  }
}

/**
 * The reason when a batch gave up only because nothing listened at the endpoint (after its bounded retries): further
 * batches would wait out the same retries for nothing, so the run stops and reports what it could not send.
 */
function unreachableReason(outcome: BatchOutcome): string | undefined {
  if (outcome.sent.length > 0 || outcome.unsent.length === 0) return undefined;
  if (!outcome.unsent.every((miss) => isUnreachableCode(miss.code))) return undefined;
  return outcome.unsent[0]!.reason;
}

/** Everything the send loop reads and changes. */
interface SendLoop {
  options: ProduceOptions;
  schedule: RateSchedule;
  countLimit: number;
  batchSize: number;
  concurrency: number;
  limit: MessageLimit;
  source: MessageSource;
  sending: ReturnType<typeof pLimit>;
  inFlight: Set<Promise<void>>;
  dispatch: (batch: OutgoingMessage[]) => void;
  elapsed: () => number;
  signal: AbortSignal | undefined;
  generated: number;
  fatal: unknown;
  /** Why the endpoint is unreachable, once a batch gave up on it: no further batch is sent. */
  unreachable: string | undefined;
}

/** Generates and dispatches batches as the schedule makes them due, until the schedule, count or signal stops it. */
async function sendOnSchedule(loop: SendLoop): Promise<StopReason> {
  const { options, schedule, countLimit, batchSize, concurrency, sending, inFlight, signal } = loop;
  for (;;) {
    if (signal?.aborted) return "signal";
    if (loop.fatal !== undefined) throw loop.fatal;
    if (loop.unreachable !== undefined) return "unreachable";
    if (loop.generated >= countLimit) return "count";
    const now = loop.elapsed();
    const dueNow = Math.min(schedule.dueBy(now), countLimit);
    // At the end of the schedule: stop once everything due went out (an unlimited rate is never "all due").
    if (now >= schedule.totalDurationMs && (loop.generated >= dueNow || dueNow === Infinity))
      return options.profile ? "profile" : "duration";
    // Backpressure: never queue more calls than can run, so a slow queue lowers the rate instead of piling up memory.
    if (sending.activeCount + sending.pendingCount >= concurrency) {
      await Promise.race(inFlight);
      continue;
    }
    const want = Math.min(batchSize, countLimit - loop.generated);
    const due = dueNow - loop.generated;
    const oldestDueAt = schedule.timeOf(loop.generated + 1);
    if (due >= want || (due > 0 && (now >= oldestDueAt + BATCH_LINGER_MS || now >= schedule.totalDurationMs))) {
      const n = Math.min(due, want);
      const made: OutgoingMessage[] = [];
      for (let i = 0; i < n; i++) made.push(loop.source.create(loop.generated + i));
      loop.generated += n;
      for (const batch of batchesOf(made, batchSize, loop.limit)) loop.dispatch(batch);
      continue;
    }
    // Sleep until the batch would be full, the oldest due message has lingered long enough, or the schedule ends.
    const wakeAt = Math.min(
      schedule.timeOf(loop.generated + want),
      oldestDueAt + BATCH_LINGER_MS,
      schedule.totalDurationMs,
    );
    // Nothing will ever be due again (a profile whose remaining phases are all 0/s ends by its duration above).
    if (wakeAt === Infinity) return options.profile ? "profile" : "duration";
    await pause(wakeAt - now, signal);
  }
}

/**
 * Sends vehicle messages to options.queueUrl on a precise schedule, in concurrent batches, retrying what
 * fails, and resolves with what happened. Rejects only when nothing more can be sent: the queue does not
 * exist or refuses us (FatalSendError), or a message is too large for it (MessageTooLargeError).
 */
export async function produce(options: ProduceOptions, deps: ProduceDependencies = {}): Promise<ProduceSummary> {
  const { batchSize, concurrency } = checkedShape(options);
  const seed = options.seed ?? randomInt(0, 2 ** 32);
  const invalidRatio = options.invalidRatio ?? 0;
  const schedule = scheduleFor(options);
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const sqs =
    deps.sqs ??
    new SQSClient({
      ...chooseSqsClient({ queueUrl: options.queueUrl, endpoint: options.endpoint, region: options.region }).config,
      maxAttempts: PRODUCER_MAX_ATTEMPTS,
    });
  try {
    const limit = await readMessageLimit(sqs, options.queueUrl);
    const latency = new LatencyRecorder();
    const account = new SendAccount();
    const startedAt = new Date();
    const start = performance.now();
    const loop: SendLoop = {
      options,
      schedule,
      countLimit: options.count ?? Infinity,
      batchSize,
      concurrency,
      limit,
      source: deps.source ?? new VehicleMessageSource({ seed, invalidRatio }),
      sending: pLimit(concurrency),
      inFlight: new Set(),
      dispatch: (batch) => {
        const task: Promise<void> = loop
          .sending(() => sendBatch(sqs, options.queueUrl, batch, { policy, latency }))
          .then(
            (outcome) => {
              account.settle(outcome);
              loop.unreachable ??= unreachableReason(outcome);
            },
            (error: unknown) => {
              loop.fatal ??= error;
              account.settleLost(batch, error);
            },
          );
        loop.inFlight.add(task);
        void task.finally(() => loop.inFlight.delete(task));
      },
      elapsed: () => performance.now() - start,
      signal: deps.signal,
      generated: 0,
      fatal: undefined,
      unreachable: undefined,
    };
    const progress = progressReporter(loop, account);
    const ticker = deps.onProgress
      ? setInterval(() => deps.onProgress!(progress()), deps.progressIntervalMs ?? 1000)
      : undefined;
    ticker?.unref();
    let stoppedBy: StopReason;
    try {
      stoppedBy = await sendOnSchedule(loop);
    } finally {
      // Whatever stopped the loop, the batches already handed to SQS finish and are accounted for.
      await Promise.all(loop.inFlight);
      if (ticker) clearInterval(ticker);
    }
    if (loop.fatal !== undefined) throw loop.fatal;
    const durationMs = loop.elapsed();
    deps.onProgress?.(progress());
    return summaryOf({ options, loop, account, latency, startedAt, durationMs, stoppedBy, seed, invalidRatio });
  } finally {
    if (deps.sqs === undefined) sqs.destroy();
  }
}

function progressReporter(loop: SendLoop, account: SendAccount): () => ProduceProgress {
  const recent = new RecentRate();
  recent.update(0, 0);
  return () => {
    const now = loop.elapsed();
    const sent = account.messages.length;
    return {
      elapsedMs: now,
      targetRate: loop.schedule.rateAt(now),
      currentRate: recent.update(now, sent),
      averageRate: now > 0 ? (sent * 1000) / now : 0,
      generated: loop.generated,
      sent,
      retried: account.retried,
      failed: account.unsent.length,
      inFlight: loop.sending.activeCount + loop.sending.pendingCount,
      behind: behindBy(Math.min(loop.schedule.dueBy(now), loop.countLimit) - loop.generated),
      ...(loop.unreachable !== undefined ? { unreachable: loop.unreachable } : {}),
    };
  };
}

function summaryOf(run: {
  options: ProduceOptions;
  loop: SendLoop;
  account: SendAccount;
  latency: LatencyRecorder;
  startedAt: Date;
  durationMs: number;
  stoppedBy: StopReason;
  seed: number;
  invalidRatio: number;
}): ProduceSummary {
  const { options, loop, account, durationMs } = run;
  const { messages, byKind } = account;
  const rate = options.rate ?? DEFAULT_RATE;
  return {
    queueUrl: options.queueUrl,
    startedAt: run.startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    durationMs: Math.round(durationMs),
    stoppedBy: run.stoppedBy,
    target: {
      rate: options.profile ? null : rate === Infinity ? "max" : rate,
      profile: options.profile ?? null,
      count: options.count ?? null,
      durationMs: options.profile ? loop.schedule.totalDurationMs : (options.durationMs ?? null),
      batchSize: loop.batchSize,
      concurrency: loop.concurrency,
      invalidRatio: run.invalidRatio,
      seed: run.seed,
    },
    generated: loop.generated,
    sent: messages.length,
    failed: account.unsent.length,
    retried: account.retried,
    byKind,
    invalid: Object.fromEntries(INVALID_KINDS.map((kind) => [kind, byKind[kind]])) as Record<InvalidKind, number>,
    failures: account.failures,
    achievedRate: durationMs > 0 ? Math.round(((messages.length * 1000) / durationMs) * 100) / 100 : 0,
    calls: account.calls,
    latencyMs: run.latency.summary(),
    maxMessageBytes: loop.limit,
    messages,
    unsent: account.unsent,
  };
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
