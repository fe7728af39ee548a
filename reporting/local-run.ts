import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { parseSettings } from "../components/config";
import { type MetricLine, type RunInfo, type RunRecord, RunRecordError } from "../contracts/run-record";
import { CONSUMER_SERVICE_NAME, METRICS_NAMESPACE } from "../handlers/batch-metrics";
import { recordSpan } from "../metrics/aggregate";
import { LocalMetricsSource } from "./local-source";
import type { PipelineNames } from "./queries";
import { chartPeriod, collectReportData, type ReportData, type ReportSettings } from "./report-data";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const lastSegment = (url: unknown) =>
  typeof url === "string" && url.includes("/") ? url.slice(url.lastIndexOf("/") + 1) : undefined;

/** Finds the first object under `value` (depth-first, a few levels) that has `key`. */
function findKey(value: unknown, key: string, depth = 5): unknown {
  if (depth < 0) return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findKey(item, key, depth - 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isObject(value)) return undefined;
  if (key in value && value[key] !== undefined) return value[key];
  for (const child of Object.values(value)) {
    const found = findKey(child, key, depth - 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function dimensionValues(
  metrics: readonly MetricLine[],
  namespace: string,
  dimension: string,
  metric?: string,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of metrics) {
    if (line.namespace !== namespace || (metric && line.metric !== metric)) continue;
    const value = line.dimensions[dimension];
    if (value !== undefined) out.set(value, (out.get(value) ?? 0) + line.values.reduce((a, b) => a + b, 0));
  }
  return out;
}

/**
 * The resource names the metrics carry: from the stack outputs in run.json when present, otherwise from
 * the record's own dimensions (the queue that received the most messages is the source queue; a queue
 * named like a DLQ is the DLQ).
 */
export function inferNames(run: RunInfo, metrics: readonly MetricLine[]): PipelineNames {
  const queues = [...dimensionValues(metrics, "AWS/SQS", "QueueName", "NumberOfMessagesSent")]
    .sort((a, b) => b[1] - a[1])
    .map(([name]) => name);
  const allQueues = [...new Set([...queues, ...dimensionValues(metrics, "AWS/SQS", "QueueName").keys()])];
  const resources = (Array.isArray(run.resources) ? run.resources : []).filter(isObject);
  const resourceNames = (type: string) =>
    resources.filter((r) => r.type === type && typeof r.name === "string").map((r) => r.name as string);
  // The DLQ is the queue a RedrivePolicy points at (the embedded cloud lists the policy text in the resource's detail).
  const redriveTarget = resources
    .map((r) =>
      typeof r.detail === "string" ? /deadLetterTargetArn"?\s*:\s*"([^"]+)"/.exec(r.detail)?.[1] : undefined,
    )
    .find((arn): arn is string => arn !== undefined);
  const looksDlq = (n: string) => /dlq|dead/i.test(n);
  // The source queue is the one the event source mapping polls (run.json parameters.settings.eventSourceMappings[].queueUrl).
  const queueName =
    lastSegment(findKey(run, "queueUrl")) ??
    queues.find((n) => !looksDlq(n) && n !== lastSegment(redriveTarget?.replace(/:/g, "/"))) ??
    allQueues[0] ??
    "unknown-queue";
  const dlqName =
    lastSegment(findKey(run, "dlqUrl")) ??
    (redriveTarget ? redriveTarget.slice(redriveTarget.lastIndexOf(":") + 1) : undefined) ??
    allQueues.find((n) => n !== queueName && looksDlq(n)) ??
    allQueues.find((n) => n !== queueName) ??
    "unknown-dlq";
  const stringAt = (key: string) => (typeof findKey(run, key) === "string" ? (findKey(run, key) as string) : undefined);
  const functionName =
    stringAt("functionName") ??
    resourceNames("aws:lambda/function:Function")[0] ??
    [...dimensionValues(metrics, "AWS/Lambda", "FunctionName").keys()][0] ??
    "unknown-function";
  const tableName =
    stringAt("tableName") ??
    resourceNames("aws:dynamodb/table:Table")[0] ??
    [...dimensionValues(metrics, "AWS/DynamoDB", "TableName").keys()][0] ??
    "unknown-table";
  const service = [...dimensionValues(metrics, METRICS_NAMESPACE, "service").keys()][0] ?? CONSUMER_SERVICE_NAME;
  return { queueName, dlqName, functionName, tableName, service, namespace: METRICS_NAMESPACE };
}

const SETTING_KEYS = [
  "memorySizeMb",
  "maxConcurrency",
  "batchSize",
  "timeoutSeconds",
  "maxReceiveCount",
  "visibilityTimeoutSeconds",
  "batchingWindowSeconds",
] as const;

/** Settings from run.json; any it lacks come from the stack's Pulumi.<stack>.yaml, which the run deployed. */
/** Where each setting may appear in run.json, first match wins: the deployed resources' own values before the config. */
const SETTING_ALIASES: Record<(typeof SETTING_KEYS)[number], string[]> = {
  memorySizeMb: ["memorySizeMb"],
  maxConcurrency: ["maximumConcurrency", "maxConcurrency"],
  batchSize: ["batchSize"],
  timeoutSeconds: ["timeoutSeconds"],
  maxReceiveCount: ["maxReceiveCount"],
  visibilityTimeoutSeconds: ["VisibilityTimeout", "visibilityTimeoutSeconds"],
  batchingWindowSeconds: ["batchingWindowSeconds", "maximumBatchingWindowInSeconds"],
};

function stackSettingsFrom(config: Record<string, unknown>): ReportSettings | undefined {
  const prefix = "vehicle-pipeline:";
  const raw = Object.fromEntries(
    Object.entries(config)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v as string]),
  );
  try {
    return parseSettings(raw);
  } catch {
    return undefined;
  }
}

/**
 * Settings from run.json (the deployed mapping, function and queue, then the stack config the run used);
 * any still missing come from Pulumi.<stack>.yaml.
 */
export function inferSettings(
  run: RunInfo,
  repoRoot: string,
  stack = "dev",
): { settings: ReportSettings; source: string } {
  const settings: ReportSettings = {};
  const settingsSection = isObject(run.parameters) ? run.parameters.settings : undefined;
  for (const key of SETTING_KEYS) {
    for (const alias of SETTING_ALIASES[key]) {
      const value = findKey(settingsSection, alias) ?? findKey(run.parameters, alias);
      const number =
        typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
      if (Number.isFinite(number)) {
        settings[key] = number;
        break;
      }
    }
  }
  const redrive = findKey(settingsSection, "RedrivePolicy");
  if (settings.maxReceiveCount === undefined && typeof redrive === "string") {
    const count = Number(/maxReceiveCount"?\s*:\s*"?(\d+)/.exec(redrive)?.[1]);
    if (Number.isFinite(count)) settings.maxReceiveCount = count;
  }
  const fromRun = SETTING_KEYS.filter((k) => settings[k] !== undefined).length;
  const stackConfig =
    isObject(run.parameters) && isObject(run.parameters.stackConfig)
      ? stackSettingsFrom(run.parameters.stackConfig)
      : undefined;
  if (stackConfig) for (const key of SETTING_KEYS) settings[key] ??= stackConfig[key];
  if (SETTING_KEYS.every((k) => settings[k] !== undefined))
    return {
      settings,
      source:
        stackConfig && fromRun < SETTING_KEYS.length
          ? "run.json (deployed resources and the run's stack config)"
          : "run.json",
    };
  const yamlPath = path.join(repoRoot, `Pulumi.${stack}.yaml`);
  if (!existsSync(yamlPath))
    return {
      settings,
      source: fromRun > 0 ? "run.json (partial)" : `nowhere: run.json has none and Pulumi.${stack}.yaml is missing`,
    };
  const config = (parseYaml(readFileSync(yamlPath, "utf8")) as { config?: Record<string, unknown> })?.config ?? {};
  const fromYaml = stackSettingsFrom(config);
  if (fromYaml) for (const key of SETTING_KEYS) settings[key] ??= fromYaml[key];
  return {
    settings,
    source:
      fromRun > 0
        ? `run.json, completed from Pulumi.${stack}.yaml`
        : `Pulumi.${stack}.yaml (run.json does not list them)`,
  };
}

/** Distinct series in the consumer's namespace: what CloudWatch would bill as custom metrics. */
export function customMetricCount(metrics: readonly MetricLine[], namespace = METRICS_NAMESPACE): number {
  const keys = new Set<string>();
  for (const m of metrics) {
    if (m.namespace !== namespace) continue;
    keys.add(
      `${m.metric}|${Object.entries(m.dimensions)
        .sort()
        .map(([k, v]) => `${k}=${v}`)
        .join(",")}`,
    );
  }
  return keys.size;
}

export async function localReportData(record: RunRecord, repoRoot: string): Promise<ReportData> {
  const span = recordSpan(record.metrics);
  // An empty report would be worse than none: by default it would overwrite the committed one.
  if (!span)
    throw new RunRecordError(
      `${path.join(record.dir, "metrics.jsonl")} has no readable metric lines: the run recorded no seconds, so there is nothing to report`,
    );
  const warnings = [...record.warnings];
  const range = { start: span.start, end: span.end + 1 };
  const { settings, source } = inferSettings(record.run, repoRoot);
  const names = inferNames(record.run, record.metrics);
  return collectReportData({
    source: new LocalMetricsSource(record.metrics),
    origin: path.relative(repoRoot, record.dir) || record.dir,
    runId: record.run.runId,
    startedAt: typeof record.run.startedAt === "string" ? record.run.startedAt : undefined,
    endedAt: typeof record.run.endedAt === "string" ? record.run.endedAt : undefined,
    range,
    period: chartPeriod(range.end - range.start),
    names,
    region: typeof findKey(record.run, "region") === "string" ? (findKey(record.run, "region") as string) : "us-east-1",
    settings,
    settingsSource: source,
    parameters: isObject(record.run.parameters) ? record.run.parameters : undefined,
    producer: isObject(record.run.producer) ? record.run.producer : undefined,
    verification: isObject(record.run.verification) ? record.run.verification : undefined,
    customMetricCount: customMetricCount(record.metrics),
    logs: record.logs,
    warnings,
  });
}
