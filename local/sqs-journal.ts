// fauxqs keeps queues in memory. With --persist, this journal keeps their messages across a stop, a crash or a kill -9:
// every change to a queue's contents (a message stored, received, deleted, moved to a DLQ, purged) is appended to a
// JSON-lines file, and the lines of a request are written before its answer leaves, so whatever SQS acknowledged is on
// disk. On the next start the journal is replayed and each queue gets its messages back when the deploy creates it:
// same message ids, bodies, attributes, sent timestamps and receive counts; messages that were in flight come back
// visible, as after their visibility timeout.

import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import type { FastifyInstance } from "fastify";

/** A message as fauxqs stores it (its SqsMessage); only messageId and approximateReceiveCount are read here. */
interface StoredMessage {
  messageId: string;
  approximateReceiveCount: number;
  [field: string]: unknown;
}

type JournalLine =
  | { op: "put"; queue: string; message: StoredMessage }
  | { op: "received"; id: string }
  | { op: "deleted"; id: string }
  | { op: "purged"; queue: string };

/** The parts of fauxqs's SqsQueue the journal wraps. */
interface JournaledQueue {
  name: string;
  enqueue(message: StoredMessage): void;
  dequeue(...args: unknown[]): Array<{ MessageId: string }>;
  deleteMessage(receiptHandle: string): boolean;
  purge(): void;
  inflightMessages: Map<string, { message: StoredMessage }>;
  inspectMessages(): {
    ready: StoredMessage[];
    delayed: StoredMessage[];
    inflight: Array<{ message: StoredMessage }>;
  };
}

/** The parts of fauxqs's SqsStore the journal wraps. */
export interface JournaledStore {
  createQueue(...args: unknown[]): unknown;
  deleteQueue(url: string): unknown;
  getQueue(url: string): unknown;
  listQueues(prefix?: string, maxResults?: number): unknown;
}

/** Replays journal lines into the messages each queue holds, in the order they were stored. */
export function replayJournal(lines: readonly JournalLine[]): Map<string, StoredMessage[]> {
  const where = new Map<string, { queue: string; message: StoredMessage }>();
  for (const line of lines) {
    if (line.op === "put") {
      where.delete(line.message.messageId);
      where.set(line.message.messageId, { queue: line.queue, message: line.message });
    } else if (line.op === "received") {
      const entry = where.get(line.id);
      if (entry) entry.message.approximateReceiveCount += 1;
    } else if (line.op === "deleted") where.delete(line.id);
    else for (const [id, entry] of where) if (entry.queue === line.queue) where.delete(id);
  }
  const byQueue = new Map<string, StoredMessage[]>();
  for (const { queue, message } of where.values()) {
    const list = byQueue.get(queue);
    if (list) list.push(message);
    else byQueue.set(queue, [message]);
  }
  return byQueue;
}

/** Reads a journal, skipping a last line cut short by a crash. */
function readJournal(file: string): JournalLine[] {
  if (!existsSync(file)) return [];
  const lines: JournalLine[] = [];
  for (const text of readFileSync(file, "utf8").split("\n")) {
    if (text.trim() === "") continue;
    try {
      lines.push(JSON.parse(text) as JournalLine);
    } catch {
      // A torn write at the moment of a kill: that request was never answered.
    }
  }
  return lines;
}

/** Rewrites the journal as one `put` per message held now (atomically: a crash leaves the old one or the new one). */
function writeCompacted(file: string, messages: Map<string, StoredMessage[]>): number {
  const tmp = `${file}.tmp`;
  let count = 0;
  const lines: string[] = [];
  for (const [queue, list] of messages)
    for (const message of list) {
      lines.push(`${JSON.stringify({ op: "put", queue, message })}\n`);
      count += 1;
    }
  writeFileSync(tmp, lines.join(""));
  renameSync(tmp, file);
  return count;
}

export interface QueueJournal {
  /** Messages restored per queue name, once the queues have been created. */
  readonly restored: ReadonlyMap<string, number>;
  /** Writes what is buffered and closes the file. */
  close(): void;
}

/** Rewrite the journal once it holds this many lines more than messages held (keeps restarts and disk use small). */
const COMPACT_AFTER_LINES = 50_000;

