import * as pulumi from "@pulumi/pulumi";

/**
 * Every tunable of the pipeline, in one place. `pulumi up`, the unit tests and the embedded cloud all
 * read these through parseSettings, so a value changed in Pulumi.<stack>.yaml reaches all three.
 */
export interface PipelineSettings {
  batchSize: number;
  batchingWindowSeconds: number;
  maxConcurrency: number;
  memorySizeMb: number;
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
}

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

type RawValue = string | number | boolean | undefined | null;
type Parser<T> = (raw: string, key: string) => T;

export interface SettingSpec {
  key: keyof PipelineSettings;
  /** Default as written in Pulumi.dev.yaml; undefined means "derived" or "unset". */
  default: string | undefined;
  /** One line: why the default is what it is. */
  reason: string;
}

/** The documented settings, in the order the README's table lists them. */
export const SETTINGS: readonly SettingSpec[] = [
  {
    key: "batchSize",
    default: "10",
    reason:
      "Messages per invocation; 10 is the largest batch allowed without a batching window and keeps a failed batch's retry small.",
  },
  {
    key: "batchingWindowSeconds",
    default: "0",
    reason: "Seconds Lambda waits to fill a batch; 0 favours latency. Must be at least 1 when batchSize is above 10.",
  },
  {
    key: "maxConcurrency",
    default: "10",
    reason:
      "Upper bound on concurrent consumers (ESM scalingConfig, 2 to 1000), so a backlog cannot exhaust the account's concurrency or the table.",
  },
  {
    key: "memorySizeMb",
    default: "256",
    reason: "256 MB gives the Node runtime enough CPU for JSON and TLS without paying for idle memory.",
  },
  {
    key: "timeoutSeconds",
    default: "30",
    reason: "A batch of 10 conditional puts takes well under a second; 30 s covers throttling retries.",
  },
  {
    key: "visibilityTimeoutSeconds",
    default: undefined,
    reason: "Derived as 6 x timeoutSeconds (AWS guidance) unless set; must be at least the function timeout.",
  },
  {
    key: "maxReceiveCount",
    default: "5",
    reason:
      "AWS advises at least 5 for Lambda consumers so throttled or scaled-in batches are not dead-lettered early.",
  },
  {
    key: "messageRetentionSeconds",
    default: "345600",
    reason: "4 days (the SQS default) on the source queue; the DLQ always keeps 14 days.",
  },
  {
    key: "logRetentionDays",
    default: "14",
    reason: "Two weeks of consumer logs is enough to investigate a load test without paying to keep them forever.",
  },
  {
    key: "alarmEmail",
    default: undefined,
    reason: "Optional address subscribed to the alarm topic; unset means alarms only show on the dashboard.",
  },
  {
    key: "deletionProtection",
    default: "false",
    reason: "Off so `pulumi destroy` works on a dev stack; turn on for any stack holding data you keep.",
  },
  {
    key: "oldestMessageAgeAlarmSeconds",
    default: "300",
    reason: "A message waiting 5 minutes means the consumer is failing or capped; well past normal sub-second latency.",
  },
  {
    key: "consumerErrorsAlarmThreshold",
    default: "1",
    reason:
      "Function errors per 5 minutes that raise the alarm; validation failures are not errors, so any error is news.",
  },
  {
    key: "throttlesAlarmThreshold",
    default: "1",
    reason: "Lambda or DynamoDB throttles per 5 minutes that raise the alarm.",
  },
];

/** One or more settings were invalid; the message names each key, its value and the rule it broke. */
export class ConfigError extends Error {
  constructor(
    readonly problems: readonly string[],
    namespace: string,
  ) {
    super(`invalid stack configuration:\n${problems.map((p) => `  - ${namespace}:${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function integer(min: number, max: number): Parser<number> {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isInteger(value)) throw new Error(`must be a whole number from ${min} to ${max}`);
    if (value < min || value > max) throw new Error(`must be from ${min} to ${max}`);
    return value;
  };
}

const boolean: Parser<boolean> = (raw) => {
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new Error("must be true or false");
};

const email: Parser<string> = (raw) => {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw)) throw new Error("must be an email address such as ops@example.com");
  return raw;
};

const logRetention: Parser<number> = (raw) => {
  const value = Number(raw);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(value)) {
    throw new Error(`must be one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(", ")}`);
  }
  return value;
};

/**
 * Validates raw config values (as Pulumi config or PULUMI_CONFIG hands them over: strings, or numbers and
 * booleans from YAML) and returns complete settings. Throws one ConfigError listing every problem.
 */
