import { parseArgs } from "node:util";
import type { RatePhase } from "./rate";

/** The producer's command line, validated. Durations are in milliseconds, rates in messages per second. */
export interface ProducerArgs {
  /** Messages per second; Infinity for `--rate max` (as fast as --concurrency allows). Undefined with --profile. */
  rate: number | undefined;
  profile: RatePhase[] | undefined;
  durationMs: number | undefined;
  count: number | undefined;
  batchSize: number;
  concurrency: number;
  seed: number | undefined;
  invalidRatio: number;
  dryRun: boolean;
  json: boolean;
  queueUrl: string | undefined;
  endpoint: string | undefined;
  region: string | undefined;
  help: boolean;
}

export const DEFAULT_RATE = 200;
export const DEFAULT_BATCH_SIZE = 10;
/** Eight concurrent SendMessageBatch calls saturate fauxqs on two cores and reach ~2,000 msg/s against AWS from one laptop. */
export const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 1000;
/** SQS accepts at most 10 entries per SendMessageBatch. */
const MAX_BATCH_SIZE = 10;
/** What --dry-run prints when nothing says how many messages the run would send. */
export const DRY_RUN_DEFAULT_COUNT = 10;

/** A flag was missing, malformed or in conflict; the message names the flag and shows an accepted value. */
export class ProducerArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProducerArgsError";
  }
}

export const USAGE = `Send fake vehicle messages to the vehicle queue at a steady rate.

Usage: tsx producer [options]        (or: npm run produce -- [options])

Rate and length (without --count, --duration or --profile it runs until Ctrl-C):
  --rate <r>            messages per second: 200/s, 200, 12000/m, or "max"       (default ${DEFAULT_RATE}/s)
  --duration <d>        stop after this long: 30s, 2m, 500ms, 1h
  --count <n>           stop after n messages
  --profile <phases>    stepped rates, e.g. "50/s:20s,400/s:40s,0/s:20s" (replaces --rate and --duration)

Sending:
  --batch-size <n>      messages per SendMessageBatch call, 1 to ${MAX_BATCH_SIZE}                    (default ${DEFAULT_BATCH_SIZE})
  --concurrency <n>     SendMessageBatch calls in flight at once, 1 to ${MAX_CONCURRENCY}             (default ${DEFAULT_CONCURRENCY})
  --invalid-ratio <x>   share of malformed messages, 0 to 1, e.g. 0.05 (bad JSON, missing fields,
                        wrong types, out-of-range values, in turn)                    (default 0)
  --seed <n>            make the vehicles reproducible (default: random, printed in the summary)

Where to send (first found wins): --queue-url, $QUEUE_URL, \`pulumi stack output queueUrl\`,
the running embedded cloud (.local/state.json, from \`npm run local -- up\`).
  --queue-url <url>     e.g. https://sqs.us-east-1.amazonaws.com/123456789012/vehicle-queue
  --endpoint <url>      any SQS-compatible endpoint, e.g. http://127.0.0.1:4566 (test credentials are
                        used for non-AWS endpoints when AWS_ACCESS_KEY_ID is not set)
  --region <name>       e.g. eu-west-1 (default: from the queue URL, $AWS_REGION, or us-east-1 locally)

Output:
  --dry-run             print the messages as JSON lines (eventId, kind, body) and send nothing
                        (${DRY_RUN_DEFAULT_COUNT} messages unless --count, --duration or --profile says otherwise)
  --json                print the summary as JSON on stdout
  --help                show this help

The AWS SDK's Node 20 end-of-support notice is switched off for this command
(AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true) unless that variable is already set.

Exit status: 0 when every message was sent; 1 when any message stayed unsent; 2 for bad options, no
queue, or a message too large for the queue; 130 when Ctrl-C stopped a run before its planned end.
Ctrl-C stops sending, waits for the batches in flight, and prints the summary; a second Ctrl-C exits at once.`;

