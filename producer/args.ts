import {
  MAX_BATCH_ENTRIES,
  parseCommandLine,
  parseCount,
  parseDuration,
  parseInteger,
  parseInvalidRatio,
  parseProfile,
  parseRate,
  parseRegion,
  parseSeed,
  parseUrl,
  type RatePhase,
  UsageError,
} from "../contracts";

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
/** SQS's most per SendMessageBatch: the fewest calls for a rate. */
export const DEFAULT_BATCH_SIZE = MAX_BATCH_ENTRIES;
/** Eight concurrent SendMessageBatch calls saturate fauxqs on two cores and reach ~2,000 msg/s against AWS from one laptop. */
export const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 1000;
/** What --dry-run prints when nothing says how many messages the run would send. */
export const DRY_RUN_DEFAULT_COUNT = 10;
/** How `tsx producer` points a user at its flags. */
export const HELP_COMMAND = "tsx producer --help";
const QUEUE_URL_EXAMPLE = "https://sqs.us-east-1.amazonaws.com/123456789012/vehicle-queue";

export const USAGE = `Send fake vehicle messages to the vehicle queue at a steady rate.

Usage: tsx producer [options]        (or: npm run produce -- [options])

Rate and length (without --count, --duration or --profile it runs until Ctrl-C):
  --rate <r>            messages per second: 200/s, 200, 12000/m, or "max"       (default ${DEFAULT_RATE}/s)
  --duration <d>        stop after this long: 30s, 2m, 500ms, 1h
  --count <n>           stop after n messages
  --profile <phases>    stepped rates, e.g. "50/s:20s,400/s:40s,0/s:20s" (replaces --rate and --duration)

Sending:
  --batch-size <n>      messages per SendMessageBatch call, 1 to ${MAX_BATCH_ENTRIES}                    (default ${DEFAULT_BATCH_SIZE})
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

Exit status: 0 when every message was sent; 1 when any message stayed unsent (the queue refused us, e.g.
it does not exist or denies access, or nothing answers at the endpoint); 2 for bad options, no queue, or a
message too large for the queue; 130 when Ctrl-C stopped a run before its planned end; 70 for a bug here.
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

const EXAMPLES = { "--batch-size": "--batch-size 10", "--concurrency": "--concurrency 8" };

/** Parses argv (without node and script) into ProducerArgs, or throws a UsageError naming the flag. */
export function parseProducerArgs(argv: readonly string[]): ProducerArgs {
  const { values } = parseCommandLine(
    { args: [...argv], options: OPTIONS, strict: true, allowPositionals: false },
    EXAMPLES,
  );
  if (values.profile !== undefined && values.rate !== undefined) {
    throw new UsageError(
      `--profile and --rate cannot be combined: the profile sets the rate of each phase (drop --rate)`,
    );
  }
  if (values.profile !== undefined && values.duration !== undefined) {
    throw new UsageError(
      `--profile and --duration cannot be combined: the profile's phases set the duration (drop --duration)`,
    );
  }
  const profile = values.profile === undefined ? undefined : parseProfile(values.profile);
  const optional = <T>(raw: string | undefined, parse: (raw: string) => T): T | undefined =>
    raw === undefined ? undefined : parse(raw);
  const args: ProducerArgs = {
    rate: profile
      ? undefined
      : (optional(values.rate, (raw) => parseRate(raw, "--rate", { allowMax: true })) ?? DEFAULT_RATE),
    profile,
    durationMs: optional(values.duration, (raw) => parseDuration(raw)),
    count: optional(values.count, (raw) => parseCount(raw)),
    batchSize:
      optional(values["batch-size"], (raw) => parseInteger(raw, "--batch-size", 1, MAX_BATCH_ENTRIES, "10")) ??
      DEFAULT_BATCH_SIZE,
    concurrency:
      optional(values.concurrency, (raw) => parseInteger(raw, "--concurrency", 1, MAX_CONCURRENCY, "8")) ??
      DEFAULT_CONCURRENCY,
    seed: optional(values.seed, (raw) => parseSeed(raw)),
    invalidRatio: optional(values["invalid-ratio"], (raw) => parseInvalidRatio(raw)) ?? 0,
    dryRun: values["dry-run"] === true,
    json: values.json === true,
    queueUrl: optional(values["queue-url"], (raw) => parseUrl(raw, "--queue-url", QUEUE_URL_EXAMPLE)),
    endpoint: optional(values.endpoint, (raw) => parseUrl(raw, "--endpoint", "http://127.0.0.1:4566")),
    region: optional(values.region, (raw) => parseRegion(raw)),
    help: values.help === true,
  };
  if (args.dryRun && args.rate === Infinity && args.count === undefined && args.durationMs !== undefined) {
    throw new UsageError(
      `--dry-run with --rate max and --duration cannot tell how many messages the run would send: give --count instead`,
    );
  }
  return args;
}
