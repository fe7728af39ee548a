import { appendFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  LAST_RUN_POINTER,
  LOGS_FILE,
  type LogLine,
  METRICS_FILE,
  type MetricLine,
  RUNS_DIR,
  type RunInfo,
  writeRunInfo,
} from "../contracts";

/**
 * The laptop's CloudWatch: every second of a run, one line per metric series, in the format docs/CONTRACTS.md fixes for
 * the local dashboard and the report (same namespaces, names, dimensions and units as CloudWatch).
 */

/** How a series is aggregated within one second, as CloudWatch would show it. */
export type SeriesKind =
  /** One value: the sum of everything counted that second (0 when nothing happened, so charts fall back to zero). */
  | "counter"
  /** One sample, taken when the second closes. */
  | "gauge"
  /** Every value seen that second (Duration, latency), for percentiles. */
  | "distribution";

export interface SeriesKey {
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  unit: string;
}

interface Series extends SeriesKey {
  kind: SeriesKind;
  /** Declared series are written every second, zero or not; others only in seconds they have values. */
  declared: boolean;
  values: number[];
  gauge?: () => number | undefined;
}

function keyOf(s: SeriesKey): string {
  const dims = Object.keys(s.dimensions)
    .sort()
    .map((k) => `${k}=${s.dimensions[k]}`)
    .join(",");
  return `${s.namespace}|${s.metric}|${dims}`;
}

/**
 * Told of the lines each flush wrote, the last second they complete, and whether it is the record's last flush (the
 * listener may still log then: the log lines are written after it).
 */
export type FlushListener = (lines: readonly MetricLine[], completeThrough: number, final: boolean) => void;

export interface RecorderOptions {
  /** The .local folder; the run goes to <root>/runs/<runId>/ and <root>/last-run names it. */
  root: string;
  runId?: string;
  /** Milliseconds between flushes; 1000 in real runs. */
  intervalMs?: number;
}

/** A fresh run id that sorts by time and is readable in a folder listing: 2026-11-28T01-30-00-123Z. */
function newRunId(now = new Date()): string {
  return now.toISOString().replace(/[:.]/g, "-");
}

/**
 * Collects metrics in per-second buckets and appends them to metrics.jsonl as each second closes, so the local
 * dashboard can follow a run live. Log lines are buffered and appended at the same moments: one write a second
 * keeps the main thread, where SQS and the pollers run, free for the pipeline.
 */
export class RunRecorder {
  readonly runId: string;
  readonly folder: string;
  readonly metricsFile: string;
  readonly logsFile: string;
  private readonly series = new Map<string, Series>();
  /** Values counted in a second that has not closed yet, by epoch second. */
  private readonly pending = new Map<number, Map<string, number[]>>();
  private lastClosed: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly linesWritten: MetricLine[] = [];
  private pendingLogs: string[] = [];
  private readonly flushListeners = new Set<FlushListener>();
  private stopping = false;

  constructor(private readonly options: RecorderOptions) {
    this.runId = options.runId ?? newRunId();
    this.folder = join(options.root, RUNS_DIR, this.runId);
    mkdirSync(this.folder, { recursive: true });
    this.metricsFile = join(this.folder, METRICS_FILE);
    this.logsFile = join(this.folder, LOGS_FILE);
    writeFileSync(this.metricsFile, "");
    writeFileSync(this.logsFile, "");
    this.pointLastRun();
    this.lastClosed = Math.floor(Date.now() / 1000) - 1;
  }

  /** .local/last-run: a symlink to the run folder, or a file naming it where symlinks are not allowed. */
  private pointLastRun(): void {
    const pointer = join(this.options.root, LAST_RUN_POINTER);
    rmSync(pointer, { force: true, recursive: false });
    const target = relative(this.options.root, this.folder);
    try {
      symlinkSync(target, pointer, "dir");
    } catch {
      writeFileSync(pointer, `${target}\n`);
    }
  }

  /** Declares a counter or distribution written every second (zeros included), or a gauge sampled every second. */
  declare(key: SeriesKey, kind: SeriesKind, gauge?: () => number | undefined): void {
    const id = keyOf(key);
    const existing = this.series.get(id);
    if (existing) {
      existing.declared = true;
      if (gauge) existing.gauge = gauge;
      return;
    }
    this.series.set(id, { ...key, dimensions: { ...key.dimensions }, kind, declared: true, values: [], gauge });
  }

