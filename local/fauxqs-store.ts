import { OperatorError } from "../contracts";

/**
 * The one place that reaches inside fauxqs. fauxqs exports only its fastify app; the embedded cloud also needs its
 * in-memory SQS store (queue depth and age without an API call, the --persist journal, loopback queue URLs), which
 * lives in dist/sqs/sqsStore.js. That file is not part of fauxqs's public API, so this module names every member the
 * embedded cloud relies on and checks them when it loads the store: a fauxqs upgrade that moves one fails here, with a
 * sentence, instead of somewhere later with `undefined is not a function`.
 */

// fauxqs is ESM-only; its types are read as an ES module would read them.
type BuildAppOptions = import("fauxqs", { with: { "resolution-mode": "import" }}).BuildAppOptions;

/** fauxqs's store, typed from the store option of its public buildApp, so tsc notices when its shape changes. */
export type FauxqsStore = NonNullable<BuildAppOptions["stores"]>["sqsStore"];
export type FauxqsQueue = ReturnType<FauxqsStore["createQueue"]>;

/** The version this adapter was written against (package.json pins it: fauxqs 2 needs Node 22). */
export const FAUXQS_VERSION = "1.9.2";

/** The members of the store and of its queues that the embedded cloud calls or reads. */
const STORE_METHODS = ["createQueue", "deleteQueue", "getQueue", "getQueueByName", "listQueues"] as const;
const QUEUE_METHODS = ["enqueue", "dequeue", "deleteMessage", "purge", "inspectMessages", "getAttribute"] as const;
const QUEUE_FIELDS = ["name", "url", "arn", "attributes", "messages", "inflightMessages", "delayedMessages"] as const;

/** The installed fauxqs lacks something the embedded cloud relies on. */
class FauxqsInternalsError extends OperatorError {
  constructor(what: string, version: string | undefined) {
    super(
      `fauxqs ${version ?? "(version unknown)"} ${what}; the embedded cloud reaches into fauxqs ${FAUXQS_VERSION}'s store ` +
        "(local/fauxqs-store.ts)",
      `run \`npm ci\` to install the pinned fauxqs ${FAUXQS_VERSION}, or update local/fauxqs-store.ts for this version`,
    );
  }
}

interface StoreModule {
  SqsStore?: new () => FauxqsStore;
}

/**
 * Throws FauxqsInternalsError naming the first member missing from the store module (dist/sqs/sqsStore.js as
 * imported), or from a store and a queue made with it. Exported for the test that plants a store without a member.
 */
export function checkFauxqsStore(module: StoreModule, version: string | undefined): new () => FauxqsStore {
  const Store = module.SqsStore;
  if (typeof Store !== "function")
    throw new FauxqsInternalsError("has no SqsStore class in dist/sqs/sqsStore.js", version);
  const store = new Store() as unknown as Record<string, unknown>;
  for (const method of STORE_METHODS)
    if (typeof store[method] !== "function") throw new FauxqsInternalsError(`has no SqsStore.${method}()`, version);
  if (!("host" in store)) throw new FauxqsInternalsError("has no SqsStore.host", version);
  const queue = (store as unknown as FauxqsStore).createQueue(
    "adapter-check",
    "http://127.0.0.1/000000000000/adapter-check",
    "arn:aws:sqs:us-east-1:000000000000:adapter-check",
  ) as unknown as Record<string, unknown>;
  for (const method of QUEUE_METHODS)
    if (typeof queue[method] !== "function") throw new FauxqsInternalsError(`has no SqsQueue.${method}()`, version);
  for (const field of QUEUE_FIELDS)
    if (!(field in queue)) throw new FauxqsInternalsError(`has no SqsQueue.${field}`, version);
  return Store;
}

/** The installed fauxqs's version and the folder it is in. */
function installedFauxqs(): { folder: string; version: string | undefined } {
  const { existsSync, readFileSync } = require("node:fs") as typeof import("node:fs");
  const { join } = require("node:path") as typeof import("node:path");
  for (const folder of require.resolve.paths("fauxqs") ?? []) {
    const manifest = join(folder, "fauxqs", "package.json");
    if (existsSync(manifest))
      return { folder: join(folder, "fauxqs"), version: JSON.parse(readFileSync(manifest, "utf8")).version };
  }
  throw new FauxqsInternalsError("is not installed", undefined);
}

/**
 * A new, empty store whose queue URLs use the host each creating request named (http://127.0.0.1:PORT/...) rather than
 * fauxqs's sqs.<region>.localhost, which does not resolve on most machines. fauxqs is ESM-only: imported, not required.
 */
export async function createFauxqsStore(): Promise<FauxqsStore> {
  const { join } = await import("node:path");
  const { pathToFileURL } = await import("node:url");
  const { folder, version } = installedFauxqs();
  let module: StoreModule;
  try {
    module = (await import(pathToFileURL(join(folder, "dist", "sqs", "sqsStore.js")).href)) as StoreModule;
  } catch (error) {
    throw new FauxqsInternalsError(`has no loadable dist/sqs/sqsStore.js (${(error as Error).message})`, version);
  }
  const store = new (checkFauxqsStore(module, version))();
  store.host = "";
  return store;
}

/** A queue's depth as SQS's Approximate* attributes count it: waiting, in flight, delayed (0 for a missing queue). */
export function queueDepth(queue: FauxqsQueue | undefined): { visible: number; inFlight: number; delayed: number } {
  return {
    visible: Number(queue?.getAttribute("ApproximateNumberOfMessages") ?? 0),
    inFlight: Number(queue?.getAttribute("ApproximateNumberOfMessagesNotVisible") ?? 0),
    delayed: Number(queue?.getAttribute("ApproximateNumberOfMessagesDelayed") ?? 0),
  };
}

/**
 * What identifies each message a queue holds, waiting, delayed or in flight: its eventId attribute, or its SQS
 * message id when it has none (the verifier's key for a sent message).
 */
export function heldMessageIds(queue: FauxqsQueue | undefined, attribute: string): Set<string> {
  const ids = new Set<string>();
  if (!queue) return ids;
  const { ready, delayed, inflight } = queue.inspectMessages();
  for (const message of [...ready, ...delayed, ...inflight.map((entry) => entry.message)])
    ids.add(message.messageAttributes[attribute]?.StringValue ?? message.messageId);
  return ids;
}

/** fauxqs's fastify app, on the given store when there is one (fauxqs makes its SNS and S3 stores itself). */
export async function buildFauxqsApp(store: FauxqsStore | undefined): Promise<import("fastify").FastifyInstance> {
  const { buildApp } = await import("fauxqs");
  const stores = store ? ({ sqsStore: store } as BuildAppOptions["stores"]) : undefined;
  return buildApp({ logger: false, ...(stores ? { stores } : {}) }) as unknown as import("fastify").FastifyInstance;
}
