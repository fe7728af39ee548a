// The embedded cloud's commands, `run` and `up`; local/cli.ts is the entry point that loads this module.

import { EXIT, type ExitStatus } from "../contracts";
import { parseCliArgs, USAGE } from "./cli-args";
import { runCommand } from "./run-command";
import { upCommand } from "./up-command";

export async function main(argv: readonly string[]): Promise<ExitStatus> {
  const args = parseCliArgs(argv);
  if (args.command === "help") {
    console.log(USAGE);
    return EXIT.ok;
  }
  return args.command === "up" ? upCommand(args) : runCommand(args);
}
