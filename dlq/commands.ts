// The five commands of `npm run dlq`: each says what it will do, does it with progress, and ends with a summary.

import { writeFile } from "node:fs/promises";
import { EXIT } from "../contracts";
import type { DlqArgs } from "./args";
import { formatMessage, formatStats } from "./format";
import type { Io } from "./io";
import {
  attachReasons,
  type DlqMessage,
  dlqStats,
  exportRecord,
  isReasonMessage,
  matches,
  redrivePlan,
  sendBatches,
} from "./messages";
import type { DlqTarget } from "./queues";
import { redriveAll } from "./redrive-task";
import { sourceQueueOf } from "./source-queue";
import { chunks, deleteBatch, receiveAll, release, resendBatch } from "./sqs-io";

/** Reads every message (held invisible for args.holdSeconds), runs work on them, then releases whatever work left. */
async function withAllMessages<T>(
  args: DlqArgs,
  target: DlqTarget,
  io: Io,
  work: (messages: DlqMessage[], consumed: Set<DlqMessage>) => Promise<T>,
): Promise<T> {
  io.err(`reading every message of ${target.describe}, each held invisible for up to ${args.holdSeconds} s`);
  let last = 0;
  const messages = attachReasons(
    await receiveAll(target.sqs, target.dlqUrl, {
      holdSeconds: args.holdSeconds,
      onProgress: (received, expected) => {
        if (received - last < 500) return;
        last = received;
        io.err(`  read ${received} of about ${expected}`);
      },
    }),
  );
  const consumed = new Set<DlqMessage>();
  try {
    return await work(messages, consumed);
  } finally {
    const left = messages.filter((m) => !consumed.has(m));
    await release(target.sqs, target.dlqUrl, left);
    io.err(`released ${left.length} message(s) back to the DLQ (visible again now)`);
  }
}

export async function stats(args: DlqArgs, target: DlqTarget, io: Io): Promise<number> {
  const result = await withAllMessages(args, target, io, async (m) => dlqStats(m, { byPrefix: args.byPrefix }));
  io.out(args.json ? JSON.stringify(result, null, 2) : formatStats(result));
  return EXIT.ok;
}

export async function peek(args: DlqArgs, target: DlqTarget, io: Io): Promise<number> {
  const shown = await withAllMessages(args, target, io, async (messages) =>
    messages.filter((m) => shownByPeek(m, args.code)).slice(0, args.limit ?? 10),
  );
  for (const m of shown) io.out(args.json ? JSON.stringify(exportRecord(m)) : formatMessage(m));
  io.err(`${shown.length} message(s) shown${args.code ? ` with errorCode ${args.code}` : ""}; none consumed`);
  return EXIT.ok;
}

/** A reason message is shown inside the message it describes; alone only when that message is not in the DLQ. */
function shownByPeek(message: DlqMessage, code: string | undefined): boolean {
  if (isReasonMessage(message))
    return message.reasonMatched === false && (code === undefined || message.errorCode === code);
  return matches(message, { code });
}

async function writeExport(file: string, messages: readonly DlqMessage[]): Promise<void> {
  await writeFile(file, messages.map((m) => `${JSON.stringify(exportRecord(m))}\n`).join(""));
}

export async function exportMessages(args: DlqArgs, target: DlqTarget, io: Io): Promise<number> {
  io.err(
    `will write every message${args.code ? ` with errorCode ${args.code}` : ""} to ${args.out}; nothing is deleted`,
  );
  const count = await withAllMessages(args, target, io, async (messages) => {
    // Reason messages are kept beside the messages they describe: an investigation needs both.
    const selected = messages.filter(
      (m) => (isReasonMessage(m) || matches(m, {})) && (!args.code || m.errorCode === args.code),
    );
    await writeExport(args.out!, selected);
    return selected.length;
  });
  io.out(`exported ${count} message(s) to ${args.out}`);
  return EXIT.ok;
}

