// What `npm start` prints at the end: the verdict on every message sent, then how the run went.

import type { AlarmRunSummary, IamRunSummary } from "../contracts";
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
  lines.push("", ...formatIamLines(result.iam), "", ...formatAlarmLines(result.alarms));
  if (v.problems.length > 0) lines.push("", "PROBLEMS", ...v.problems.map((x) => `  ${x}`));
  return lines.join("\n");
}

/** Said before a run without authorization, and in its summary. */
export const IAM_OFF_NOTICE =
  "IAM NOT ENFORCED (--no-iam): every SQS and DynamoDB call passes, whatever its keys and the stack's policies";

/** What IAM refused, each distinct (principal, action, resource) once, or that it refused nothing. */
function formatIamLines(iam: IamRunSummary): string[] {
  if (!iam.enforced) return ["IAM", `  ${IAM_OFF_NOTICE}`];
  const calls = iam.used.reduce((n, u) => n + u.count, 0);
  if (iam.denials.length === 0)
    return ["IAM", `  every call authorized (${calls} permission checks allowed against the stack's policies)`];
  return [
    `IAM REFUSED ${iam.denials.reduce((n, d) => n + d.count, 0)} CALL(S): the run fails whatever the messages' fate`,
    ...iam.denials.flatMap((d) => [
      `  ${d.principal}: ${d.action ? `${d.action} on ${d.resource}` : `${d.code}`} (${d.operation}, ${d.count}x)`,
      `    ${d.message}`,
    ]),
  ];
}

const clock = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().slice(11, 19);

/** Each alarm's final state and transitions, the peak datapoint against what it watches, and a metric never seen. */
function formatAlarmLines(alarms: readonly AlarmRunSummary[]): string[] {
  if (alarms.length === 0) return ["ALARMS", "  the stack declares no alarm this cloud evaluates"];
  const firing = alarms.filter((a) => a.state === "ALARM").map((a) => a.alarm);
  return [
    `ALARMS (evaluated locally as CloudWatch would; ${firing.length > 0 ? `IN ALARM: ${firing.join(", ")}` : "none in ALARM"})`,
    ...alarms.flatMap((a) => [
      `  ${a.alarm}: ${a.state}  (${a.watches}; peak ${a.peak ?? "-"})`,
      ...a.transitions.map((t) => `    ${clock(t.at)} UTC ${t.from} -> ${t.to}: ${t.reason}`),
      ...(a.noData ? [`    ${a.quiet ? "no datapoint" : "NO DATA, A PROBLEM"}: ${a.noData}`] : []),
    ]),
  ];
}
