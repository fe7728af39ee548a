import {
  DEFAULT_LOCAL_ROOT,
  parseCommandLine,
  parseDuration,
  parseInteger,
  parseRegion,
  UsageError,
} from "../contracts";

/** `npm run report -- [flags]`: where the data comes from and where the report goes. */

export type ReportTarget =
  | { kind: "local"; runDir?: string; localRoot: string }
  /** report/RELIABILITY.md from the reliability campaign's runs (run first with rerun). */
  | { kind: "reliability"; rerun: boolean; localRoot: string }
  | {
      kind: "cloudwatch";
      stack?: string;
      queueName?: string;
      dlqName?: string;
      functionName?: string;
      tableName?: string;
      region?: string;
      start: Date;
      end: Date;
      period: number;
    };

export interface ReportArgs {
  target: ReportTarget;
  outDir: string;
  /** Take a screenshot of the local dashboard for the run (local runs only). */
  screenshot: boolean;
  help: boolean;
}

/** How `npm run report` points a user at its flags. */
export const HELP_COMMAND = "npm run report -- --help";

export const REPORT_USAGE = `npm run report -- [flags]

Turns a run into report/REPORT.md with SVG charts, observations and an AWS cost estimate.

Local run (default: the last one, .local/last-run):
  --run <folder>          a run folder holding metrics.jsonl, run.json, logs.jsonl
  --local-root <folder>   where last-run lives (default .local)
  --screenshot            also screenshot the local dashboard for the run into <out>/dashboard.png (needs /usr/bin/chromium)

Reliability under injected faults (report/RELIABILITY.md and a chart per run):
  --reliability           from the last campaign's runs (their records in <local-root>/runs/)
  --reliability --rerun   run the campaign first: every fault kind alone, all together and a fault-free baseline,
                          50,000 messages on the faults stack (reporting/reliability-campaign.ts; several minutes)

Deployed stack (CloudWatch GetMetricData; AWS credentials from the usual chain):
  --stack <name>          read queueUrl, dlqUrl, functionName, tableName from \`pulumi stack output --json --stack <name>\`
  --queue-name <name> --dlq-name <name> --function-name <name> --table-name <name>
  --region <region>       default $AWS_REGION, then us-east-1
  --start <ISO time>      default: --since before --end
  --end <ISO time>        default: now
  --since <duration>      e.g. 45m, 2h, 1d (default 1h)
  --period <seconds>      chart resolution, a multiple of 60 (default 60)

Output:
  --out <folder>          default report/

Exit status: 0 written; 1 nothing to report from, or what it needs is missing or refused (no run recorded, the
Pulumi CLI or CloudWatch failing, no Chromium for --screenshot); 2 bad flags; 70 a bug in this repository.
`;

function parseTime(flag: string, text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`invalid --${flag} ${JSON.stringify(text)}: expected an ISO time, e.g. 2026-11-28T01:00:00Z`);
  return date;
}

const EXAMPLES = {
  "--run": "--run .local/runs/<runId>",
  "--local-root": "--local-root .local",
  "--queue-name": "--queue-name vehicles-1234567",
  "--start": "--start 2026-11-28T01:00:00Z",
  "--end": "--end 2026-11-28T02:00:00Z",
  "--since": "--since 45m",
  "--period": "--period 60",
  "--out": "--out report",
};

