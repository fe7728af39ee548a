import {
  MAX_MOVE_TASK_VELOCITY,
  parseCommandLine,
  parseDuration,
  parseInteger,
  parseRate,
  parseRegion,
  parseUrl,
  UsageError,
} from "../contracts";
import { DEFAULT_HOLD_SECONDS } from "./sqs-io";

export const COMMANDS = ["stats", "peek", "export", "redrive", "purge"] as const;
export type DlqCommand = (typeof COMMANDS)[number];

/** The filtered redrive keeps a move task's bound. */
const MAX_REDRIVE_RATE = MAX_MOVE_TASK_VELOCITY;
const DEFAULT_PEEK_LIMIT = 10;
const QUEUE_URL_EXAMPLE = "https://sqs.us-east-1.amazonaws.com/123456789012/vehicle-queue";
const DLQ_URL_EXAMPLE = "https://sqs.us-east-1.amazonaws.com/123456789012/vehicle-dlq";

export interface DlqArgs {
  command: DlqCommand | "help";
  queueUrl?: string;
  dlqUrl?: string;
  endpoint?: string;
  region?: string;
  json: boolean;
  byPrefix?: number;
  limit?: number;
  code?: string;
  movedOnly: boolean;
  out?: string;
  rate?: number;
  dryRun: boolean;
  force: boolean;
  wait: boolean;
  yes: boolean;
  noExport: boolean;
  holdSeconds: number;
}

/** How `npm run dlq` points a user at its commands and flags. */
export const HELP_COMMAND = "npm run dlq -- --help";

export const USAGE = `Look at the dead-letter queue and put its messages back once the cause is fixed.

Usage: npm run dlq -- <command> [options]        (or: npx tsx dlq <command> [options])

Commands:
  stats [--by-prefix N] [--json]          how many, by errorCode or "moved after N receives", oldest and newest
  peek [--limit N] [--code X]             messages with their attributes and body (default ${DEFAULT_PEEK_LIMIT}), not consumed
  export --out FILE [--code X]            every message as JSON lines; nothing deleted
  redrive [--code X | --moved-only] [--limit N] [--rate R] [--dry-run] [--force] [--wait]
                                          back to the source queue: without a filter SQS's StartMessageMoveTask;
                                          with one, re-send each (body and eventId), then delete it from the DLQ.
                                          Rejected messages (errorCode set) need --force: they would come back.
  purge --yes [--no-export]               delete them all, after exporting them to dlq-export-<time>.jsonl

Where the queues are (first found wins): --dlq-url / --queue-url, $DLQ_URL / $QUEUE_URL, \`pulumi stack output
dlqUrl\` / \`queueUrl\`, the running embedded cloud (.local/state.json from \`npm run local -- up\`).
  --endpoint <url>    any SQS-compatible endpoint      --region <name>   e.g. eu-west-1
  --hold <d>          how long read messages stay invisible to others while a command works (default ${DEFAULT_HOLD_SECONDS}s)

Exit status: 0 done; 1 a step failed (SQS refused a call, a redrive was refused); 2 bad command, flags or no
queue; 130 interrupted; 70 a bug in this repository.`;

