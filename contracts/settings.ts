/**
 * Every tunable of the pipeline, in one place: its default, why, and the rule its value must follow. `pulumi up`
 * (components/config.ts), the unit tests, the embedded cloud and the report all read settings through
 * parseSettings, so a value changed in Pulumi.<stack>.yaml reaches every one of them.
 *
 * To add a setting: a field in PipelineSettings, a row in SETTINGS (in the README table's order), and the key in
 * Pulumi.dev.yaml; a rule spanning two keys goes in RULES.
 */
import { OperatorError } from "./cli-errors";
import { PROJECT_NAME } from "./workspace";

export interface PipelineSettings {
  batchSize: number;
  batchingWindowSeconds: number;
  maxConcurrency: number;
  memorySizeMb: number;
  architecture: LambdaArchitecture;
  timeoutSeconds: number;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  messageRetentionSeconds: number;
  logRetentionDays: number;
  alarmEmail: string | undefined;
  deletionProtection: boolean;
  oldestMessageAgeAlarmSeconds: number;
  consumerErrorsAlarmThreshold: number;
  throttlesAlarmThreshold: number;
  logLevel: ConsumerLogLevel;
}

/** Lambda's instruction set architectures, as its API names them. */
const LAMBDA_ARCHITECTURES = ["arm64", "x86_64"] as const;
export type LambdaArchitecture = (typeof LAMBDA_ARCHITECTURES)[number];

/** The consumer's log levels (Powertools Logger's, from the most to the least verbose). */
const CONSUMER_LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
export type ConsumerLogLevel = (typeof CONSUMER_LOG_LEVELS)[number];

/** Lambda's maximum function timeout, and SQS's maximum visibility timeout. */
const MAX_FUNCTION_TIMEOUT_SECONDS = 900;
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/** AWS: "set the source queue's visibility timeout to at least six times the function timeout". */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** The dead-letter queue keeps messages for SQS's maximum, 14 days, so nobody loses evidence over a long weekend. */
export const DLQ_RETENTION_SECONDS = 1_209_600;
/** The only values CloudWatch Logs accepts for retentionInDays. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** A value as Pulumi config or PULUMI_CONFIG hands it over: a string, or a number or boolean from YAML. */
type RawValue = string | number | boolean | undefined | null;
/** Turns a setting's text into its value, or throws an Error whose message is the rule the text broke. */
type Parser<T> = (text: string) => T;

export interface SettingSpec<K extends keyof PipelineSettings = keyof PipelineSettings> {
  key: K;
  /** Default as written in Pulumi.dev.yaml; undefined means "derived" (see `derive`) or "unset". */
  default: string | undefined;
  /** One line: why the default is what it is. */
  reason: string;
  parse: Parser<Exclude<PipelineSettings[K], undefined>>;
  /** The value when the stack sets none and there is no default, from the other (valid) settings. */
  derive?: (settings: PipelineSettings) => PipelineSettings[K];
}

type AnySettingSpec = { [K in keyof PipelineSettings]: SettingSpec<K> }[keyof PipelineSettings];

function integer(min: number, max: number): Parser<number> {
  return (text) => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isInteger(value)) throw new Error(`must be a whole number from ${min} to ${max}`);
    if (value < min || value > max) throw new Error(`must be from ${min} to ${max}`);
    return value;
  };
}

const boolean: Parser<boolean> = (text) => {
  if (text === "true") return true;
  if (text === "false") return false;
  throw new Error("must be true or false");
};

const email: Parser<string> = (text) => {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) throw new Error("must be an email address such as ops@example.com");
  return text;
};

function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (text) => {
    if (!(values as readonly string[]).includes(text)) throw new Error(`must be one of ${values.join(", ")}`);
    return text as T;
  };
}

const logRetention: Parser<number> = (text) => {
  const value = Number(text);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(value)) {
    throw new Error(`must be one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(", ")}`);
  }
  return value;
};

