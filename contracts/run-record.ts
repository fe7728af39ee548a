import { existsSync, lstatSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { OperatorError } from "./cli-errors";
import type { PipelineSettings } from "./settings";
import { LAST_RUN_POINTER, RUNS_DIR } from "./workspace";

/**
 * The per-second record the embedded cloud writes and the dashboard and report read (see docs/CONTRACTS.md,
 * "Per-second record"): its file names, line types, run.json, the run.json writer and the readers. Parsing is
 * tolerant of a run still being written (a half-written last line is skipped, not an error) but says what it skipped.
 */
export const METRICS_FILE = "metrics.jsonl";
export const LOGS_FILE = "logs.jsonl";
const RUN_FILE = "run.json";

/** One metrics.jsonl line: every value one metric series produced in one second. */
export interface MetricLine {
  /** Epoch seconds. */
  t: number;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  unit?: string;
  values: number[];
}

/** One logs.jsonl line: a structured log line of the function, or a runtime line with source "cloud". */
export interface LogLine {
  t?: number;
  source?: string;
  level?: string;
  message?: string;
  timestamp?: string;
  [key: string]: unknown;
}

/** run.json. Only runId is required; the rest is read defensively because the run may have been cut short. */
export interface RunInfo {
  runId: string;
  startedAt?: string;
  endedAt?: string;
  /** The region the emulated stack ran in. */
  region?: string;
  /** The stack's outputs as deployed on the emulators (queueUrl, dlqUrl, tableName, functionName, ...). */
  outputs?: Record<string, unknown>;
  /** The settings the program was synthesized with (settings.ts parseSettings of the run's stack config). */
  settings?: PipelineSettings;
  parameters?: Record<string, unknown>;
  producer?: Record<string, unknown>;
  verification?: Record<string, unknown>;
  resources?: unknown[];
  [key: string]: unknown;
}

/** Writes run.json into a run folder, once the run has ended. */
export function writeRunInfo(dir: string, run: RunInfo): void {
  writeFileSync(path.join(dir, RUN_FILE), `${JSON.stringify(run, null, 2)}\n`);
}

export interface ParsedLines<T> {
  lines: T[];
  /** 1-based line numbers that were not valid JSON of the expected shape. */
  skipped: number[];
}

/** A folder or file that should hold a run record does not. */
export class RunRecordError extends OperatorError {}

function isMetricLine(value: unknown): value is MetricLine {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.t === "number" &&
    typeof v.namespace === "string" &&
    typeof v.metric === "string" &&
    Array.isArray(v.values) &&
    (v.dimensions === undefined || (typeof v.dimensions === "object" && v.dimensions !== null))
  );
}

/** Parses metrics.jsonl text. Values that are not finite numbers are dropped from their line. */
export function parseMetricLines(text: string): ParsedLines<MetricLine> {
  const lines: MetricLine[] = [];
  const skipped: number[] = [];
  text.split("\n").forEach((raw, index) => {
    if (raw.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      skipped.push(index + 1);
      return;
    }
    if (!isMetricLine(parsed)) {
      skipped.push(index + 1);
      return;
    }
    lines.push({
      t: parsed.t,
      namespace: parsed.namespace,
      metric: parsed.metric,
      dimensions: stringRecord(parsed.dimensions ?? {}),
      unit: parsed.unit,
      values: parsed.values.filter((v): v is number => typeof v === "number" && Number.isFinite(v)),
    });
  });
  return { lines, skipped };
}

/** Parses logs.jsonl text; lines that are not JSON objects are kept as `{ message: <text> }`. */
function parseLogLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") continue;
    try {
      const parsed = JSON.parse(raw) as unknown;
      out.push(
        typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
          ? (parsed as LogLine)
          : { message: raw },
      );
    } catch {
      out.push({ message: raw });
    }
  }
  return out;
}

function stringRecord(value: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = String(v);
  return out;
}

/**
 * `.local/last-run` is either a symlink to the run folder or a file naming it (absolute, or relative to
 * `.local/` or to `.local/runs/`). Returns the run folder's absolute path.
 */
export function resolveLastRun(localDir: string): string {
  const pointer = path.join(localDir, LAST_RUN_POINTER);
  if (!existsSync(pointer) && !isSymlink(pointer)) {
    throw new RunRecordError(
      `no run recorded yet: ${pointer} does not exist (run \`npm start\` first, or pass --run <folder>)`,
    );
  }
  if (isSymlink(pointer)) {
    const target = path.resolve(localDir, readlinkSync(pointer));
    if (!existsSync(target)) throw new RunRecordError(`${pointer} points to ${target}, which does not exist`);
    return target;
  }
  if (statSync(pointer).isDirectory()) return pointer;
  const named = readFileSync(pointer, "utf8").trim();
  const candidates = [path.resolve(localDir, named), path.resolve(localDir, RUNS_DIR, named)];
  const found = candidates.find((c) => existsSync(path.join(c, METRICS_FILE)) || existsSync(path.join(c, RUN_FILE)));
  if (!found)
    throw new RunRecordError(`${pointer} names "${named}", but neither ${candidates.join(" nor ")} holds a run record`);
  return found;
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

export interface RunRecord {
  dir: string;
  run: RunInfo;
  metrics: MetricLine[];
  logs: LogLine[];
  /** Problems met while reading (skipped lines, missing files) so the report can state them. */
  warnings: string[];
}

/** Reads a run folder. A missing run.json or logs.jsonl is a warning; a folder without metrics.jsonl is an error. */
export function readRunRecord(dir: string): RunRecord {
  const metricsPath = path.join(dir, METRICS_FILE);
  if (!existsSync(metricsPath)) throw new RunRecordError(`${dir} holds no metrics.jsonl: not a run record`);
  const warnings: string[] = [];
  const { lines, skipped } = parseMetricLines(readFileSync(metricsPath, "utf8"));
  if (skipped.length > 0)
    warnings.push(`metrics.jsonl: skipped ${skipped.length} unreadable line(s) (first at line ${skipped[0]})`);

  let run: RunInfo = { runId: path.basename(dir) };
  const runPath = path.join(dir, RUN_FILE);
  if (existsSync(runPath)) {
    try {
      run = {
        runId: path.basename(dir),
        ...(JSON.parse(readFileSync(runPath, "utf8")) as Partial<RunInfo>),
      } as RunInfo;
    } catch (error) {
      warnings.push(
        `run.json is not valid JSON (${(error as Error).message}); parameters and verification are unknown`,
      );
    }
  } else {
    warnings.push("run.json is missing; parameters and verification are unknown");
  }

  const logsPath = path.join(dir, LOGS_FILE);
  const logs = existsSync(logsPath) ? parseLogLines(readFileSync(logsPath, "utf8")) : [];
  if (!existsSync(logsPath)) warnings.push("logs.jsonl is missing");
  return { dir, run, metrics: lines, logs, warnings };
}
