import { existsSync } from "node:fs";
import * as path from "node:path";
import {
  CONSUMER_NAMESPACE,
  CONSUMER_SERVICE_NAME,
  CommandError,
  LOCAL_REGION,
  type MetricLine,
  type PipelineSettings,
  type RunInfo,
  type RunRecord,
  RunRecordError,
  settingsFromStackConfig,
  stackConfigFromYaml,
  stackFilePath,
} from "../contracts";
import { recordSpan } from "../metrics";
import { namesFromStackOutputs } from "./cloudwatch-run";
import { LocalMetricsSource } from "./local-source";
import type { PipelineNames } from "./queries";
import { chartPeriod, collectReportData, type ReportData, type ReportSettings } from "./report-data";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The settings the report shows, in its order. */
const REPORTED_SETTINGS = [
  "memorySizeMb",
  "maxConcurrency",
  "batchSize",
  "timeoutSeconds",
  "maxReceiveCount",
  "visibilityTimeoutSeconds",
  "batchingWindowSeconds",
  "architecture",
  "logLevel",
] as const satisfies readonly (keyof ReportSettings)[];

function reported(settings: Partial<PipelineSettings>): ReportSettings {
  return Object.fromEntries(REPORTED_SETTINGS.map((key) => [key, settings[key]])) as ReportSettings;
}

/** A run.json written before it carried the stack outputs and settings: say so rather than guess them. */
function missingField(run: RunInfo, field: string): RunRecordError {
  return new RunRecordError(
    `run.json of run ${run.runId} has no "${field}": it was recorded by an older version of the embedded cloud, ` +
      "or cut short. Record a new run with `npm start`.",
  );
}

/** The resource names the metrics carry, from the stack outputs run.json holds (docs/CONTRACTS.md). */
export function namesFromRun(run: RunInfo): PipelineNames {
  if (!isObject(run.outputs)) throw missingField(run, "outputs");
  try {
    return { ...namesFromStackOutputs(run.outputs), service: CONSUMER_SERVICE_NAME, namespace: CONSUMER_NAMESPACE };
  } catch (error) {
    throw new RunRecordError(`run.json of run ${run.runId}: ${(error as Error).message}`);
  }
}

/** The settings the run deployed with, as run.json holds them. */
export function settingsFromRun(run: RunInfo): ReportSettings {
  if (!isObject(run.settings)) throw missingField(run, "settings");
  return reported(run.settings);
}

/**
 * Settings of a deployed stack, from its Pulumi.<stack>.yaml (the CloudWatch report has no run.json). A missing,
 * unreadable or invalid file leaves the report without settings, saying why, rather than failing it.
 */
export function settingsFromStackFile(stack: string): { settings: ReportSettings; source: string } {
  const file = `Pulumi.${stack}.yaml`;
  if (!existsSync(stackFilePath(stack))) return { settings: {}, source: `nowhere: ${file} is missing` };
  try {
    return { settings: reported(settingsFromStackConfig(stackConfigFromYaml(stackFilePath(stack)))), source: file };
  } catch (error) {
    // StackConfigError (unreadable) or ConfigError (invalid settings); anything else is a bug.
    if (!(error instanceof CommandError)) throw error;
    return { settings: {}, source: `nowhere: ${file} is invalid (${error.message})` };
  }
}

/** Distinct series in the consumer's namespace: what CloudWatch would bill as custom metrics. */
function customMetricCount(metrics: readonly MetricLine[], namespace = CONSUMER_NAMESPACE): number {
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
  const settings = settingsFromRun(record.run);
  const names = namesFromRun(record.run);
  return collectReportData({
    source: new LocalMetricsSource(record.metrics),
    origin: path.relative(repoRoot, record.dir) || record.dir,
    runId: record.run.runId,
    startedAt: typeof record.run.startedAt === "string" ? record.run.startedAt : undefined,
    endedAt: typeof record.run.endedAt === "string" ? record.run.endedAt : undefined,
    range,
    period: chartPeriod(range.end - range.start),
    names,
    region: typeof record.run.region === "string" ? record.run.region : LOCAL_REGION,
    settings,
    settingsSource: "run.json",
    parameters: isObject(record.run.parameters) ? record.run.parameters : undefined,
    producer: isObject(record.run.producer) ? record.run.producer : undefined,
    verification: isObject(record.run.verification) ? record.run.verification : undefined,
    faults: isObject(record.run.faults) ? record.run.faults : undefined,
    customMetricCount: customMetricCount(record.metrics),
    logs: record.logs,
    warnings,
  });
}
