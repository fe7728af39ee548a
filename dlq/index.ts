/**
 * `npm run dlq -- <command>`: dead-letter queue operations (stats, peek, export, redrive, purge) against AWS or the
 * embedded cloud. `--help` lists the commands; the README's "When the DLQ alarm fires" section is the runbook.
 */

import { createInterface } from "node:readline/promises";
import { EXIT, reportError } from "../contracts";
import { HELP_COMMAND, parseDlqArgs, USAGE } from "./args";
import { exportMessages, peek, purge, redrive, stats } from "./commands";
import type { Io } from "./io";
import { type DlqTarget, locateQueues } from "./queues";

const RUN = { stats, peek, export: exportMessages, redrive, purge } as const;

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write("\ninterrupted: finishing the step in hand (Ctrl-C again quits at once)\n");
    controller.abort();
  };
  const io: Io = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    signal: controller.signal,
    ...(process.stdin.isTTY ? { confirm: ask } : {}),
  };
  let target: DlqTarget | undefined;
  try {
    const args = parseDlqArgs(argv);
    if (args.command === "help") {
      io.out(USAGE);
      return EXIT.ok;
    }
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    process.on("SIGINT", onSignal);
    target = await locateQueues(args, env);
    return await RUN[args.command](args, target, io);
  } catch (error) {
    return reportError(error, io.err, HELP_COMMAND);
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