/** The documented settings, in the order the README's table lists them. */
export const SETTINGS: readonly AnySettingSpec[] = [
  {
    key: "batchSize",
    default: "10",
    reason:
      "Messages per invocation; 10 is the largest batch allowed without a batching window and keeps a failed batch's retry small.",
    parse: integer(1, 10_000),
  },
  {
    key: "batchingWindowSeconds",
    default: "0",
    reason: "Seconds Lambda waits to fill a batch; 0 favours latency. Must be at least 1 when batchSize is above 10.",
    parse: integer(0, 300),
  },
  {
    key: "maxConcurrency",
    default: "10",
    reason:
      "Upper bound on concurrent consumers (ESM scalingConfig, 2 to 1000), so a backlog cannot exhaust the account's concurrency or the table.",
    parse: integer(2, 1000),
  },
  {
    key: "memorySizeMb",
    default: "256",
    reason: "256 MB gives the Node runtime enough CPU for JSON and TLS without paying for idle memory.",
    parse: integer(128, 10_240),
  },
  {
    key: "architecture",
    default: "arm64",
    reason:
      "The archive is JavaScript with no native module, so Graviton (arm64) runs it unchanged at a 20% lower price per GB-second than x86_64.",
    parse: oneOf(LAMBDA_ARCHITECTURES),
  },
  {
    key: "timeoutSeconds",
    default: "30",
    reason: "A batch of 10 conditional puts takes well under a second; 30 s covers throttling retries.",
    parse: integer(1, MAX_FUNCTION_TIMEOUT_SECONDS),
  },
  {
    key: "visibilityTimeoutSeconds",
    default: undefined,
    reason: "Derived as 6 x timeoutSeconds (AWS guidance) unless set; must be at least the function timeout.",
    parse: integer(1, MAX_VISIBILITY_TIMEOUT_SECONDS),
    derive: (settings) => settings.timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR,
  },
  {
    key: "maxReceiveCount",
    default: "5",
    reason:
      "AWS advises at least 5 for Lambda consumers so throttled or scaled-in batches are not dead-lettered early.",
    parse: integer(1, 1000),
  },
  {
    key: "messageRetentionSeconds",
    default: "345600",
    reason: "4 days (the SQS default) on the source queue; the DLQ always keeps 14 days.",
    parse: integer(60, DLQ_RETENTION_SECONDS),
  },
  {
    key: "logRetentionDays",
    default: "14",
    reason: "Two weeks of consumer logs is enough to investigate a load test without paying to keep them forever.",
    parse: logRetention,
  },
  {
    key: "alarmEmail",
    default: undefined,
    reason: "Optional address subscribed to the alarm topic; unset means alarms only show on the dashboard.",
    parse: email,
  },
  {
    key: "deletionProtection",
    default: "false",
    reason: "Off so `pulumi destroy` works on a dev stack; turn on for any stack holding data you keep.",
    parse: boolean,
  },
  {
    key: "oldestMessageAgeAlarmSeconds",
    default: "300",
    reason: "A message waiting 5 minutes means the consumer is failing or capped; well past normal sub-second latency.",
    parse: integer(60, 1_209_600),
  },
  {
    key: "consumerErrorsAlarmThreshold",
    default: "1",
    reason:
      "Function errors per 5 minutes that raise the alarm; validation failures are not errors, so any error is news.",
    parse: integer(1, 1_000_000),
  },
  {
    key: "throttlesAlarmThreshold",
    default: "1",
    reason: "Lambda or DynamoDB throttles per 5 minutes that raise the alarm.",
    parse: integer(1, 1_000_000),
  },
  {
    key: "logLevel",
    default: "INFO",
    reason:
      "INFO logs every invalid, duplicate or failed record and one summary per batch; DEBUG adds a line per stored record, which would be most of the log volume and its cost. WARN and above drop the batch summaries the saved queries read.",
    parse: oneOf(CONSUMER_LOG_LEVELS),
  },
];

type RawSettings = Partial<Record<keyof PipelineSettings, RawValue>>;

/** Rules that span two keys, checked once every key is valid on its own: each returns a problem or undefined. */
const RULES: readonly ((settings: PipelineSettings, raw: RawSettings) => string | undefined)[] = [
  ({ batchSize, batchingWindowSeconds }) =>
    batchSize > 10 && batchingWindowSeconds < 1
      ? `batchSize = ${batchSize} needs batchingWindowSeconds of at least 1: Lambda only accepts batches ` +
        `above 10 from a standard queue with a batching window`
      : undefined,
  ({ timeoutSeconds, visibilityTimeoutSeconds }) =>
    visibilityTimeoutSeconds < timeoutSeconds
      ? `timeoutSeconds = ${timeoutSeconds} is longer than visibilityTimeoutSeconds = ` +
        `${visibilityTimeoutSeconds}: Lambda rejects an event source mapping whose function can outlive the ` +
        `message's visibility; use at least ${timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR} (6 x the timeout)`
      : undefined,
  ({ timeoutSeconds }, raw) =>
    timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR > MAX_VISIBILITY_TIMEOUT_SECONDS && raw.visibilityTimeoutSeconds == null
      ? `timeoutSeconds = ${timeoutSeconds} makes the derived visibility timeout exceed SQS's maximum of ${MAX_VISIBILITY_TIMEOUT_SECONDS} s`
      : undefined,
];

/** One or more settings were invalid; the message names each key, its value and the rule it broke. */
export class ConfigError extends OperatorError {
  constructor(
    readonly problems: readonly string[],
    namespace: string,
  ) {
    super(
      `invalid stack configuration:\n${problems.map((p) => `  - ${namespace}:${p}`).join("\n")}`,
      "fix these keys in Pulumi.<stack>.yaml; the README's Configuration table gives each default and its reason",
    );
  }
}

/**
 * Validates raw config values (strings, or numbers and booleans from YAML) and returns complete settings. Throws
 * one ConfigError listing every problem.
 */
export function parseSettings(raw: RawSettings, namespace = PROJECT_NAME): PipelineSettings {
  const problems: string[] = [];
  const values: Partial<Record<keyof PipelineSettings, unknown>> = {};
  for (const spec of SETTINGS) {
    const given = raw[spec.key];
    const text = given === undefined || given === null ? spec.default : String(given);
    if (text === undefined) continue;
    try {
      values[spec.key] = spec.parse(text);
    } catch (error) {
      problems.push(`${spec.key} = ${JSON.stringify(given)} is invalid: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, namespace);
  // Every key is valid or unset from here on; derived values come from the others.
  for (const spec of SETTINGS)
    if (values[spec.key] === undefined && spec.derive) values[spec.key] = spec.derive(values as PipelineSettings);
  const settings = Object.fromEntries(SETTINGS.map(({ key }) => [key, values[key]])) as unknown as PipelineSettings;
  problems.push(...RULES.map((rule) => rule(settings, raw)).filter((p): p is string => p !== undefined));
  if (problems.length > 0) throw new ConfigError(problems, namespace);
  return settings;
}

/** Settings from a stack's config map as Pulumi.<stack>.yaml or PULUMI_CONFIG hold it ("<namespace>:<key>" keys). */
export function settingsFromStackConfig(config: Record<string, unknown>, namespace = PROJECT_NAME): PipelineSettings {
  const prefix = `${namespace}:`;
  const raw = Object.fromEntries(
    Object.entries(config)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v as RawValue]),
  );
  return parseSettings(raw, namespace);
}
