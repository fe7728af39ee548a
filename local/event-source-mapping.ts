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
import {
  nextScaling,
  type ScalingPolicy,
  type ScalingState,
  scalingPolicy,
  startScaling,
} from "./batch-reader-scaling";
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

/** The long poll of a batch reader waiting for messages (SQS's maximum). */
const POLL_WAIT_SECONDS = 20;
/** How often the mapping looks at its readers between receives, to scale out or in. */
const SCALING_TICK_MS = 200;
/** How often a reader whose turn it is looks again for an environment free to run its batch. */
const ENVIRONMENT_WAIT_MS = 10;

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

export interface MappingOptions {
  recorder?: RunRecorder;
  /**
   * Messages visible in the source queue now (SQS's ApproximateNumberOfMessages). With it, "messages are still
   * available" means the queue still holds some after a full receive; without it (tests with a bare SQS client), a full
   * receive alone.
   */
  visibleMessages?: () => number;
}

/**
 * An SQS event source mapping: batch readers that each receive a batch, invoke the function with it, settle it and
 * repeat, as many of them as the scaling model (batch-reader-scaling.ts, AWS's documented behaviour) allows. So the
 * function's concurrent executions never exceed the readers, nor the readers maximumConcurrency.
 *
 * Readers gather batches one at a time (the others wait their turn, then receive at once): fauxqs answers a long poll
 * by waking every waiting receive on the first message sent, and those that find nothing return empty at once, where
 * SQS would keep them waiting. Taking turns keeps empty receives to what a long-polling mapping makes on AWS (one per
 * 20 s wait that nothing arrived in) and batches as full as the queue allows; a gather is quick when messages wait.
 *
 * Laptop concessions, kept because they still fit: one environment is initialised at deploy (LambdaService.prewarm,
 * like Lambda's proactive initialization), and environments initialise one at a time (LambdaService.invoke): a cold
 * start here is CPU work on the same few cores, so five at once would slow each other and the batches waiting for them.
 * So that no batch waits in flight behind other environments' inits, a reader receives only when an environment can
 * run its batch at once (gatherAndInvoke). Throttles cannot happen: readers never exceed maximumConcurrency and the
 * local function has no reserved concurrency.
 */
interface Reader {
  id: number;
  done: Promise<void>;
}

export class SqsEventSourceMapping {
  private readonly readers = new Map<number, Reader>();
  private nextReaderId = 1;
  private running = false;
  private readonly policy: ScalingPolicy;
  private scaling: ScalingState;
  private ticker: NodeJS.Timeout | undefined;
  /** The gathering turn: resolves when the reader gathering before this one is done. */
  private turn: Promise<void> = Promise.resolve();
  /** Readers holding a batch (invoking the function or settling the batch). */
  private busyReaders = 0;
  private readonly abort = new AbortController();
  /** Counts for tests and summaries: receives, batches, deletes, scale events. */
  readonly stats = {
    receives: 0,
    emptyReceives: 0,
    batches: 0,
    deleted: 0,
    retriedBatches: 0,
    failedItems: 0,
    /** Most batch readers the scaling model allowed at once. */
    peakReaders: 0,
    scaleOuts: 0,
    scaleIns: 0,
  };
  private readonly sqs: PollerSqsApi;
  private readonly recorder: RunRecorder | undefined;

