// What `npm start` prints at the end: the verdict on every message sent, then how the run went.

import { formatFaultLines } from "./faults/cli-flags";
import { latencySummary } from "./latency-summary";
import type { PipelineRunResult } from "./pipeline-run";
import { table } from "./text-table";

export function formatRunSummary(result: PipelineRunResult): string {
  const v = result.verification;
  const p = result.producer;
  const latency = latencySummary(result.latenciesMs);
  const lines = [
    "",
    `VERIFICATION ${v.ok ? "PASSED" : "FAILED"}`,
    table([
      ["sent", `${v.sent} (${v.valid} valid, ${v.invalid} malformed)`],
      ["stored exactly once, right content", `${v.storedCorrectly} of ${v.valid}`],
      ["in DLQ with the right reason", `${v.deadLetteredCorrectly} of ${v.invalid}  ${JSON.stringify(v.dlqByCode)}`],
      ["lost", v.lost],
      ["duplicated", v.duplicated],
      ["wrong content or reason", v.mismatched],
      ["misrouted", v.misrouted],
      [
        "dead-lettered after receives",
        `${v.deadLetteredAfterReceives} (moved by the redrive policy: not lost, not stored)`,
      ],
      ["extra DLQ copies", v.extraDlqCopies],
      ["left in queue", v.leftInQueue],
      ["unexpected (not from this run)", v.unexpected],
    ]),
    "",
    "RUN",
    table([
      ["producer", `${p.sent} sent at ${p.achievedRate.toFixed(1)}/s, ${p.failed} failed, ${p.retried} retried`],
      [
        "send-to-stored latency",
        latency.count
          ? `p50 ${latency.p50} ms, p90 ${latency.p90} ms, p99 ${latency.p99} ms, max ${latency.max} ms`
          : "-",
      ],
      [
        "time to first stored item",
        result.timeToFirstStoredMs === undefined ? "-" : `${(result.timeToFirstStoredMs / 1000).toFixed(2)} s`,
      ],
      [
        "Lambda",
        `${result.lambda.invocations} invocations, ${result.lambda.errors} errors, ` +
          `${result.lambda.coldStarts} cold starts, peak concurrency ${result.lambda.peakConcurrency}`,
      ],
      [
        "event source mapping",
        `peak ${result.mapping.peakReaders} batch readers, ${result.mapping.scaleOuts} scale-outs, ` +
          `${result.mapping.scaleIns} scale-ins, ${result.mapping.retriedBatches} batches left for retry`,
      ],
      ["record", result.folder ?? "-"],
    ]),
  ];
  if (result.faults) lines.push("", ...formatFaultLines(result.faults, v));
  if (v.problems.length > 0) lines.push("", "PROBLEMS", ...v.problems.map((x) => `  ${x}`));
  return lines.join("\n");
}