const OPTIONS = {
  "queue-url": { type: "string" },
  "dlq-url": { type: "string" },
  endpoint: { type: "string" },
  region: { type: "string" },
  json: { type: "boolean" },
  "by-prefix": { type: "string" },
  limit: { type: "string" },
  code: { type: "string" },
  "moved-only": { type: "boolean" },
  out: { type: "string" },
  rate: { type: "string" },
  "dry-run": { type: "boolean" },
  force: { type: "boolean" },
  wait: { type: "boolean" },
  yes: { type: "boolean" },
  "no-export": { type: "boolean" },
  hold: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;
type Flag = keyof typeof OPTIONS;

const COMMON: Flag[] = ["queue-url", "dlq-url", "endpoint", "region", "hold", "help"];
const ALLOWED: Record<DlqCommand, Flag[]> = {
  stats: ["json", "by-prefix"],
  peek: ["limit", "code", "json"],
  export: ["out", "code"],
  redrive: ["code", "moved-only", "limit", "rate", "dry-run", "force", "wait"],
  purge: ["yes", "no-export"],
};

function checkCommand(word: string | undefined): DlqCommand {
  if (word === undefined) throw new UsageError(`no command: give one of ${COMMANDS.join(", ")}`);
  if (!(COMMANDS as readonly string[]).includes(word))
    throw new UsageError(`unknown command ${JSON.stringify(word)}: expected one of ${COMMANDS.join(", ")}`);
  return word as DlqCommand;
}

const EXAMPLES = {
  "--by-prefix": "--by-prefix 4",
  "--limit": "--limit 100",
  "--code": "--code MISSING_FIELD",
  "--out": "--out dlq.jsonl",
  "--hold": "--hold 300s",
};

/** Parses `<command> [options]`; throws a UsageError naming the command or flag. */
export function parseDlqArgs(argv: readonly string[]): DlqArgs {
  const { values, positionals } = parseCommandLine(
    { args: [...argv], options: OPTIONS, allowPositionals: true, strict: true },
    EXAMPLES,
  );
  if (values.help) return withDefaults({ command: "help" });
  const command = checkCommand(positionals[0]);
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}`);
  for (const flag of Object.keys(values) as Flag[]) {
    if (!COMMON.includes(flag) && !ALLOWED[command].includes(flag))
      throw new UsageError(
        `--${flag} does not apply to ${command} (it takes: ${ALLOWED[command].map((f) => `--${f}`).join(" ")})`,
      );
  }
  if (values.code !== undefined && values["moved-only"])
    throw new UsageError("--code and --moved-only cannot be combined: moved messages have no errorCode");
  if (command === "export" && !values.out) throw new UsageError("export needs --out FILE, e.g. --out dlq.jsonl");
  if (command === "purge" && !values.yes)
    throw new UsageError("purge deletes every message in the DLQ: add --yes to confirm");
  if (values.code !== undefined && !/^[A-Z_]+$/.test(values.code))
    throw new UsageError(`invalid --code ${JSON.stringify(values.code)}: expected an error code, e.g. MISSING_FIELD`);
  const optional = <T>(raw: string | undefined, parse: (raw: string) => T): T | undefined =>
    raw === undefined ? undefined : parse(raw);
  return withDefaults({
    command,
    queueUrl: optional(values["queue-url"], (raw) => parseUrl(raw, "--queue-url", QUEUE_URL_EXAMPLE)),
    dlqUrl: optional(values["dlq-url"], (raw) => parseUrl(raw, "--dlq-url", DLQ_URL_EXAMPLE)),
    endpoint: optional(values.endpoint, (raw) => parseUrl(raw, "--endpoint", "http://127.0.0.1:4566")),
    region: optional(values.region, (raw) => parseRegion(raw)),
    json: values.json === true,
    byPrefix: optional(values["by-prefix"], (raw) => parseInteger(raw, "--by-prefix", 1, 12, "3")),
    limit: optional(values.limit, (raw) => parseInteger(raw, "--limit", 1, 1_000_000, "100")),
    code: values.code,
    movedOnly: values["moved-only"] === true,
    out: values.out,
    rate: optional(values.rate, parseRedriveRate),
    dryRun: values["dry-run"] === true,
    force: values.force === true,
    wait: values.wait === true,
    yes: values.yes === true,
    noExport: values["no-export"] === true,
    holdSeconds: optional(values.hold, (raw) => Math.ceil(parseDuration(raw, "--hold") / 1000)) ?? DEFAULT_HOLD_SECONDS,
  });
}

/** The producer's rate syntax (50/s, 3000/m), as whole messages per second up to a move task's bound. */
function parseRedriveRate(raw: string): number {
  const perSecond = parseRate(raw);
  if (!Number.isInteger(perSecond) || perSecond < 1 || perSecond > MAX_REDRIVE_RATE)
    throw new UsageError(
      `invalid --rate ${JSON.stringify(raw)}: expected whole messages per second from 1 to ${MAX_REDRIVE_RATE}, e.g. 50/s`,
    );
  return perSecond;
}

function withDefaults(args: Partial<DlqArgs> & { command: DlqArgs["command"] }): DlqArgs {
  return {
    json: false,
    movedOnly: false,
    dryRun: false,
    force: false,
    wait: false,
    yes: false,
    noExport: false,
    holdSeconds: DEFAULT_HOLD_SECONDS,
    ...args,
  };
}