  /** Adds n to a counter for the current second. */
  count(key: SeriesKey, n = 1, at = Date.now()): void {
    this.add(key, "counter", n, at);
  }

  /** Adds one observation (a duration, a latency) to a distribution for the current second. */
  observe(key: SeriesKey, value: number, at = Date.now()): void {
    this.add(key, "distribution", value, at);
  }

  private add(key: SeriesKey, kind: SeriesKind, value: number, at: number): void {
    if (this.closed) return;
    const id = keyOf(key);
    if (!this.series.has(id))
      this.series.set(id, { ...key, dimensions: { ...key.dimensions }, kind, declared: false, values: [] });
    let second = Math.floor(at / 1000);
    // A value stamped in a second already written (a late EMF line) joins the current one rather than being lost.
    if (second <= this.lastClosed) second = this.lastClosed + 1;
    let bucket = this.pending.get(second);
    if (!bucket) {
      bucket = new Map();
      this.pending.set(second, bucket);
    }
    const values = bucket.get(id);
    if (values) values.push(value);
    else bucket.set(id, [value]);
  }

  log(line: LogLine & { source: string }): void {
    if (this.closed) return;
    this.pendingLogs.push(JSON.stringify({ t: Date.now() / 1000, ...line }));
  }

  /** Appends the log lines gathered since the last write. */
  flushLogs(): void {
    if (this.pendingLogs.length === 0) return;
    const lines = this.pendingLogs;
    this.pendingLogs = [];
    appendFileSync(this.logsFile, `${lines.join("\n")}\n`);
  }

  /** Writes the lines of every second that has fully passed, and the log lines gathered so far. */
  flush(upTo = Math.floor(Date.now() / 1000) - 1): void {
    this.flushLogs();
    const out: string[] = [];
    const written: MetricLine[] = [];
    for (let second = this.lastClosed + 1; second <= upTo; second++) {
      const bucket = this.pending.get(second);
      this.pending.delete(second);
      for (const [id, series] of this.series) {
        let values: number[] | undefined;
        if (series.kind === "gauge") {
          // Sampled now, for the second that just closed; earlier seconds missed by a stalled timer stay empty.
          const sample = second === upTo ? series.gauge?.() : undefined;
          values = sample === undefined ? undefined : [sample];
        } else {
          const seen = bucket?.get(id);
          if (series.kind === "counter") {
            const sum = seen?.reduce((a, b) => a + b, 0);
            values = sum !== undefined ? [sum] : series.declared ? [0] : undefined;
          } else {
            values = seen ?? (series.declared ? [] : undefined);
          }
        }
        if (values === undefined) continue;
        const line: MetricLine = {
          t: second,
          namespace: series.namespace,
          metric: series.metric,
          dimensions: series.dimensions,
          unit: series.unit,
          values,
        };
        this.linesWritten.push(line);
        written.push(line);
        out.push(JSON.stringify(line));
      }
    }
    this.lastClosed = Math.max(this.lastClosed, upTo);
    if (out.length > 0) appendFileSync(this.metricsFile, `${out.join("\n")}\n`);
    for (const listener of this.flushListeners) listener(written, this.lastClosed, this.stopping);
  }

  /** Follows the record as it is written (the alarm monitor evaluates the lines every second). */
  onFlush(listener: FlushListener): () => void {
    this.flushListeners.add(listener);
    return () => this.flushListeners.delete(listener);
  }

  /** Starts flushing once a second, just after each second closes. */
  start(): void {
    if (this.timer) return;
    const interval = this.options.intervalMs ?? 1000;
    const tick = () => {
      this.flush();
      this.timer = setTimeout(tick, interval - (Date.now() % interval) + 5);
      this.timer.unref();
    };
    tick();
  }

  /** Flushes everything, including the current partial second, and stops. */
  stop(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.stopping = true;
    this.flush(Math.floor(Date.now() / 1000));
    // What the last flush's listeners logged.
    this.flushLogs();
    this.closed = true;
  }

  /** What has been written so far (tests and the benchmark read this rather than parsing the file back). */
  lines(): readonly MetricLine[] {
    return this.linesWritten;
  }

  writeRun(run: RunInfo): void {
    writeRunInfo(this.folder, run);
  }
}
