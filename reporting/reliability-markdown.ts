import type { ReliabilityRow } from "./reliability";

/** report/RELIABILITY.md from the campaign's rows. Pure. */

export interface ReliabilityContext {
  rows: readonly ReliabilityRow[];
  /** The row the others are compared with (no faults), by name. */
  baseline: string;
  /** Chart file per run name, relative to the report. */
  charts: Readonly<Record<string, string>>;
  /** Campaign settings, printed once. */
  setup: { stack: string; rate: number; invalidRatio: number; seed: number; maxReceiveCount?: number };
  /** Bugs the campaign found, and their fixes, one paragraph each. */
  findings: readonly string[];
  generatedAt: Date;
  command: string;
}

const n = (value: number) => value.toLocaleString("en-US");
const ms = (value: number | null) => (value === null ? "-" : n(Math.round(value)));

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.map((c) => (typeof c === "number" ? n(c) : c)).join(" | ")} |`),
  ];
}

function injectedText(row: ReliabilityRow): string {
  const kinds = Object.entries(row.injected).filter(([, count]) => count > 0);
  return kinds.length === 0 ? "none" : kinds.map(([kind, count]) => `${kind} ${n(count)}`).join(", ");
}

function relative(value: number | null, base: number | null): string {
  if (value === null || base === null || base === 0) return "-";
  return `${Math.round((value / base) * 100)}%`;
}

function consequencesTable(rows: readonly ReliabilityRow[]): string[] {
  return table(
    [
      "Run",
      "Faults injected",
      "PutItem calls / item",
      "Batch item failures",
      "Redeliveries",
      "Redrives",
      "Cold starts",
      "Invocation errors (timeouts)",
    ],
    rows.map((r) => [
      r.name,
      injectedText(r),
      r.putItemCallsPerItem === null ? "-" : r.putItemCallsPerItem.toFixed(3),
      r.batchItemFailures,
      r.redeliveries,
      r.redrives,
      r.coldStarts,
      `${n(r.invocationErrors)} (${n(r.timeouts)})`,
    ]),
  );
}

function outcomeTable(rows: readonly ReliabilityRow[]): string[] {
  return table(
    [
      "Run",
      "Sent",
      "Stored once",
      "Counted as stored",
      "Duplicates skipped",
      "Dead-lettered: invalid",
      "Dead-lettered: after retries",
      "Extra DLQ copies",
      "Lost",
      "Duplicated",
      "Verdict",
    ],
    rows.map((r) => [
      r.name,
      r.sent,
      r.storedOnce,
      r.storedCounted,
      r.duplicatesSkipped,
      r.deadLetteredInvalid,
      r.deadLetteredAfterRetries,
      r.extraDlqCopies,
      r.lost,
      r.duplicated,
      r.ok ? "ok" : `NOT OK (${n(r.otherProblems)} other problems)`,
    ]),
  );
}

function performanceTable(rows: readonly ReliabilityRow[], base: ReliabilityRow | undefined): string[] {
  return table(
    [
      "Run",
      "Latency p50 (ms)",
      "p99 (ms)",
      "Stored / s",
      "vs baseline",
      "Settled in (s)",
      "vs baseline",
      "Load (1 min)",
    ],
    rows.map((r) => [
      r.name,
      ms(r.latencyP50),
      ms(r.latencyP99),
      r.storedPerSecond === null ? "-" : r.storedPerSecond.toFixed(1),
      relative(r.storedPerSecond, base?.storedPerSecond ?? null),
      r.settledSeconds === null ? "-" : r.settledSeconds.toFixed(1),
      relative(r.settledSeconds, base?.settledSeconds ?? null),
      r.load ? `${r.load[0].toFixed(1)} to ${r.load[1].toFixed(1)}` : "-",
    ]),
  );
}

function runSection(row: ReliabilityRow, chart: string | undefined): string[] {
  return [
    `### ${row.name}`,
    "",
    `Run \`${row.runId}\`, faults \`${row.spec}\`${row.note ? ` (${row.note})` : ""}: ${n(row.sent)} messages ` +
      `(${n(row.valid)} valid, ${n(row.invalid)} malformed), ${injectedText(row)}.`,
    "",
    ...(chart ? [`![${row.name}: stored and faults per second](${chart})`, ""] : []),
  ];
}

export function reliabilityMarkdown(context: ReliabilityContext): string {
  const { rows, setup } = context;
  const base = rows.find((r) => r.name === context.baseline);
  const sent = rows.reduce((sum, r) => sum + r.sent, 0);
  const bad = rows.filter((r) => r.lost > 0 || r.duplicated > 0 || !r.ok);
  return [
    "# Reliability under injected faults",
    "",
    `Generated ${context.generatedAt.toISOString()} by \`${context.command}\` from ${rows.length} runs of the ` +
      `embedded cloud (${n(sent)} messages in all) on the \`${setup.stack}\` stack` +
      `${setup.maxReceiveCount ? ` (maxReceiveCount ${setup.maxReceiveCount})` : ""}, ` +
      `${setup.rate} messages/s, ${setup.invalidRatio * 100}% malformed, seed ${setup.seed}. ` +
      "Each fault kind alone, then all together, against a fault-free baseline run in the same session. " +
      "The faults are injected where AWS fails (local/README.md, Faults); every count comes from the run's own " +
      "record in .local/runs/<runId>/ (run.json and metrics.jsonl).",
    "",
    bad.length === 0
      ? `**Verdict: nothing lost, nothing stored twice, in every run.** Every valid message was stored exactly once; ` +
        "every malformed one was dead-lettered with its code, or moved to the DLQ by the redrive policy when the " +
        "DLQ itself refused it."
      : `**Verdict: ${bad.map((r) => r.name).join(", ")} did not pass** (see the outcome table).`,
    "",
    "## What was injected and what it caused",
    "",
    ...consequencesTable(rows),
    "",
    "PutItem calls per item counts every call the table was sent, the SDK's own retries included. A batch item " +
      "failure is a record the consumer gave back to SQS (batchItemFailures); a redelivery is a receive with " +
      "ApproximateReceiveCount above 1; a redrive is a message the redrive policy moved to the DLQ after " +
      "maxReceiveCount receives.",
    "",
    "## Outcome",
    "",
    ...outcomeTable(rows),
    "",
    "Stored once and the dead-letter columns are read from the table and the DLQ after the run; counted as stored " +
      "and duplicates skipped are the consumer's own VehiclesStored and DuplicatesSkipped metrics. An extra DLQ copy " +
      "is a DLQ message beyond the one that accounts for a message (a message stored, then moved by the redrive " +
      "policy when its deletes kept failing, or dead-lettered again on a redelivery).",
    "",
    "## Latency and throughput",
    "",
    ...performanceTable(rows, base),
    "",
    "Latency is SentTimestamp to storedAt of every stored item. Stored / s is the stored items over the seconds " +
      "from the first stored item to the last; settled in is the producer's start to the queue drained, which a " +
      "retry a visibility timeout later lengthens. Load is the machine's 1-minute load average at the run's start " +
      "and end: the runs share two cores with other work, which moves latency far more than most faults do " +
      "(compare the two fault-free runs).",
    "",
    ...(context.findings.length ? ["## Bugs the campaign found", "", ...context.findings.flatMap((f) => [f, ""])] : []),
    "## Runs",
    "",
    ...rows.flatMap((row) => runSection(row, context.charts[row.name])),
  ].join("\n");
}
