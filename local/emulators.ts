import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { OperatorError } from "../contracts";
import { redriveAllowed } from "../controlplane";
import { deadLetterQueuesOf, registerSqsFaultHooks } from "./faults/sqs-fault-hooks";
import { type InjectedCaller, injectSqsAction } from "./fauxqs-inject";
import { buildFauxqsApp, createFauxqsStore, type FauxqsStore } from "./fauxqs-store";
import type { CloudIam } from "./iam/cloud-iam";
import { redriveSourcesOf } from "./iam/redrive-sources";
import { registerSqsIam } from "./iam/sqs-iam-hook";
import { registerMessageMoveTasks } from "./message-move-tasks";
import { enforceSqsMessageRules } from "./sqs-fidelity";
import { journalQueues, type QueueJournal } from "./sqs-journal";

export interface RunningEmulator {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
}

/** One API call an emulator answered, as the embedded cloud's recorder sees it (the CloudWatch of the laptop). */
export interface EmulatorCall {
  /** The X-Amz-Target operation without its prefix: SendMessageBatch, PutItem, ... */
  operation: string;
  statusCode: number;
  latencyMs: number;
  /** The parsed JSON request (SQS) or undefined (DynamoDB, whose body we do not parse twice). */
  request: Record<string, unknown> | undefined;
  /** The JSON response text (SQS only). */
  response: string | undefined;
  /** Size of the request body in bytes, from Content-Length. */
  requestBytes: number;
}
export type EmulatorCallListener = (call: EmulatorCall) => void;