export async function purge(args: DlqArgs, target: DlqTarget, io: Io): Promise<number> {
  const file = args.noExport ? undefined : `dlq-export-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`;
  io.err(
    `will delete every message now in the DLQ${file ? `, after exporting them to ${file}` : " WITHOUT an export"}`,
  );
  // Only the messages read (and exported) are deleted, by receipt handle: one arriving meanwhile is neither exported
  // nor lost, which PurgeQueue could not promise.
  const deleted = await withAllMessages(args, target, io, async (messages, consumed) => {
    if (file) await writeExport(file, messages);
    for (const batch of chunks(messages)) {
      if (io.signal.aborted) break;
      await deleteBatch(target.sqs, target.dlqUrl, batch);
      for (const m of batch) consumed.add(m);
    }
    return consumed.size;
  });
  io.out(`deleted ${deleted} message(s)${file ? `; exported to ${file}` : ""}`);
  return io.signal.aborted ? EXIT.interrupted : EXIT.ok;
}

export async function redrive(args: DlqArgs, target: DlqTarget, io: Io): Promise<number> {
  const filtered = args.code !== undefined || args.movedOnly || args.limit !== undefined;
  if (!filtered) return redriveAll(args, target, io, () => redriveEach(args, target, io));
  return redriveEach(args, target, io);
}

/** Re-sends the selected vehicle messages one batch at a time, then deletes each; reason messages stay. */
async function redriveEach(args: DlqArgs, target: DlqTarget, io: Io): Promise<number> {
  const sourceUrl = await sourceQueueOf(target);
  return withAllMessages(args, target, io, async (messages, consumed) => {
    const plan = redrivePlan(messages, {
      code: args.code,
      movedOnly: args.movedOnly,
      force: args.force,
      limit: args.limit,
    });
    io.err(
      `will re-send ${plan.send.length} message(s) to ${sourceUrl} (body and eventId), deleting each from the DLQ once sent` +
        (args.rate ? `, at most ${args.rate}/s` : ""),
    );
    if (plan.refused.length > 0)
      io.err(
        `refusing ${plan.refused.length} rejected message(s) (errorCode set; they would come straight back): --force sends them`,
      );
    if (plan.overLimit > 0) io.err(`${plan.overLimit} more match but are beyond --limit`);
    if (plan.reasonMessages > 0)
      io.err(`keeping ${plan.reasonMessages} reason message(s) in the DLQ: they are not vehicle messages`);
    if (args.dryRun) {
      io.out(`dry run: would redrive ${plan.send.length}, refuse ${plan.refused.length}; nothing changed`);
      return EXIT.ok;
    }
    const moved = await resendThenDelete(plan.send, sourceUrl, args, target, io, consumed);
    io.out(
      `redriven ${moved} of ${plan.send.length}; refused ${plan.refused.length}; left in the DLQ ${messages.length - moved}`,
    );
    if (io.signal.aborted) return EXIT.interrupted;
    return plan.refused.length > 0 && moved === 0 ? EXIT.failed : EXIT.ok;
  });
}

/** Send first, then delete: a crash between the two leaves a duplicate (which the consumer skips), never a loss. */
async function resendThenDelete(
  messages: readonly DlqMessage[],
  sourceUrl: string,
  args: DlqArgs,
  target: DlqTarget,
  io: Io,
  consumed: Set<DlqMessage>,
): Promise<number> {
  const started = Date.now();
  let moved = 0;
  for (const batch of sendBatches(messages)) {
    if (io.signal.aborted) {
      io.err("interrupted: stopping after the batch in hand");
      break;
    }
    const sent = await resendBatch(target.sqs, sourceUrl, batch);
    if (sent.length > 0) await deleteBatch(target.sqs, target.dlqUrl, sent);
    for (const m of sent) consumed.add(m);
    moved += sent.length;
    if (sent.length < batch.length)
      io.err(`${batch.length - sent.length} message(s) not accepted by SQS; left in the DLQ`);
    if (moved % 500 < batch.length) io.err(`  redriven ${moved} of ${messages.length}`);
    if (args.rate) {
      const due = started + (moved / args.rate) * 1000;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    }
  }
  return moved;
}
