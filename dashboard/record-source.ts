import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import * as path from "node:path";
import { type MetricLine, parseMetricLines, type RunInfo } from "../contracts";

/** What the dashboard reads on each poll: every metric line so far and run.json if it exists yet. */
export interface RecordSnapshot {
  metrics: readonly MetricLine[];
  run?: RunInfo;
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
  let offset = 0;
  let pending = "";
  let lines: MetricLine[] = [];

  const reset = (dir: string | undefined) => {
    currentDir = dir;
    offset = 0;
    pending = "";
    lines = [];
  };

  return {
    read(): RecordSnapshot {
      const dir = typeof runDir === "function" ? runDir() : runDir;
      if (dir !== currentDir) reset(dir);
      if (!dir) return { metrics: [] };
      const metricsPath = path.join(dir, "metrics.jsonl");
      if (existsSync(metricsPath)) {
        const fd = openSync(metricsPath, "r");
        try {
          const size = fstatSync(fd).size;
          if (size < offset) reset(dir);
          if (size > offset) {
            const buffer = Buffer.alloc(size - offset);
            readSync(fd, buffer, 0, buffer.length, offset);
            offset = size;
            const text = pending + buffer.toString("utf8");
            const cut = text.lastIndexOf("\n");
            pending = cut === -1 ? text : text.slice(cut + 1);
            if (cut !== -1) for (const line of parseMetricLines(text.slice(0, cut)).lines) lines.push(line);
          }
        } finally {
          closeSync(fd);
        }
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
      return { metrics: lines, run };
    },
  };
}