export function parseSettings(
  raw: Partial<Record<keyof PipelineSettings, RawValue>>,
  namespace = "vehicle-pipeline",
): PipelineSettings {
  const problems: string[] = [];
  const defaults = new Map(SETTINGS.map((s) => [s.key, s.default]));
  function read<T>(key: keyof PipelineSettings, parse: Parser<T>): T | undefined {
    const given = raw[key];
    const text = given === undefined || given === null ? defaults.get(key) : String(given);
    if (text === undefined) return undefined;
    try {
      return parse(text, key);
    } catch (error) {
      problems.push(`${key} = ${JSON.stringify(given)} is invalid: ${(error as Error).message}`);
      return undefined;
    }
  }

  // For keys with a default, read() gives undefined only for an invalid value, and then this function throws
  // before returning: the defaults live in SETTINGS alone.
  const required = <T>(key: keyof PipelineSettings, parse: Parser<T>): T => read(key, parse) as T;

  const batchSize = required("batchSize", integer(1, 10_000));
  const batchingWindowSeconds = required("batchingWindowSeconds", integer(0, 300));
  const maxConcurrency = required("maxConcurrency", integer(2, 1000));
  const memorySizeMb = required("memorySizeMb", integer(128, 10_240));
  const timeoutSeconds = required("timeoutSeconds", integer(1, MAX_FUNCTION_TIMEOUT_SECONDS));
  const visibilityTimeoutSeconds =
    read("visibilityTimeoutSeconds", integer(1, MAX_VISIBILITY_TIMEOUT_SECONDS)) ??
    timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR;
  const settings: PipelineSettings = {
    batchSize,
    batchingWindowSeconds,
    maxConcurrency,
    memorySizeMb,
    timeoutSeconds,
    visibilityTimeoutSeconds,
    maxReceiveCount: required("maxReceiveCount", integer(1, 1000)),
    messageRetentionSeconds: required("messageRetentionSeconds", integer(60, DLQ_RETENTION_SECONDS)),
    logRetentionDays: required("logRetentionDays", logRetention),
    alarmEmail: read("alarmEmail", email),
    deletionProtection: required("deletionProtection", boolean),
    oldestMessageAgeAlarmSeconds: required("oldestMessageAgeAlarmSeconds", integer(60, 1_209_600)),
    consumerErrorsAlarmThreshold: required("consumerErrorsAlarmThreshold", integer(1, 1_000_000)),
    throttlesAlarmThreshold: required("throttlesAlarmThreshold", integer(1, 1_000_000)),
  };

  // Rules that span two keys, checked only when both keys were valid on their own.
  if (problems.length === 0) {
    if (batchSize > 10 && batchingWindowSeconds < 1) {
      problems.push(
        `batchSize = ${batchSize} needs batchingWindowSeconds of at least 1: Lambda only accepts batches ` +
          `above 10 from a standard queue with a batching window`,
      );
    }
    if (visibilityTimeoutSeconds < timeoutSeconds) {
      problems.push(
        `timeoutSeconds = ${timeoutSeconds} is longer than visibilityTimeoutSeconds = ` +
          `${visibilityTimeoutSeconds}: Lambda rejects an event source mapping whose function can outlive the ` +
          `message's visibility; use at least ${timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR} (6 x the timeout)`,
      );
    }
    if (
      timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR > MAX_VISIBILITY_TIMEOUT_SECONDS &&
      raw.visibilityTimeoutSeconds == null
    ) {
      problems.push(
        `timeoutSeconds = ${timeoutSeconds} makes the derived visibility timeout exceed SQS's maximum of ${MAX_VISIBILITY_TIMEOUT_SECONDS} s`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, namespace);
  return settings;
}

/** Settings from a stack's config map as Pulumi.<stack>.yaml or PULUMI_CONFIG hold it ("<namespace>:<key>" keys). */
export function settingsFromStackConfig(
  config: Record<string, unknown>,
  namespace = "vehicle-pipeline",
): PipelineSettings {
  const prefix = `${namespace}:`;
  const raw = Object.fromEntries(
    Object.entries(config)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v as RawValue]),
  );
  return parseSettings(raw, namespace);
}

/** Reads this stack's settings from Pulumi config. Throws ConfigError, which fails `pulumi up` before any resource is touched. */
export function loadSettings(config = new pulumi.Config()): PipelineSettings {
  const raw: Partial<Record<keyof PipelineSettings, string | undefined>> = {};
  for (const { key } of SETTINGS) raw[key] = config.get(key);
  return parseSettings(raw, config.name);
}