/**
 * Journals the store's queues to `file` and restores what an earlier run left there. Call before the app listens and
 * before any queue exists; the onSend hook writes each request's lines before its answer is sent.
 */
export function journalQueues(app: FastifyInstance, store: JournaledStore, file: string): QueueJournal {
  mkdirSync(dirname(file), { recursive: true });
  const waiting = replayJournal(readJournal(file));
  const queues = new Set<JournaledQueue>();
  const writer = openJournalWriter(file, writeCompacted(file, waiting), () => heldMessages(queues));
  const restored = new Map<string, number>();

  const { createQueue, deleteQueue } = store;
  store.createQueue = (...args) => {
    const queue = createQueue.apply(store, args) as JournaledQueue;
    if (queues.has(queue)) return queue;
    queues.add(queue);
    // Give back what the journal held for this queue, without journaling it again (the compacted file has it).
    const held = waiting.get(queue.name) ?? [];
    for (const message of held) queue.enqueue(message);
    if (held.length > 0) restored.set(queue.name, held.length);
    waiting.delete(queue.name);
    journalQueueChanges(queue, writer.record);
    return queue;
  };
  store.deleteQueue = (url) => {
    const queue = store.getQueue(url) as JournaledQueue | undefined;
    if (queue) {
      queues.delete(queue);
      writer.record({ op: "purged", queue: queue.name });
    }
    return deleteQueue.call(store, url);
  };

  app.addHook("onSend", async (_request, _reply, payload) => {
    writer.flush();
    return payload;
  });
  // Visibility timeouts and the like change nothing the journal keeps, but a safety net costs nothing.
  const timer = setInterval(writer.flush, 200);
  timer.unref();
  let closed = false;
  return {
    restored,
    close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      writer.close();
    },
  };
}

/** The messages each queue holds now, in flight or not. */
function heldMessages(queues: Iterable<JournaledQueue>): Map<string, StoredMessage[]> {
  const held = new Map<string, StoredMessage[]>();
  for (const queue of queues) {
    const { ready, delayed, inflight } = queue.inspectMessages();
    held.set(queue.name, [...ready, ...delayed, ...inflight.map((entry) => entry.message)]);
  }
  return held;
}

interface JournalWriter {
  /** Buffers a line until the next flush. */
  record(line: JournalLine): void;
  /** Appends what is buffered, and compacts the file once it has grown well past what the queues hold. */
  flush(): void;
  /** Flushes and closes the file. */
  close(): void;
}

/** Appends to a journal that `live` compacted lines start; `held` gives what a compaction writes. */
function openJournalWriter(file: string, live: number, held: () => Map<string, StoredMessage[]>): JournalWriter {
  let fd = openSync(file, "a");
  let buffered: string[] = [];
  let linesSinceCompaction = 0;
  const compact = () => {
    const messages = held();
    closeSync(fd);
    live = writeCompacted(file, messages);
    fd = openSync(file, "a");
    linesSinceCompaction = 0;
  };
  const flush = () => {
    if (buffered.length === 0) return;
    writeSync(fd, buffered.join(""));
    linesSinceCompaction += buffered.length;
    buffered = [];
    if (linesSinceCompaction > COMPACT_AFTER_LINES + live) compact();
  };
  return {
    record(line) {
      buffered.push(`${JSON.stringify(line)}\n`);
    },
    flush,
    close() {
      flush();
      closeSync(fd);
    },
  };
}

/** Wraps the queue's methods that change its messages so each change is also recorded as a journal line. */
function journalQueueChanges(queue: JournaledQueue, record: (line: JournalLine) => void): void {
  const { enqueue, dequeue, deleteMessage, purge } = queue;
  queue.enqueue = (message) => {
    enqueue.call(queue, message);
    record({ op: "put", queue: queue.name, message });
  };
  queue.dequeue = (...args) => {
    const received = dequeue.apply(queue, args);
    for (const message of received) record({ op: "received", id: message.MessageId });
    return received;
  };
  queue.deleteMessage = (receiptHandle) => {
    const entry = queue.inflightMessages.get(receiptHandle);
    const deleted = deleteMessage.call(queue, receiptHandle);
    if (deleted && entry) record({ op: "deleted", id: entry.message.messageId });
    return deleted;
  };
  queue.purge = () => {
    purge.call(queue);
    record({ op: "purged", queue: queue.name });
  };
}
