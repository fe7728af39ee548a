// The unfiltered redrive: SQS's own message move task, followed to completion with --wait.

import type { ListMessageMoveTasksResultEntry } from "@aws-sdk/client-sqs";
import { EXIT, OperatorError } from "../contracts";
import type { DlqArgs } from "./args";
import type { Io } from "./io";
import { attachReasons, dlqStats } from "./messages";
import type { DlqTarget } from "./queues";
import { queueArn, sourceQueueOf } from "./source-queue";
import { cancelMoveTask, latestMoveTask, receiveAll, release, startMoveTask } from "./sqs-io";

const FINISHED = new Set(["COMPLETED", "CANCELLED", "FAILED"]);

function describeTask(task: ListMessageMoveTasksResultEntry): string {
  const moved = `moved ${task.ApproximateNumberOfMessagesMoved ?? 0} of ${task.ApproximateNumberOfMessagesToMove ?? "?"}`;
  return `${task.Status}: ${moved}${task.FailureReason ? ` (${task.FailureReason})` : ""}`;
}

/**
 * Redrives everything with a move task, unless the DLQ holds reason messages: a move task would send them to the
 * source queue too, so then `oneByOne` (re-send each vehicle message, then delete it) does the work.
 */
export async function redriveAll(
  args: DlqArgs,
  target: DlqTarget,
  io: Io,
  oneByOne: () => Promise<number>,
): Promise<number> {
  const sourceUrl = await sourceQueueOf(target);
  // A move task takes everything; look first, so rejected messages are not sent back to fail again.
  const messages = attachReasons(await receiveAll(target.sqs, target.dlqUrl, { holdSeconds: args.holdSeconds }));
  await release(target.sqs, target.dlqUrl, messages);
  const stats = dlqStats(messages);
  if (stats.reasonMessages > 0 && (stats.rejected === 0 || args.force)) {
    io.err(
      `${stats.reasonMessages} reason message(s) in the DLQ, which a move task would send to the source queue: ` +
        "re-sending the vehicle messages one by one instead",
    );
    return oneByOne();
  }
  io.err(
    `will start a message move task: ${stats.total} message(s) from ${target.dlqUrl} to ${sourceUrl}` +
      `${args.rate ? ` at most ${args.rate}/s` : " at SQS's own rate"} (StartMessageMoveTask)`,
  );
  if (stats.rejected > 0 && !args.force) {
    io.err(
      `refusing: ${stats.rejected} of them were rejected by the consumer (errorCode set) and would come straight back.\n` +
        "Use --moved-only to redrive the others, or --force to send everything.",
    );
    return EXIT.failed;
  }
  if (args.dryRun) {
    io.out(`dry run: would move ${stats.total}; nothing changed`);
    return EXIT.ok;
  }
  const sourceArn = await queueArn(target, target.dlqUrl);
  const handle = await startMoveTask(target.sqs, {
    sourceArn,
    destinationArn: await queueArn(target, sourceUrl),
    rate: args.rate,
  });
  io.out(`started move task ${handle}`);
  if (!args.wait) {
    io.out(`follow it with: aws sqs list-message-move-tasks --source-arn ${sourceArn}`);
    return EXIT.ok;
  }
  return followTask(target, sourceArn, handle, io);
}

/** Polls ListMessageMoveTasks once a second until the task ends; Ctrl-C offers CancelMessageMoveTask. */
async function followTask(target: DlqTarget, sourceArn: string, handle: string, io: Io): Promise<number> {
  let cancelAsked = false;
  for (;;) {
    const task = await latestMoveTask(target.sqs, sourceArn);
    if (!task) throw new OperatorError(`ListMessageMoveTasks does not show task ${handle}`);
    io.err(`  ${describeTask(task)}`);
    if (FINISHED.has(task.Status ?? "")) {
      io.out(`move task ${describeTask(task)}`);
      return task.Status === "COMPLETED" ? EXIT.ok : task.Status === "CANCELLED" ? EXIT.interrupted : EXIT.failed;
    }
    if (io.signal.aborted && !cancelAsked) {
      cancelAsked = true;
      const cancel = io.confirm ? await io.confirm(`cancel move task ${handle}? [y/N] `) : true;
      if (!cancel) {
        io.out(`left running; cancel later with: aws sqs cancel-message-move-task --task-handle ${handle}`);
        return EXIT.interrupted;
      }
      io.err(`cancelling: ${await cancelMoveTask(target.sqs, handle)} moved so far`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