const OPTIONS = {
  rate: { type: "string" },
  duration: { type: "string" },
  count: { type: "string" },
  profile: { type: "string" },
  "batch-size": { type: "string" },
  concurrency: { type: "string" },
  seed: { type: "string" },
  "invalid-ratio": { type: "string" },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
  "queue-url": { type: "string" },
  endpoint: { type: "string" },
  region: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function invalid(flag: string, raw: string, expected: string): ProducerArgsError {
  return new ProducerArgsError(`invalid --${flag} ${JSON.stringify(raw)}: expected ${expected}`);
}

const RATE_UNITS: Record<string, number> = { s: 1, sec: 1, m: 1 / 60, min: 1 / 60, h: 1 / 3600 };

/** `200/s`, `200`, `12000/m`, `50/h` to messages per second; `max` to Infinity when allowed. Never negative. */
export function parseRate(
  raw: string,
  flag = "rate",
  options: { allowZero?: boolean; allowMax?: boolean } = {},
): number {
  const text = raw.trim().toLowerCase();
  const expected = `a number per second, e.g. 200/s (also 200, 12000/m${options.allowMax ? " or max" : ""})`;
  if (options.allowMax && text === "max") return Infinity;
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:\/\s*(s|sec|m|min|h))?$/.exec(text);
  if (!match) throw invalid(flag, raw, expected);
  const perSecond = Number(match[1]) * RATE_UNITS[match[2] ?? "s"]!;
  if (perSecond === 0 && !options.allowZero) throw invalid(flag, raw, `a rate above zero, e.g. 200/s`);
  return perSecond;
}

/** The --rate flag of the producer and of `npm start`: a rate above zero, or `max` (as fast as sending allows). */
export function parseRateFlag(raw: string): number {
  return parseRate(raw, "rate", { allowMax: true });
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30s`, `2m`, `500ms`, `1h`, `1.5s` to milliseconds. A unit is required: a bare `30` could mean seconds or minutes. */
export function parseDuration(raw: string, flag = "duration", options: { allowZero?: boolean } = {}): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)$/.exec(raw.trim().toLowerCase());
  if (!match) throw invalid(flag, raw, "a duration with a unit, e.g. 30s, 2m or 500ms");
  const ms = Number(match[1]) * DURATION_UNITS[match[2]!]!;
  if (ms === 0 && !options.allowZero) throw invalid(flag, raw, "a duration above zero, e.g. 30s");
  return ms;
}

export function parseInteger(raw: string, flag: string, min: number, max: number, example: string): number {
  const text = raw.trim();
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(flag, raw, `a whole number from ${min} to ${max}, e.g. ${example}`);
  }
  return value;
}

/** `--invalid-ratio`: the share of malformed messages, a fraction from 0 to 1. */
export function parseInvalidRatio(raw: string): number {
  const ratio = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw invalid("invalid-ratio", raw, "a fraction from 0 to 1, e.g. 0.05 for 5% malformed messages");
  }
  return ratio;
}

/** Whole-number flags shared with the embedded cloud's `npm start`, which passes them to the producer. */
export const parseCount = (raw: string): number => parseInteger(raw, "count", 1, Number.MAX_SAFE_INTEGER, "1000");
export const parseSeed = (raw: string): number => parseInteger(raw, "seed", 0, 2 ** 32 - 1, "42");

/** `"50/s:20s,400/s:40s,0/s:20s"`: comma-separated `rate:duration` phases, run in order. 0/s pauses. */
export function parseProfile(raw: string): RatePhase[] {
  const example = `phases of rate:duration, e.g. "50/s:20s,400/s:40s,0/s:20s"`;
  const parts = raw.split(",").map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === "")) throw invalid("profile", raw, example);
  const phases = parts.map((part) => {
    const separator = part.lastIndexOf(":");
    if (separator <= 0) throw invalid("profile", raw, `${example}; phase ${JSON.stringify(part)} has no ":duration"`);
    const ratePart = part.slice(0, separator);
    const durationPart = part.slice(separator + 1);
    let ratePerSecond: number;
    let durationMs: number;
    try {
      ratePerSecond = parseRate(ratePart, "profile", { allowZero: true });
      durationMs = parseDuration(durationPart, "profile");
    } catch (error) {
      throw invalid(
        "profile",
        raw,
        `${example}; phase ${JSON.stringify(part)}: ${(error as Error).message.replace(/^invalid --profile "[^"]*": expected /, "expected ")}`,
      );
    }
    return { ratePerSecond, durationMs };
  });
  if (phases.every((phase) => phase.ratePerSecond === 0))
    throw invalid("profile", raw, `${example}; at least one phase must send`);
  return phases;
}

