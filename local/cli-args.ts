// The command line of `npm start` and `npm run local`: its commands, flags and defaults.

import {
  parseCommandLine,
  parseCount,
  parseDuration,
  parseInteger,
  parseInvalidRatio,
  parseProfile,
  parseRate,
  parseSeed,
  stackFileNamed,
  UsageError,
} from "../contracts";
import { parseFaultFlags } from "./faults/cli-flags";
import type { FaultSettings } from "./faults/injector";
import type { RunLoad } from "./pipeline-run";

export const USAGE = `The vehicle pipeline on this machine: SQS (fauxqs) and DynamoDB (dynalite) on 127.0.0.1, the Pulumi
program deployed into them, the consumer run the way Lambda runs it.

Usage:
  npm start [-- options]              = local/cli.ts run: deploy, produce, drain, verify, exit 0 if verified
  npm run local -- up [options]       deploy and stay up until Ctrl-C, printing endpoints and AWS CLI settings

run options (passed to the producer):
  --rate <r>            messages per second, e.g. 200/s, or max            (default 200/s)
  --duration <d>        how long to produce, e.g. 30s, 2m                   (default 30s)
  --count <n>           stop after n messages (instead of --duration)
  --profile <phases>    stepped rates, e.g. "50/s:20s,400/s:40s,0/s:10s" (replaces --rate/--duration)
  --invalid-ratio <x>   share of malformed messages, 0 to 1                 (default 0.02)
  --seed <n>            reproducible vehicles

both:
  --persist             keep the table, the queues and the DLQ on disk under .local/ (dynamodb/ and
                        sqs/journal.jsonl), across a stop, a crash or kill -9
  --port <n>            fix the ports: SQS on n, DynamoDB on n+1          (default: free ports)
  --stack <name>        read the settings from Pulumi.<name>.yaml, as \`pulumi up\` does  (default $PULUMI_STACK,
                        else dev; Pulumi.faults.yaml has short timeouts so redeliveries happen within seconds)
  --faults <spec>       inject AWS's failure modes, a comma list of kind=rate (share of eligible calls, 0 to 1):
                        ddb-throttle, ddb-5xx, ddb-lost-ack, ddb-slow (PutItem), sqs-duplicate, sqs-delete-fail
                        (the event source mapping), lambda-crash, lambda-init-fail, lambda-first-invoke-error,
                        dlq-send-fail (SendMessage to a DLQ); e.g. --faults ddb-throttle=0.05,lambda-crash=0.02
  --faults-seed <n>     seed the faults' dice, so a run is reproducible   (default: random, printed)
  --no-iam              do not authorize calls: every SQS and DynamoDB call passes, whatever its keys (by default
                        each is judged against the stack's IAM and queue policies, as on AWS, and a refusal fails
                        the run)
  --help                this text

Stack settings (batch size, concurrency, timeouts, ...) come from Pulumi.<stack>.yaml, as for \`pulumi up\`.

Exit status: 0 verified (run) or stopped (up); 1 verification failed, or something the cloud needs is missing or
refused (a port in use, another cloud running, \`npm ci\` not run, the program failing); 2 bad command or flags;
130 Ctrl-C twice; 70 a bug in this repository.`;

export interface CliArgs {
  command: "run" | "up" | "help";
  load: RunLoad;
  persist: boolean;
  port: number | undefined;
  /** --stack: the stack whose settings are deployed (undefined: $PULUMI_STACK, else dev). */
  stackName?: string;
  faults?: FaultSettings;
  /** False with --no-iam: the control plane authorizes nothing. */
  iam: boolean;
}

const DEFAULT_RUN = { rate: 200, durationMs: 30_000, invalidRatio: 0.02 } as const;

const EXAMPLES = {
  "--port": "--port 4566",
  "--faults": "--faults ddb-throttle=0.05",
  "--faults-seed": "--faults-seed 42",
};

/** Parses `[run|up] [options]`; throws a UsageError naming the command or flag. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const { values, positionals } = parseCommandLine(
    {
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        rate: { type: "string" },
        duration: { type: "string" },
        count: { type: "string" },
        profile: { type: "string" },
        "invalid-ratio": { type: "string" },
        seed: { type: "string" },
        persist: { type: "boolean", default: false },
        port: { type: "string" },
        stack: { type: "string" },
        faults: { type: "string" },
        "faults-seed": { type: "string" },
        "no-iam": { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    },
    EXAMPLES,
  );
  const command = values.help ? "help" : (positionals[0] ?? "run");
  if (command !== "run" && command !== "up" && command !== "help")
    throw new UsageError(`unknown command "${command}": expected run or up`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const faults = parseFaultFlags(values.faults, values["faults-seed"]);
  if (values.stack !== undefined) stackFileNamed(values.stack);
  // The shared parsers, so `npm start` accepts and rejects exactly what `tsx producer` does.
  const load: RunLoad = {};
  if (values.profile !== undefined) {
    if (values.rate !== undefined || values.duration !== undefined)
      throw new UsageError("--profile replaces --rate and --duration: give one or the other");
    load.profile = parseProfile(values.profile);
  } else {
    load.rate = values.rate !== undefined ? parseRate(values.rate, "--rate", { allowMax: true }) : DEFAULT_RUN.rate;
    if (values.duration !== undefined) load.durationMs = parseDuration(values.duration);
    else if (values.count === undefined) load.durationMs = DEFAULT_RUN.durationMs;
  }
  if (values.count !== undefined) load.count = parseCount(values.count);
  load.invalidRatio =
    values["invalid-ratio"] !== undefined ? parseInvalidRatio(values["invalid-ratio"]) : DEFAULT_RUN.invalidRatio;
  if (values.seed !== undefined) load.seed = parseSeed(values.seed);
  const port =
    values.port === undefined
      ? undefined
      : parseInteger(values.port, "--port", 1, 65_534, "4566 (DynamoDB takes the next one)");
  return {
    command,
    load,
    persist: values.persist ?? false,
    port,
    stackName: values.stack,
    faults,
    iam: !values["no-iam"],
  };
}
