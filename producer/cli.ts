/**
 * `tsx producer [options]` (or `npm run produce -- [options]`): sends fake vehicle messages to the vehicle
 * queue at a precise rate and reports exactly what it did. The logic lives in produce.ts, which the
 * embedded cloud calls directly; this file is only the command line around it, run by producer/index.ts when
 * `tsx producer` starts the folder. `--help` lists the options.
 */

import { once } from "node:events";
import { SQSClient } from "@aws-sdk/client-sqs";
import { chooseSqsClientFor, discoverQueue, EXIT, type ExitStatus, reportError } from "../contracts";
import { HELP_COMMAND, type ProducerArgs, parseProducerArgs, USAGE } from "./args";
import { formatProgress, formatSummary } from "./format";
import { dryRunMessages, PRODUCER_MAX_ATTEMPTS, type ProduceSummary, produce } from "./produce";

/**
 * Runs the producer; every error becomes its exit status (contracts' EXIT): bad flags, no queue or a message too
 * large for the queue exit 2, a queue that refuses us 1, a bug 70 with its stack.
 */
async function main(argv: readonly string[], io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    return reportError(error, (line) => io.stderr.write(`${line}\n`), HELP_COMMAND);
  }
}

async function run(
  argv: readonly string[],
  io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream },
): Promise<ExitStatus> {
  const args = parseProducerArgs(argv);
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (args.dryRun) return dryRun(args, io.stdout);

  // The AWS SDK warns on every start under Node 20 that its 2027 releases will need Node 22. That is
  // news for whoever upgrades the SDK, not for someone generating load, so the producer turns off just
  // that warning with the SDK's documented switch, unless the user has set the variable themselves.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

  const controller = new AbortController();
  const onSignal = interruptHandler(controller, io.stderr);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let sqs: SQSClient | undefined;
  try {
    const target = await discoverQueue({ output: "queueUrl", flag: args.queueUrl });
    const client = chooseSqsClientFor(target, args, "producer");
    sqs = new SQSClient({ ...client.config, maxAttempts: PRODUCER_MAX_ATTEMPTS });
    io.stderr.write(
      `sending to ${target.url} (from ${target.source}) via ${client.endpoint ?? `AWS SQS in ${client.region}`}, ${client.credentials}\n`,
    );

    const tty = Boolean(io.stderr.isTTY);
    const summary = await produceFromArgs(args, target.url, sqs, controller.signal, io.stderr, tty);
    if (tty) io.stderr.write("\n");
    io.stdout.write(args.json ? `${JSON.stringify(jsonSummary(summary), null, 2)}\n` : `${formatSummary(summary)}\n`);
    // A message left unsent is a failed run; the summary lists each.
    if (summary.failed > 0) return EXIT.failed;
    const planned = args.count !== undefined || args.durationMs !== undefined || args.profile !== undefined;
    return summary.stoppedBy === "signal" && planned ? EXIT.interrupted : EXIT.ok;
  } finally {
    sqs?.destroy();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** The first signal stops the producer gracefully (batches in flight finish); a second one quits at once. */
function interruptHandler(
  controller: AbortController,
  stderr: NodeJS.WritableStream,
): (signal: NodeJS.Signals) => void {
  let interrupts = 0;
  return (signal) => {
    interrupts += 1;
    if (interrupts === 1) {
      stderr.write(`\n${signal}: stopping; waiting for the batches in flight (press Ctrl-C again to quit at once)\n`);
      controller.abort();
    } else {
      stderr.write(`${signal} again: quitting without waiting for the batches in flight; their outcome is unknown\n`);
      process.exit(EXIT.interrupted);
    }
  };
}

function produceFromArgs(
  args: ProducerArgs,
  queueUrl: string,
  sqs: SQSClient,
  signal: AbortSignal,
  stderr: NodeJS.WritableStream,
  tty: boolean,
): Promise<ProduceSummary> {
  return produce(
    {
      queueUrl,
      rate: args.rate,
      profile: args.profile,
      durationMs: args.durationMs,
      count: args.count,
      batchSize: args.batchSize,
      concurrency: args.concurrency,
      seed: args.seed,
      invalidRatio: args.invalidRatio,
    },
    {
      sqs,
      signal,
      // On a terminal one line rewritten in place; in a log a plain line every five seconds.
      progressIntervalMs: tty ? 500 : 5000,
      onProgress: (progress) =>
        stderr.write(tty ? `\r\x1b[2K${formatProgress(progress)}` : `${formatProgress(progress)}\n`),
    },
  );
}

/** --json: the summary without the per-message list (thousands of lines); produce() returns that list to programs. */
function jsonSummary(summary: ProduceSummary): Omit<ProduceSummary, "messages"> & { peakRssBytes: number } {
  const { messages: _messages, ...rest } = summary;
  return { ...rest, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
}

async function dryRun(args: ProducerArgs, out: NodeJS.WritableStream): Promise<ExitStatus> {
  for (const message of dryRunMessages(args)) {
    const line = `${JSON.stringify({ eventId: message.eventId, kind: message.kind, body: message.body })}\n`;
    // Respect the pipe's backpressure, so `--dry-run --count 1000000 | head` neither buffers everything nor fails.
    if (!out.write(line)) {
      const closed = await Promise.race([once(out, "drain").then(() => false), once(out, "close").then(() => true)]);
      if (closed) break;
    }
  }
  return EXIT.ok;
}

/** Runs the command line on this process's arguments and sets its exit status (producer/index.ts calls it). */
export function runProducerCli(): void {
  // `| head` closing stdout early is normal use, not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(EXIT.ok);
    throw error;
  });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
