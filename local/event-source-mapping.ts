import {
  DeleteMessageBatchCommand,
  type DeleteMessageBatchCommandInput,
  type DeleteMessageBatchCommandOutput,
  type Message,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { MAX_BATCH_ENTRIES } from "../contracts";
import type { LambdaService } from "./lambda-service";
import type { RunRecorder } from "./recorder";
import { buildSqsEvent, judgeBatchResponse } from "./sqs-event";

/** An aws:lambda/eventSourceMapping:EventSourceMapping from the synthesized stack, resolved to the emulator. */
export interface EventSourceMappingConfig {
  uuid: string;
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  batchingWindowSeconds: number;
  maximumConcurrency: number;
  reportBatchItemFailures: boolean;
  enabled: boolean;
}

/**
 * Scaling, and its AWS counterpart (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html):
 * - AWS long-polls an idle queue; when messages appear it processes five batches at once, and while messages are still
 *   available it adds up to 300 concurrent batch readers per minute, up to the ESM's maximumConcurrency (2..1000);
 *   when traffic drops it scales back down.
 * - Here every poller is one concurrency slot: it receives a batch, invokes the function, settles the batch, repeats.
 *   One lead poller long-polls (20 s) for ever. When a receive comes back full (batchSize records), one more poller
 *   starts, at most one every 200 ms (AWS's 300 per minute), never more than maximumConcurrency. An extra poller whose
 *   receive comes back empty (1 s long poll) retires, so the count falls back to one as the queue empties, and
 *   ConcurrentExecutions (invocations running) falls to zero.
 * - AWS starts with five concurrent batches; here pollers start from one, and one environment is initialised at deploy
 *   (LambdaService.prewarm, like Lambda's proactive initialization) so the first batch skips the cold start.
 *   A poller is added only when an environment exists for it or none is initialising: a cold start here is CPU-bound
 *   on the same few cores, where several at once slow each other; in Lambda each has its own CPU.
 * Throttles cannot happen: pollers never exceed maximumConcurrency and the local function has no reserved limit.
 */
const LEAD_POLL_WAIT_SECONDS = 20;
const EXTRA_POLL_WAIT_SECONDS = 1;
const SCALE_OUT_INTERVAL_MS = 200;

/**
 * The two SQS calls a poller makes. The Lambda service's pollers are AWS-internal, not the function's SDK: the embedded
 * cloud answers them through fauxqs's request handling without a socket (cloud.ts, emulators.ts injectedSqsApi), and
 * tests can still pass an SQSClient.
 */
export interface PollerSqsApi {
  receiveMessage(input: ReceiveMessageCommandInput, signal: AbortSignal): Promise<Message[]>;
  deleteMessageBatch(
    input: DeleteMessageBatchCommandInput,
  ): Promise<Pick<DeleteMessageBatchCommandOutput, "Successful" | "Failed">>;
}

/** The poller's calls through an SDK client over HTTP. */
function sdkPollerApi(sqs: SQSClient): PollerSqsApi {
  return {
    receiveMessage: async (input, signal) =>
      (await sqs.send(new ReceiveMessageCommand(input), { abortSignal: signal })).Messages ?? [],
    deleteMessageBatch: (input) => sqs.send(new DeleteMessageBatchCommand(input)),
  };
}

interface Poller {
  id: number;
  lead: boolean;
  done: Promise<void>;
}

export class SqsEventSourceMapping {
  private readonly pollers = new Map<number, Poller>();
  private nextPollerId = 1;
  private running = false;
  private lastScaleOut = 0;
  private readonly abort = new AbortController();
  /** Counts for tests and summaries: receives, batches, deletes, scale events. */
  readonly stats = {
    receives: 0,
    emptyReceives: 0,
    batches: 0,
    deleted: 0,
    retriedBatches: 0,
    failedItems: 0,
    peakPollers: 0,
    scaleOuts: 0,
    scaleIns: 0,
  };
  private readonly sqs: PollerSqsApi;

  constructor(
    readonly config: EventSourceMappingConfig,
    sqs: SQSClient | PollerSqsApi,
    private readonly runtime: LambdaService,
    private readonly recorder?: RunRecorder,
  ) {
    this.sqs = "send" in sqs ? sdkPollerApi(sqs) : sqs;
  }

  get pollerCount(): number {
    return this.pollers.size;
  }

  start(): void {
    if (this.running || !this.config.enabled) return;
    this.running = true;
    this.spawn(true);
  }

  /** Stops polling; running invocations finish and their batches are settled before this resolves. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await Promise.all([...this.pollers.values()].map((p) => p.done));
  }

  private spawn(lead: boolean): void {
    const id = this.nextPollerId++;
    const poller: Poller = { id, lead, done: Promise.resolve() };
    this.pollers.set(id, poller);
    this.stats.peakPollers = Math.max(this.stats.peakPollers, this.pollers.size);
    poller.done = this.poll(poller).finally(() => this.pollers.delete(id));
  }

  private maybeScaleOut(): void {
    const now = Date.now();
    if (
      !this.running ||
      this.pollers.size >= this.config.maximumConcurrency ||
      now - this.lastScaleOut < SCALE_OUT_INTERVAL_MS
    )
      return;
    // A new poller needs an environment: one that exists (warm or still initialising), or a cold start of its own
    // when no other is running, so at most one init competes with the invocations for the CPU.
    if (this.pollers.size >= this.runtime.environments && this.runtime.initializing > 0) return;
    this.lastScaleOut = now;
    this.stats.scaleOuts += 1;
    this.spawn(false);
    this.recorder?.log({
      source: "cloud",
      message:
        `event source mapping ${this.config.uuid.slice(0, 8)}: receive came back full, scaled out to ` +
        `${this.pollers.size} pollers (max ${this.config.maximumConcurrency})`,
    });
  }

  private async poll(poller: Poller): Promise<void> {
    while (this.running) {
      let batch: Message[];
      try {
        batch = await this.collectBatch(poller.lead ? LEAD_POLL_WAIT_SECONDS : EXTRA_POLL_WAIT_SECONDS);
      } catch (error) {
        if (!this.running) return;
        this.recorder?.log({
          source: "cloud",
          level: "ERROR",
          message: `event source mapping receive failed: ${(error as Error).message}`,
        });
        await sleep(1000);
        continue;
      }
      if (batch.length === 0) {
        if (!poller.lead) {
          this.stats.scaleIns += 1;
          this.recorder?.log({
            source: "cloud",
            message: `event source mapping ${this.config.uuid.slice(0, 8)}: receive came back empty, scaled in to ${this.pollers.size - 1} pollers`,
          });
          return;
        }
        continue;
      }
      if (batch.length >= this.config.batchSize) this.maybeScaleOut();
      // Once received, a batch is always invoked and settled, even during stop(), so nothing is left half-done.
      await this.invokeAndSettle(batch);
    }
  }

  /**
   * One batch as Lambda gathers it: up to batchSize records; with a batching window, keep receiving until the batch
   * is full or the window has passed since the first record; without one, take what the first receive(s) return.
   */
  private async collectBatch(waitSeconds: number): Promise<Message[]> {
    const { batchSize, batchingWindowSeconds } = this.config;
    const batch = await this.receive(Math.min(MAX_BATCH_ENTRIES, batchSize), waitSeconds);
    if (batch.length === 0) return batch;
    const windowEnds = Date.now() + batchingWindowSeconds * 1000;
    let lastWasFull = batch.length === Math.min(MAX_BATCH_ENTRIES, batchSize);
    while (this.running && batch.length < batchSize) {
      const remainingMs = windowEnds - Date.now();
      const want = Math.min(MAX_BATCH_ENTRIES, batchSize - batch.length);
      if (batchingWindowSeconds === 0) {
        // No window: only top up while the queue keeps handing out full receives (batch sizes above 10).
        if (!lastWasFull) break;
        const more = await this.receive(want, 0);
        batch.push(...more);
        lastWasFull = more.length === want;
        continue;
      }
      if (remainingMs <= 0) break;
      const more = await this.receive(want, Math.min(20, Math.floor(remainingMs / 1000)));
      batch.push(...more);
      if (more.length === 0 && remainingMs < 1000) await sleep(Math.min(remainingMs, 50));
    }
    return batch;
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    this.stats.receives += 1;
    const messages = await this.sqs.receiveMessage(
      {
        QueueUrl: this.config.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        AttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      },
      this.abort.signal,
    );
    if (messages.length === 0) this.stats.emptyReceives += 1;
    return messages;
  }

  private async invokeAndSettle(batch: Message[]): Promise<void> {
    this.stats.batches += 1;
    const event = buildSqsEvent(batch, this.config.queueArn, this.config.region);
    const { outcome, requestId } = await this.runtime.invoke(event);
    if (outcome.kind !== "ok") {
      // A throw or a timeout deletes nothing: the messages reappear after the visibility timeout, and the queue's
      // redrive policy moves them to the DLQ past maxReceiveCount.
      this.stats.retriedBatches += 1;
      return;
    }
    const ids = batch.map((m) => m.MessageId ?? "");
    const verdict = judgeBatchResponse(ids, outcome.response, this.config.reportBatchItemFailures);
    if (verdict.kind === "retry-all") {
      this.stats.retriedBatches += 1;
      this.recorder?.log({
        source: "cloud",
        level: "ERROR",
        requestId,
        message: `invalid batch response, whole batch left for retry: ${verdict.reason}`,
      });
      return;
    }
    this.stats.failedItems += verdict.failedIds.length;
    const keep = new Set(verdict.messageIds);
    await this.deleteMessages(batch.filter((m) => keep.has(m.MessageId ?? "")));
  }

  private async deleteMessages(messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += MAX_BATCH_ENTRIES) {
      const chunk = messages.slice(i, i + MAX_BATCH_ENTRIES);
      try {
        const result = await this.sqs.deleteMessageBatch({
          QueueUrl: this.config.queueUrl,
          Entries: chunk.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle })),
        });
        this.stats.deleted += result.Successful?.length ?? 0;
        for (const failed of result.Failed ?? []) {
          this.recorder?.log({
            source: "cloud",
            level: "WARN",
            message: `delete failed for a processed message (it will be redelivered): ${failed.Code} ${failed.Message ?? ""}`,
          });
        }
      } catch (error) {
        this.recorder?.log({
          source: "cloud",
          level: "WARN",
          message: `DeleteMessageBatch failed (messages will be redelivered): ${(error as Error).message}`,
        });
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