/** The listener registry shared by both emulators: cheap when nobody listens. */
function callListeners() {
  const listeners = new Set<EmulatorCallListener>();
  return {
    listeners,
    onCall(listener: EmulatorCallListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function operationOf(target: unknown): string {
  const text = String(target ?? "");
  return text.slice(text.lastIndexOf(".") + 1);
}

export interface SqsOptions extends EmulatorOptions {
  /**
   * Build queue URLs from the host the creating request used (http://127.0.0.1:PORT/000000000000/name) instead of
   * fauxqs's default http://sqs.<region>.localhost:PORT/..., which does not resolve on most machines: the AWS CLI,
   * SDKs without an endpoint override and the consumer's DLQ_URL can then use the URL as it is.
   */
  loopbackQueueUrls?: boolean;
  /** Keep queue contents in this journal file across restarts (needs loopbackQueueUrls, which gives us the store). */
  journalFile?: string;
  /** Injects dlq-send-fail into SendMessage calls to dead-letter queues (faults/sqs-fault-hooks.ts). */
  faults?: import("./faults/injector").FaultInjector;
  /** Authorizes every call and keeps the queues' Policy and RedriveAllowPolicy (iam/sqs-iam-hook.ts). */
  iam?: CloudIam;
}

/** Thrown when an emulator cannot bind, with the port and what to do about it. */
class EmulatorStartError extends OperatorError {
  constructor(service: string, port: number, cause: unknown) {
    const inUse = (cause as NodeJS.ErrnoException)?.code === "EADDRINUSE";
    super(
      `cannot start the ${service} emulator on 127.0.0.1:${port}: ${
        inUse
          ? `port ${port} is already in use (another embedded cloud, or another program)`
          : String((cause as Error)?.message ?? cause)
      }`,
      inUse ? "pick another with --port, or stop what holds it" : undefined,
      { cause },
    );
  }
}

/**
 * SQS on fauxqs, in this process, bound to loopback only. fauxqs's own startFauxqs() and CLI bind
 * 0.0.0.0, so we build its fastify app and listen ourselves. fauxqs is ESM-only: imported, not required.
 */
export async function startSqs(options: SqsOptions = {}): Promise<
  RunningEmulator & {
    app: import("fastify").FastifyInstance;
    store: FauxqsStore | undefined;
    journal: QueueJournal | undefined;
    onCall(listener: EmulatorCallListener): () => void;
  }
> {
  const port = options.port ?? 0;
  const store = options.loopbackQueueUrls ? await createFauxqsStore() : undefined;
  const app = await buildFauxqsApp(store);
  const iam = options.iam;
  // IAM first: its preValidation hook runs before every preHandler registered below (move tasks, rules, faults).
  const moveTasks = registerMessageMoveTasks(
    app,
    iam && ((deadLetterArn, sourceArn) => redriveAllowed(iam.redriveAllowPolicy(deadLetterArn), sourceArn)),
  );
  if (iam)
    registerSqsIam(app, {
      iam,
      redriveSources: redriveSourcesOf(store),
      taskSource: (handle) => moveTasks.byHandle(handle)?.sourceArn,
    });
  enforceSqsMessageRules(app);
  const journal = store && options.journalFile ? journalQueues(app, store, options.journalFile) : undefined;
  if (options.faults) registerSqsFaultHooks(app, options.faults, deadLetterQueuesOf(store));
  const calls = callListeners();
  // Every SQS call passes here once answered: the recorder counts sends, receives and deletes from these.
  app.addHook("onSend", async (request, reply, payload) => {
    if (calls.listeners.size > 0 && request.method === "POST") {
      const started = (request as unknown as { startedAt?: number }).startedAt ?? performance.now();
      const call: EmulatorCall = {
        operation: operationOf(request.headers["x-amz-target"]),
        statusCode: reply.statusCode,
        latencyMs: performance.now() - started,
        request: request.body as Record<string, unknown> | undefined,
        response: typeof payload === "string" ? payload : undefined,
        requestBytes: Number(request.headers["content-length"] ?? 0),
      };
      for (const listener of calls.listeners) listener(call);
    }
    return payload;
  });
  app.addHook("onRequest", async (request) => {
    (request as unknown as { startedAt?: number }).startedAt = performance.now();
  });
  try {
    await app.listen({ port, host: "127.0.0.1" });
  } catch (error) {
    await app.close().catch(() => undefined);
    journal?.close();
    throw new EmulatorStartError("SQS (fauxqs)", port, error);
  }
  const bound = (app.server.address() as AddressInfo).port;
  return {
    app,
    store,
    journal,
    onCall: calls.onCall,
    endpoint: `http://127.0.0.1:${bound}`,
    port: bound,
    close: async () => {
      await app.close();
      journal?.close();
    },
  };
}

/**
 * The event source mapping's SQS calls answered by fauxqs's fastify app through app.inject(): the same routing,
 * content-type parser, handlers and onRequest/onSend hooks (so the recorder counts every receive and delete as before),
 * without a socket and without an SDK client in between. Lambda's pollers are the service's own, not the function's
 * SDK; the function's calls still go over HTTP through its SDK. They act as `caller`, the function's execution role,
 * and IAM judges them as it judges any call.
 */
export function injectedSqsApi(
  app: import("fastify").FastifyInstance,
  host: string,
  caller: InjectedCaller,
): import("./event-source-mapping").PollerSqsApi {
  // biome-ignore lint/suspicious/noExplicitAny: the SQS JSON protocol response; PollerSqsApi below gives each operation its type
  const call = async (operation: string, input: unknown): Promise<any> => {
    const answer = await injectSqsAction(app, host, operation, input, caller);
    if (!answer.ok)
      throw Object.assign(new Error(`${operation}: ${answer.code}: ${answer.message}`), {
        name: answer.type,
        statusCode: answer.statusCode,
      });
    return answer.body;
  };
  return {
    async receiveMessage(input, signal) {
      if (signal.aborted) throw Object.assign(new Error("aborted"), { name: "AbortError" });
      // Like the SDK's abortSignal: the caller stops waiting; fauxqs finishes the long poll on its own, and anything it
      // hands out after that becomes visible again after the visibility timeout (as with an aborted HTTP request).
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
        signal.addEventListener("abort", onAbort, { once: true });
      });
      try {
        const result = await Promise.race([call("ReceiveMessage", input), aborted]);
        const messages = (result.Messages ?? []) as import("@aws-sdk/client-sqs").Message[];
        // The JSON protocol carries binary attribute values as base64; the SDK hands them out as bytes.
        for (const message of messages) {
          for (const value of Object.values(message.MessageAttributes ?? {})) {
            if (typeof value.BinaryValue === "string") value.BinaryValue = Buffer.from(value.BinaryValue, "base64");
            if (value.BinaryListValues)
              value.BinaryListValues = value.BinaryListValues.map((v) =>
                typeof v === "string" ? Buffer.from(v, "base64") : v,
              );
          }
        }
        return messages;
      } finally {
        signal.removeEventListener("abort", onAbort!);
      }
    },
    deleteMessageBatch: (input) => call("DeleteMessageBatch", input),
  };
}

export interface DynamoOptions extends EmulatorOptions {
  /** Keep tables in a LevelDB folder here instead of in memory. */
  path?: string;
  /**
   * Run dynalite in a worker thread (local/dynamo-worker.js) instead of on this event loop: the embedded cloud does,
   * so DynamoDB's CPU work runs beside fauxqs and the pollers rather than between them.
   */
  inWorkerThread?: boolean;
  /** DynamoDB faults injected in the worker around dynalite (faults/dynamo-fault-layer.js); worker thread only. */
  faults?: { rates: Record<string, number | undefined>; seed: number; slowMs?: number };
  /** Told of every fault the worker injected. */
  onFault?: (kind: string) => void;
  /** Authorizes every call in the worker, before dynalite (iam/dynamo-iam-layer.js); worker thread only. */
  iam?: CloudIam;
}

async function startDynamoThread(
  options: DynamoOptions,
): Promise<RunningEmulator & { onCall(listener: EmulatorCallListener): () => void; setFaultSlowMs(ms: number): void }> {
  const { Worker } = await import("node:worker_threads");
  const { join } = await import("node:path");
  const port = options.port ?? 0;
  const { iam } = options;
  const worker = new Worker(join(__dirname, "dynamo-worker.js"), {
    workerData: { port, path: options.path, faults: options.faults, iam: iam && { generation: iam.generation } },
  });
  const calls = callListeners();
  const stopFollowingIam = iam?.onChange((generation) => worker.postMessage({ type: "iam-generation", generation }));
  const bound = await new Promise<number>((resolve, reject) => {
    worker.on(
      "message",
      (message: {
        type: string;
        port?: number;
        code?: string;
        message?: string;
        calls?: Array<EmulatorCall & { at: number }>;
        kind?: string;
        id?: number;
        question?: DynamoQuestion;
      }) => {
        if (message.type === "authorize" && iam) {
          worker.postMessage({ type: "authorized", id: message.id, answer: answerDynamo(iam, message.question!) });
        } else if (message.type === "listening") resolve(message.port!);
        else if (message.type === "fault") options.onFault?.(message.kind!);
        else if (message.type === "error") {
          void worker.terminate();
          reject(
            new EmulatorStartError(
              "DynamoDB (dynalite)",
              port,
              Object.assign(new Error(message.message), { code: message.code }),
            ),
          );
        } else if (message.type === "calls") {
          for (const call of message.calls ?? [])
            for (const listener of calls.listeners) listener({ ...call, request: undefined, response: undefined });
        }
      },
    );
    worker.once("error", (error) => reject(new EmulatorStartError("DynamoDB (dynalite)", port, error)));
  });
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    port: bound,
    setFaultSlowMs: (ms) => worker.postMessage({ type: "fault-slow-ms", ms }),
    onCall(listener) {
      worker.postMessage({ type: "observe", on: true });
      return calls.onCall(listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        stopFollowingIam?.();
        const done = () => void worker.terminate().then(() => resolve());
        worker.once("message", (message: { type: string }) => message.type === "closed" && done());
        worker.postMessage({ type: "close" });
        setTimeout(done, 2000);
      }),
  };
}