function parseUrl(raw: string, flag: string, example: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalid(flag, raw, `an http(s) URL, e.g. ${example}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw invalid(flag, raw, `an http(s) URL, e.g. ${example}`);
  return raw.trim();
}

/** Parses argv (without node and script) into ProducerArgs, or throws ProducerArgsError naming the flag. */
export function parseProducerArgs(argv: readonly string[]): ProducerArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new ProducerArgsError(describeParseArgsError(error as Error & { code?: string }));
  }
  const text = (name: keyof typeof OPTIONS) => values[name] as string | undefined;

  const profileRaw = text("profile");
  const rateRaw = text("rate");
  const durationRaw = text("duration");
  if (profileRaw !== undefined && rateRaw !== undefined) {
    throw new ProducerArgsError(
      `--profile and --rate cannot be combined: the profile sets the rate of each phase (drop --rate)`,
    );
  }
  if (profileRaw !== undefined && durationRaw !== undefined) {
    throw new ProducerArgsError(
      `--profile and --duration cannot be combined: the profile's phases set the duration (drop --duration)`,
    );
  }
  const profile = profileRaw === undefined ? undefined : parseProfile(profileRaw);
  const rate = profile ? undefined : rateRaw === undefined ? DEFAULT_RATE : parseRateFlag(rateRaw);

  const invalidRaw = text("invalid-ratio");
  const invalidRatio = invalidRaw === undefined ? 0 : parseInvalidRatio(invalidRaw);

  const regionRaw = text("region");
  if (regionRaw !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(regionRaw.trim())) {
    throw invalid("region", regionRaw, "an AWS region name, e.g. us-east-1 or eu-west-1");
  }

  const args: ProducerArgs = {
    rate,
    profile,
    durationMs: durationRaw === undefined ? undefined : parseDuration(durationRaw),
    count: text("count") === undefined ? undefined : parseCount(text("count")!),
    batchSize:
      text("batch-size") === undefined
        ? DEFAULT_BATCH_SIZE
        : parseInteger(text("batch-size")!, "batch-size", 1, MAX_BATCH_SIZE, "10"),
    concurrency:
      text("concurrency") === undefined
        ? DEFAULT_CONCURRENCY
        : parseInteger(text("concurrency")!, "concurrency", 1, MAX_CONCURRENCY, "8"),
    seed: text("seed") === undefined ? undefined : parseSeed(text("seed")!),
    invalidRatio,
    dryRun: values["dry-run"] === true,
    json: values.json === true,
    queueUrl:
      text("queue-url") === undefined
        ? undefined
        : parseUrl(text("queue-url")!, "queue-url", "https://sqs.us-east-1.amazonaws.com/123456789012/vehicle-queue"),
    endpoint:
      text("endpoint") === undefined ? undefined : parseUrl(text("endpoint")!, "endpoint", "http://127.0.0.1:4566"),
    region: regionRaw?.trim(),
    help: values.help === true,
  };
  if (args.dryRun && args.rate === Infinity && args.count === undefined && args.durationMs !== undefined) {
    throw new ProducerArgsError(
      `--dry-run with --rate max and --duration cannot tell how many messages the run would send: give --count instead`,
    );
  }
  return args;
}

function describeParseArgsError(error: Error & { code?: string }): string {
  const message = error.message;
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /Unknown option '([^']+)'/.exec(message)?.[1] ?? "?";
    return `unknown option ${flag}: run \`tsx producer --help\` to see the options`;
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = /Option '(?:-\w, )?(--[\w-]+)/.exec(message)?.[1] ?? "?";
    if (/argument missing/.test(message)) return `${flag} needs a value, e.g. ${exampleFor(flag)}`;
    if (/ambiguous/.test(message))
      return `${flag} is followed by something starting with "-": write ${flag}=<value> if that is its value, e.g. ${exampleFor(flag)}`;
    return `${flag} takes no value: write ${flag} alone`;
  }
  if (error.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const word = /Unexpected argument '([^']*)'/.exec(message)?.[1] ?? "?";
    return `unexpected argument ${JSON.stringify(word)}: every option starts with --, e.g. --rate 200/s`;
  }
  return message;
}

function exampleFor(flag: string): string {
  const examples: Record<string, string> = {
    "--rate": "--rate 200/s",
    "--duration": "--duration 30s",
    "--count": "--count 1000",
    "--profile": `--profile "50/s:20s,400/s:40s,0/s:20s"`,
    "--batch-size": "--batch-size 10",
    "--concurrency": "--concurrency 8",
    "--seed": "--seed 42",
    "--invalid-ratio": "--invalid-ratio 0.05",
    "--queue-url": "--queue-url https://sqs.us-east-1.amazonaws.com/123456789012/vehicle-queue",
    "--endpoint": "--endpoint http://127.0.0.1:4566",
    "--region": "--region us-east-1",
  };
  return examples[flag] ?? `${flag} <value>`;
}
