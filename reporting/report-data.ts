import type { LogLine } from "../contracts";
import type { SeriesPoint } from "../metrics";
import { type MetricsSource, type PipelineNames, type ReportSeriesId, reportQueries, type TimeRange } from "./queries";

/** Everything the report is made from, whichever source it came from. */
export interface ReportData {
  sourceKind: MetricsSource["kind"];
  /** Where the data came from, for the report's first lines: a run folder or a stack/region. */
  origin: string;
  runId: string;
  /** run.json's startedAt/endedAt (ISO) for a local run. */
  startedAt?: string;
  endedAt?: string;
  range: TimeRange;
  /** Seconds per chart point. */
  period: number;
  names: PipelineNames;
  region: string;
  /** The settings the pipeline ran with (memory for cost, maxConcurrency for the scaling chart). */
  settings: ReportSettings;
  settingsSource: string;
  parameters?: Record<string, unknown>;
  producer?: Record<string, unknown>;
  verification?: Record<string, unknown>;
  /** The faults a local run injected and what they caused (run.json's faults; absent without --faults). */
  faults?: Record<string, unknown>;
  series: Record<ReportSeriesId, SeriesPoint[]>;
  totals: Record<ReportSeriesId, number | undefined>;
  /** Distinct series of the consumer's own namespace (each is a billed custom metric on AWS). */
  customMetricCount: number;
  logs: LogLine[];
  warnings: string[];
}

export interface ReportSettings {
  memorySizeMb?: number;
  maxConcurrency?: number;
  batchSize?: number;
  timeoutSeconds?: number;
  maxReceiveCount?: number;
  visibilityTimeoutSeconds?: number;
  batchingWindowSeconds?: number;
  /** arm64 or x86_64: the compute price. */
  architecture?: string;
  /** The consumer's LOG_LEVEL: whether each stored record has a log line. */
  logLevel?: string;
}

/** Chart resolution: 1 s for runs up to 10 minutes, then the finest standard period that keeps charts under ~600 points. */
export function chartPeriod(spanSeconds: number, minimum = 1): number {
  for (const p of [1, 5, 10, 30, 60, 300, 900, 3600]) if (p >= minimum && spanSeconds / p <= 600) return p;
  return 3600;
}

/** What the report needs besides the series: the source to query and everything ReportData carries as given. */
export interface CollectOptions extends Omit<ReportData, "sourceKind" | "series" | "totals" | "logs" | "warnings"> {
  source: MetricsSource;
  logs?: LogLine[];
  warnings?: string[];
}

export async function collectReportData(options: CollectOptions): Promise<ReportData> {
  const queries = Object.values(reportQueries(options.names));
  const [series, totals] = await Promise.all([
    options.source.series(queries, options.range, options.period),
    options.source.totals(queries, options.range),
  ]);
  const { source, logs = [], warnings = [], ...given } = options;
  return {
    ...given,
    sourceKind: source.kind,
    series: series as ReportData["series"],
    totals: totals as ReportData["totals"],
    logs,
    warnings,
  };
}