/** What the DynamoDB worker asks before a call (iam/dynamo-iam-layer.js). */
interface DynamoQuestion {
  accessKeyId: string;
  sessionToken?: string;
  operation: string;
  input: Record<string, unknown>;
}

/** The decision, with the generation it holds for (the worker caches allows until the next one). */
function answerDynamo(iam: CloudIam, question: DynamoQuestion) {
  const generation = iam.generation;
  const credentials = {
    accessKeyId: question.accessKeyId,
    ...(question.sessionToken ? { sessionToken: question.sessionToken } : {}),
  };
  const verdict = iam.authorize("dynamodb", question.operation, question.input, credentials);
  return verdict.allowed ? { allowed: true, generation } : { allowed: false, generation, wire: verdict.wire };
}

/** DynamoDB on dynalite, in this process, bound to loopback only, with instant table creation. */
export async function startDynamo(
  options: DynamoOptions = {},
): Promise<
  RunningEmulator & { onCall(listener: EmulatorCallListener): () => void; setFaultSlowMs?(ms: number): void }
> {
  if (options.inWorkerThread) return startDynamoThread(options);
  const port = options.port ?? 0;
  // dynalite ships no types; its factory returns a plain http.Server. Started through the wrapper that gives it
  // AWS's answers where it lacks them, as the worker thread does.
  const { startableDynalite } = require("./dynalite-aws.js") as {
    startableDynalite: (opts: Record<string, unknown>) => Server;
  };
  const server = startableDynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new EmulatorStartError("DynamoDB (dynalite)", port, error)));
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const calls = callListeners();
  // A second "request" listener beside dynalite's own: it sees every call and when its answer finished.
  server.on("request", (request: import("node:http").IncomingMessage, response: import("node:http").ServerResponse) => {
    if (calls.listeners.size === 0) return;
    const started = performance.now();
    response.once("finish", () => {
      const call: EmulatorCall = {
        operation: operationOf(request.headers["x-amz-target"]),
        statusCode: response.statusCode,
        latencyMs: performance.now() - started,
        request: undefined,
        response: undefined,
        requestBytes: Number(request.headers["content-length"] ?? 0),
      };
      for (const listener of calls.listeners) listener(call);
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    onCall: calls.onCall,
    endpoint: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
