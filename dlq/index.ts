/**
 * `npm run dlq -- <command>`: dead-letter queue operations (stats, peek, export, redrive, purge) against AWS or the
 * embedded cloud. `--help` lists the commands; the README's "When the DLQ alarm fires" section is the runbook.
 */

import { createInterface } from "node:readline/promises";
import { QueueNotFoundError } from "../producer/queue-url";
import { RegionMissingError } from "../producer/sqs-client";
import { type DlqArgs, DlqArgsError, parseDlqArgs, USAGE } from "./args";
import { exportMessages, peek, purge, redrive, stats } from "./commands";
import { EXIT, type Io } from "./io";
import { DlqNotFoundError, locateQueues } from "./queues";

const RUN = { stats, peek, export: exportMessages, redrive, purge } as const;
const EXPECTED_ERRORS = [DlqArgsError, DlqNotFoundError, QueueNotFoundError, RegionMissingError];

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let args: DlqArgs;
  try {
    args = parseDlqArgs(argv);
  } catch (error) {
    if (!(error instanceof DlqArgsError)) throw error;
    process.stderr.write(`error: ${error.message}\nrun \`npm run dlq -- --help\` for usage\n`);
    return EXIT.usage;
  }
  if (args.command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write("\ninterrupted: finishing the step in hand (Ctrl-C again quits at once)\n");
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  const io: Io = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    signal: controller.signal,
    ...(process.stdin.isTTY ? { confirm: ask } : {}),
  };
  let target: Awaited<ReturnType<typeof locateQueues>> | undefined;
  try {
    target = await locateQueues(args, env);
    return await RUN[args.command](args, target, io);
  } catch (error) {
    if (EXPECTED_ERRORS.some((type) => error instanceof type)) {
      io.err(`error: ${(error as Error).message}`);
      return EXIT.usage;
    }
    io.err(`error: ${(error as Error).message}`);
    return EXIT.failed;
  } finally {
    target?.sqs.destroy();
    process.off("SIGINT", onSignal);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