  constructor(
    readonly config: EventSourceMappingConfig,
    sqs: SQSClient | PollerSqsApi,
    private readonly runtime: LambdaService,
    private readonly options: MappingOptions = {},
  ) {
    this.sqs = "send" in sqs ? sdkPollerApi(sqs) : sqs;
    this.recorder = options.recorder;
    this.policy = scalingPolicy(config.maximumConcurrency);
    this.scaling = startScaling(this.policy, Date.now());
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Batch readers the scaling model allows now. */
  get batchReaders(): number {
    return this.scaling.readers;
  }

  /** Readers holding a batch right now. */
  get busyBatchReaders(): number {
    return this.busyReaders;
  }

  start(): void {
    if (this.running || !this.config.enabled) return;
    this.running = true;
    this.scaling = startScaling(this.policy, Date.now());
    this.stats.peakReaders = Math.max(this.stats.peakReaders, this.scaling.readers);
    this.fillReaders();
    this.ticker = setInterval(() => this.observe(this.messagesWaitingForAReader()), SCALING_TICK_MS);
    this.ticker.unref();
  }

  /** Stops polling; running invocations finish and their batches are settled before this resolves. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.ticker) clearInterval(this.ticker);
    this.abort.abort();
    await Promise.all([...this.readers.values()].map((r) => r.done));
  }

  private fillReaders(): void {
    while (this.running && this.readers.size < this.scaling.readers) {
      const id = this.nextReaderId++;
      const reader: Reader = { id, done: Promise.resolve() };
      this.readers.set(id, reader);
      reader.done = this.read().finally(() => this.readers.delete(id));
    }
  }

  /** Feeds one observation to the scaling model and follows its decision. */
  private observe(messagesWaiting: boolean): void {
    if (!this.running) return;
    const before = this.scaling.readers;
    this.scaling = nextScaling(this.policy, this.scaling, Date.now(), messagesWaiting);
    const after = this.scaling.readers;
    if (after === before) return;
    const id = this.config.uuid.slice(0, 8);
    if (after > before) {
      this.stats.scaleOuts += 1;
      this.stats.peakReaders = Math.max(this.stats.peakReaders, after);
      this.recorder?.log({
        source: "cloud",
        message: `event source mapping ${id}: messages waiting, scaled out to ${after} batch readers (max ${this.policy.maximum})`,
      });
      this.fillReaders();
    } else {
      this.stats.scaleIns += 1;
      this.recorder?.log({
        source: "cloud",
        message: `event source mapping ${id}: nothing waiting for ${this.policy.scaleInIntervalMs / 1000} s, scaled in to ${after} batch readers (floor ${this.policy.floor})`,
      });
    }
  }

  /** Between receives: messages are visible and every reader holds a batch, so none is on its way to take them. */
  private messagesWaitingForAReader(): boolean {
    const visible = this.options.visibleMessages?.();
    return visible !== undefined && visible > 0 && this.busyReaders >= this.readers.size;
  }

  /** One batch reader: gather a batch in turn, invoke and settle it, repeat while the model keeps this reader. */
  private async read(): Promise<void> {
    while (this.running && this.readers.size <= this.scaling.readers) {
      let invoked: { settled: Promise<void> } | undefined;
      try {
        invoked = await this.gatherAndInvoke();
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
      // Once received, a batch is always invoked and settled, even during stop(), so nothing is left half-done.
      if (invoked) await invoked.settled;
    }
  }

  /**
   * This reader's turn: wait until an environment can run a batch at once (an idle one, the one initialising since
   * deploy, or a cold start of its own when no other is under way), gather a batch, and start its invocation, which
   * takes that environment, before handing the turn on. With one init at a time, batches received before their
   * environment would wait in flight behind other inits, past a short visibility timeout; waiting here leaves them in
   * the queue instead. Resolves with the invocation's settling (wrapped, so it is not awaited here), or undefined when
   * nothing came.
   */
  private async gatherAndInvoke(): Promise<{ settled: Promise<void> } | undefined> {
    const previous = this.turn;
    let done!: () => void;
    this.turn = new Promise((resolve) => (done = resolve));
    try {
      await previous;
      while (this.running && !this.runtime.canStartInvocation) await sleep(ENVIRONMENT_WAIT_MS);
      if (!this.running) return undefined;
      const batch = await this.collectBatch(POLL_WAIT_SECONDS);
      if (batch.length === 0) return undefined;
      const visible = this.options.visibleMessages?.();
      this.observe(batch.length >= this.config.batchSize && (visible === undefined || visible > 0));
      this.busyReaders += 1;
      return {
        settled: this.invokeAndSettle(batch).finally(() => {
          this.busyReaders -= 1;
        }),
      };
    } finally {
      done();
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