function parseReportFlags(argv: readonly string[]) {
  return parseCommandLine(
    {
      args: [...argv],
      options: {
        run: { type: "string" },
        "local-root": { type: "string" },
        screenshot: { type: "boolean" },
        reliability: { type: "boolean" },
        rerun: { type: "boolean" },
        stack: { type: "string" },
        "queue-name": { type: "string" },
        "dlq-name": { type: "string" },
        "function-name": { type: "string" },
        "table-name": { type: "string" },
        region: { type: "string" },
        start: { type: "string" },
        end: { type: "string" },
        since: { type: "string" },
        period: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    },
    EXAMPLES,
  ).values;
}

type ReportFlags = ReturnType<typeof parseReportFlags>;

/** The flags that mean a deployed stack: any of them switches the report to CloudWatch. */
const CLOUD_FLAGS = [
  "stack",
  "queue-name",
  "dlq-name",
  "function-name",
  "table-name",
  "start",
  "end",
  "since",
  "period",
] as const;

/** Parses the report's flags; throws a UsageError naming the flag. */
export function parseReportArgs(argv: readonly string[], now = new Date()): ReportArgs {
  const values = parseReportFlags(argv);
  const outDir = values.out ?? "report";
  const help = values.help === true;
  const wantsCloud = CLOUD_FLAGS.some((f) => values[f] !== undefined);
  if (values.rerun && !values.reliability)
    throw new UsageError("--rerun reruns the reliability campaign: add --reliability");
  if (values.reliability) return { target: reliabilityTarget(values, wantsCloud), outDir, screenshot: false, help };
  if (!wantsCloud) return { target: localTarget(values), outDir, screenshot: values.screenshot === true, help };
  return { target: cloudwatchTarget(values, now), outDir, screenshot: false, help };
}

function reliabilityTarget(values: ReportFlags, wantsCloud: boolean): ReportTarget {
  if (wantsCloud || values.run !== undefined || values.screenshot || values.region !== undefined)
    throw new UsageError(
      "--reliability reads the campaign's local runs; it takes only --rerun, --local-root and --out",
    );
  return { kind: "reliability", rerun: values.rerun === true, localRoot: values["local-root"] ?? DEFAULT_LOCAL_ROOT };
}

function localTarget(values: ReportFlags): ReportTarget {
  if (values.region !== undefined)
    throw new UsageError("--region only applies to a deployed stack: add --stack or the resource names");
  return { kind: "local", runDir: values.run, localRoot: values["local-root"] ?? DEFAULT_LOCAL_ROOT };
}

function cloudwatchTarget(values: ReportFlags, now: Date): ReportTarget {
  if (values.run !== undefined)
    throw new UsageError("--run reads a local run; it cannot be combined with --stack or resource names");
  if (values.screenshot)
    throw new UsageError(
      "--screenshot draws the local dashboard of a local run; for a deployed stack use the CloudWatch console",
    );
  if (values.stack === undefined) {
    const missing = (["queue-name", "dlq-name", "function-name", "table-name"] as const).filter(
      (f) => values[f] === undefined,
    );
    if (missing.length > 0)
      throw new UsageError(
        `without --stack, give every resource name: missing ${missing.map((m) => `--${m}`).join(", ")}`,
      );
  }
  return {
    kind: "cloudwatch",
    stack: values.stack,
    queueName: values["queue-name"],
    dlqName: values["dlq-name"],
    functionName: values["function-name"],
    tableName: values["table-name"],
    region: values.region === undefined ? undefined : parseRegion(values.region),
    ...timeWindow(values, now),
  };
}

/** The charts' time range and resolution, from --start, --end, --since and --period. */
function timeWindow(values: ReportFlags, now: Date): { start: Date; end: Date; period: number } {
  const period = values.period === undefined ? 60 : parseInteger(values.period, "--period", 1, 86_400, "300");
  if (period % 60 !== 0)
    throw new UsageError(`invalid --period "${values.period}": expected a whole multiple of 60 seconds, e.g. 300`);
  if (values.start !== undefined && values.since !== undefined)
    throw new UsageError("give --start or --since, not both");
  const end = values.end !== undefined ? parseTime("end", values.end) : now;
  const start =
    values.start !== undefined
      ? parseTime("start", values.start)
      : new Date(end.getTime() - parseDuration(values.since ?? "1h", "--since"));
  if (start >= end)
    throw new UsageError(`--start (${start.toISOString()}) must be before --end (${end.toISOString()})`);
  return { start, end, period };
}
