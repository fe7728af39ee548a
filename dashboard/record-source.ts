import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import * as path from "node:path";
import {
  type AlarmStateLogLine,
  isAlarmStateLine,
  type LogLine,
  type MetricLine,
  parseMetricLines,
  type RunInfo,
} from "../contracts";

/** What the dashboard reads on each poll: every metric line so far, the alarms' state changes, run.json if any. */
export interface RecordSnapshot {
  metrics: readonly MetricLine[];
  /** The alarm state changes in logs.jsonl (undefined: the source has no logs to read them from). */
  alarms?: readonly AlarmStateLogLine[];
  run?: RunInfo;
}

/** Reads a growing file from where the last read stopped; a half-written last line waits for the next read. */
function tail(onLines: (text: string) => void) {
  let offset = 0;
  let pending = "";
  return {
    reset() {
      offset = 0;
      pending = "";
    },
    read(file: string): boolean {
      if (!existsSync(file)) return false;
      const fd = openSync(file, "r");
      try {
        const size = fstatSync(fd).size;
        if (size < offset) return true; // rewritten: the caller starts over
        if (size > offset) {
          const buffer = Buffer.alloc(size - offset);
          readSync(fd, buffer, 0, buffer.length, offset);
          offset = size;
          const text = pending + buffer.toString("utf8");
          const cut = text.lastIndexOf("\n");
          pending = cut === -1 ? text : text.slice(cut + 1);
          if (cut !== -1) onLines(text.slice(0, cut));
        }
        return false;
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** Where the dashboard gets the record: a run folder on disk, or anything else (an in-memory recorder). */
export interface RecordSource {
  read(): RecordSnapshot | Promise<RecordSnapshot>;
}

/**
 * Follows `<runDir>/metrics.jsonl` as the embedded cloud appends to it, reading only the new bytes on each
 * poll (a long run would otherwise be re-parsed every second). A half-written last line waits for the
 * next read. `runDir` may be a function, for a server started before the run folder exists (`local up`);
 * when it names a different folder, or the file shrinks, reading starts over.
 */
export function runDirRecordSource(runDir: string | (() => string | undefined)): RecordSource {
  let currentDir: string | undefined;
  let lines: MetricLine[] = [];
  let alarms: AlarmStateLogLine[] = [];
  const metrics = tail((text) => {
    for (const line of parseMetricLines(text).lines) lines.push(line);
  });
  // logs.jsonl holds every function log line too: only the alarm state changes are kept.
  const logs = tail((text) => {
    for (const raw of text.split("\n")) {
      if (!raw.includes('"alarm-state"')) continue;
      try {
        const line = JSON.parse(raw) as LogLine;
        if (isAlarmStateLine(line)) alarms.push(line);
      } catch {
        // a line that is not JSON holds no state change
      }
    }
  });

  const reset = (dir: string | undefined) => {
    currentDir = dir;
    metrics.reset();
    logs.reset();
    lines = [];
    alarms = [];
  };

  return {
    read(): RecordSnapshot {
      const dir = typeof runDir === "function" ? runDir() : runDir;
      if (dir !== currentDir) reset(dir);
      if (!dir) return { metrics: [] };
      if (metrics.read(path.join(dir, "metrics.jsonl")) || logs.read(path.join(dir, "logs.jsonl"))) {
        reset(dir);
        metrics.read(path.join(dir, "metrics.jsonl"));
        logs.read(path.join(dir, "logs.jsonl"));
      }
      let run: RunInfo | undefined;
      const runPath = path.join(dir, "run.json");
      if (existsSync(runPath)) {
        try {
          run = JSON.parse(readFileSync(runPath, "utf8")) as RunInfo;
        } catch {
          run = undefined; // being rewritten right now; the next poll gets it
        }
      }
      return { metrics: lines, alarms, run };
    },
  };
}
