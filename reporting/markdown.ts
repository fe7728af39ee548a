import type { LogLine } from "../contracts";
import type { CostAlternative, CostEstimate } from "./cost";
import { formatNumber, keyFigures, observations } from "./observations";
import { consumerRejections } from "./queries";
import type { ReportChart } from "./report-charts";
import type { ReportData } from "./report-data";

/** REPORT.md from the collected data: pure text, so tests compare it with the fixture's numbers. */

export interface VerificationRow {
  label: string;
  value: string;
}

const VERIFICATION_KEYS: { label: string; keys: string[] }[] = [
  { label: "Sent", keys: ["sent", "messagesSent", "totalSent"] },
  { label: "Stored exactly once, content checked", keys: ["storedCorrectly", "stored", "storedOnce", "itemsStored"] },
  {
    label: "In DLQ with the expected reason",
    keys: ["deadLetteredCorrectly", "inDlq", "dlq", "deadLettered", "dlqCount", "inDLQ"],
  },
  { label: "Lost", keys: ["lost", "missing"] },
  { label: "Duplicated", keys: ["duplicated", "duplicates", "duplicatedItems"] },
];

function describeValue(value: unknown): string {
  if (typeof value === "number") return formatNumber(value, Number.isInteger(value) ? 0 : 2);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "string") return value;
  if (Array.isArray(value))
    return value.length === 0
      ? "0"
      : `${value.length} (${value
          .slice(0, 3)
          .map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v)))
          .join(", ")}${value.length > 3 ? ", …" : ""})`;
  if (value === null || value === undefined) return "n/a";
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/**
 * The verification table: item-level from run.json when the run has it (the embedded cloud checks every
 * item), otherwise derived from metrics and labelled so.
 */
export function verificationRows(data: ReportData): { rows: VerificationRow[]; itemLevel: boolean } {
  const v = data.verification;
  if (v && Object.keys(v).length > 0) {
    const used = new Set<string>();
    const rows: VerificationRow[] = [];
    for (const { label, keys } of VERIFICATION_KEYS) {
      const key = keys.find((k) => k in v);
      if (key === undefined) continue;
      used.add(key);
      rows.push({ label, value: describeValue(v[key]) });
    }
    for (const [key, value] of Object.entries(v))
      if (!used.has(key)) rows.push({ label: key, value: describeValue(value) });
    return { rows, itemLevel: true };
  }
  const t = data.totals;
  const dlq = t.dlqSent ?? consumerRejections(t);
  const lost =
    t.sent !== undefined && t.stored !== undefined && dlq !== undefined ? t.sent - t.stored - dlq : undefined;
  return {
    itemLevel: false,
    rows: [
      { label: "Sent", value: formatNumber(t.sent) },
      { label: "Stored", value: formatNumber(t.stored) },
      { label: "In DLQ", value: formatNumber(dlq) },
      { label: "Lost (sent − stored − DLQ)", value: formatNumber(lost) },
      { label: "Duplicates skipped", value: formatNumber(t.duplicates) },
    ],
  };
}

/** What the producer reports that says how the load went (its inputs are listed under "load"). */
const PRODUCER_RESULT_KEYS =
  /^(sent|failed|retried|achievedRate|calls|durationMs|stoppedBy|byKind\..*|latencyMs\.(p50|p99))$/;

function table(header: string[], rows: string[][]): string {
  const esc = (cell: string) => cell.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [
    `| ${header.map(esc).join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

/** Flattens nested parameters to "a.b" keys, leaving long arrays summarized. */
export function flattenParameters(value: unknown, prefix = "", out: [string, string][] = []): [string, string][] {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenParameters(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.push([prefix, describeValue(value)]);
  }
  return out;
}

function iso(t: number): string {
  return new Date(t * 1000).toISOString().replace(".000Z", "Z");
}

function logText(line: LogLine, max = 280): string {
  const text = JSON.stringify(line);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Which log lines to show: the runtime's own lines, then examples of each level, at most `perGroup` each. */
function logExcerpts(logs: readonly LogLine[], perGroup = 5): { title: string; lines: string[] }[] {
  const groups: { title: string; lines: string[] }[] = [];
  const level = (l: LogLine) => String(l.level ?? "").toUpperCase();
  const cloud = logs.filter((l) => l.source === "cloud");
  if (cloud.length > 0) {
    const picked = cloud.length <= perGroup * 2 ? cloud : [...cloud.slice(0, perGroup), ...cloud.slice(-perGroup)];
    groups.push({
      title: `Embedded cloud runtime (${cloud.length} lines${cloud.length > picked.length ? `, first and last ${perGroup}` : ""})`,
      lines: picked.map((l) => logText(l)),
    });
  }
  for (const wanted of ["ERROR", "WARN", "INFO"]) {
    const found = logs.filter((l) => l.source !== "cloud" && level(l) === wanted);
    if (found.length > 0)
      groups.push({
        title: `Function ${wanted} lines (${found.length}, first ${Math.min(perGroup, found.length)})`,
        lines: found.slice(0, perGroup).map((l) => logText(l)),
      });
  }
  return groups;
}

function levelCounts(logs: readonly LogLine[]): string {
  const counts = new Map<string, number>();
  for (const l of logs) {
    const key = l.source === "cloud" ? "cloud" : String(l.level ?? "unlabelled").toUpperCase();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k}: ${formatNumber(n)}`).join(", ");
}

/** Dollars with three significant digits below a cent ($0.0000176), cents above. */
export function usd(value: number): string {
  if (value === 0) return "$0";
  if (value >= 0.01) return `$${value.toFixed(2)}`;
  return `$${value.toFixed(Math.min(12, 2 - Math.floor(Math.log10(value))))}`;
}

/** Whole numbers with separators; small fractions with three significant digits. */
function quantity(value: number): string {
  if (Number.isInteger(value) || value >= 100) return formatNumber(value);
  if (value === 0) return "0";
  return value.toPrecision(3);
}

export interface MarkdownInputs {
  data: ReportData;
  charts: ReportChart[];
  cost: CostEstimate;
  /** The same load at each architecture and log level the settings offer (the declared one first). */
  alternatives?: CostAlternative[];
  /** A screenshot of the local dashboard, relative to the report folder, when one was taken. */
  screenshot?: string;
  generatedAt: Date;
  command: string;
}

export function reportMarkdown({
  data,
  charts,
  cost,
  alternatives = [],
  screenshot,
  generatedAt,
  command,
}: MarkdownInputs): string {
  return [
    ...headerSection(data, generatedAt, command),
    ...processSection(data),
    ...verificationSection(data),
    ...faultsSection(data),
    ...observationsSection(data),
    ...chartsSection(charts, screenshot),
    ...logsSection(data.logs),
    ...costSection(cost, alternatives),
    ...notesSection(data.warnings),
    ...regenerateSection(),
  ].join("\n");
}

function headerSection(data: ReportData, generatedAt: Date, command: string): string[] {
  const out: string[] = [];
  const span = data.range.end - data.range.start;
  const runTimes = [data.startedAt, data.endedAt].every(Boolean)
    ? ` The run (deploy, produce, drain, verify) lasted from ${data.startedAt} to ${data.endedAt}; the record covers the seconds with metrics.`
    : "";
  out.push(`# Vehicle pipeline: scale-out/in test report`);
  out.push("");
  out.push(
    `Run \`${data.runId}\`, ${iso(data.range.start)} to ${iso(data.range.end)} (${formatNumber(span)} s), ` +
      `read from the ${data.sourceKind} (${data.origin}). ` +
      `Generated ${generatedAt.toISOString()} by \`${command}\`. Times below are seconds from the first message sent.${runTimes}`,
  );
  out.push("");
  return out;
}

function processSection(data: ReportData): string[] {
  const out: string[] = [];
  out.push("## Test process and parameters");
  out.push("");
  out.push(
    data.sourceKind === "local record"
      ? "The embedded cloud ran the Pulumi program's own resources on this machine: SQS (fauxqs) and DynamoDB " +
          "(dynalite) in-process, the consumer from its serialized CallbackFunction archive in isolated " +
          "execution environments, fed by an event source mapping that scales as AWS documents it (five concurrent " +
          "batches when messages arrive, up to 300 more per minute while messages wait, back to five when traffic is " +
          "low, one batch reader per 3 s here). The producer sent vehicle messages (a share " +
          "deliberately invalid) on the profile below; every second, the recorder wrote what CloudWatch " +
          "would show (same namespaces, names and dimensions). After the queue drained, every item was verified against what was sent."
      : "The metrics below were read from CloudWatch (GetMetricData) for a deployed stack; the verification " +
          "table is derived from the metrics because no item-level record exists for a deployed run.",
  );
  out.push("");
  const rows: [string, string][] = [
    ["queue", data.names.queueName],
    ["dead-letter queue", data.names.dlqName],
    ["function", data.names.functionName],
    ["table", data.names.tableName],
    ["region", data.region],
    ["chart period", `${data.period} s`],
  ];
  for (const [k, v] of Object.entries(data.settings)) if (v !== undefined) rows.push([`setting ${k}`, String(v)]);
  // The deployed settings are listed above; the stack config they came from and null parameters would only repeat them.
  if (data.parameters) {
    for (const [k, v] of flattenParameters(data.parameters))
      if (!/^(settings|stackConfig)\./.test(k) && v !== "n/a") rows.push([`load ${k.replace(/^producer\./, "")}`, v]);
  }
  if (data.producer) {
    for (const [k, v] of flattenParameters(data.producer))
      if (PRODUCER_RESULT_KEYS.test(k) && v !== "n/a") rows.push([`producer ${k}`, v]);
  }
  out.push(table(["What", "Value"], rows));
  out.push("");
  out.push(`Settings from ${data.settingsSource}.`);
  out.push("");
  return out;
}

function verificationSection(data: ReportData): string[] {
  const out: string[] = [];
  const verification = verificationRows(data);
  out.push("## Verification");
  out.push("");
  out.push(
    verification.itemLevel
      ? "Item-level check by the embedded cloud after the queue drained (run.json):"
      : data.sourceKind === "CloudWatch"
        ? "Derived from CloudWatch metrics (no item-level check is possible for a deployed run from metrics alone):"
        : "run.json holds no verification (the run is still going, or was cut short), so these are derived from the record's metrics:",
  );
  out.push("");
  out.push(
    table(
      ["Check", "Result"],
      verification.rows.map((r) => [r.label, r.value]),
    ),
  );
  out.push("");
  return out;
}

/** The faults a local run injected, by kind, and what they caused (run.json's fault report); nothing without faults. */
function faultsSection(data: ReportData): string[] {
  if (!data.faults) return [];
  const injected = isRecord(data.faults.injected) ? data.faults.injected : {};
  const caused = isRecord(data.faults.caused) ? data.faults.caused : {};
  return [
    "## Injected faults",
    "",
    `The embedded cloud injected AWS's failure modes (\`--faults ${String(data.faults.spec ?? "")}\`, seed ` +
      `${String(data.faults.seed ?? "-")}) where AWS fails: in the emulators' request path, the pollers' SQS calls and ` +
      "the function runtime. They are counted per second as EmbeddedCloud/Faults FaultsInjected (Kind).",
    "",
    table(
      ["Fault kind", "Injected"],
      Object.entries(injected).map(([kind, n]) => [kind, describeValue(n)]),
    ),
    "",
    table(
      ["What they caused", "Count"],
      Object.entries(caused).map(([what, n]) => [what, describeValue(n)]),
    ),
    "",
  ];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function observationsSection(data: ReportData): string[] {
  const out: string[] = [];
  out.push("## Observations");
  out.push("");
  for (const sentence of observations(data, keyFigures(data))) out.push(`- ${sentence}`);
  out.push("");
  return out;
}

function chartsSection(charts: readonly ReportChart[], screenshot: string | undefined): string[] {
  const out: string[] = [];
  out.push("## Charts");
  out.push("");
  for (const chart of charts) {
    out.push(`![${chart.caption}](${chart.file})`);
    out.push("");
    out.push(`*${chart.caption}*`);
    out.push("");
  }
  if (screenshot) {
    out.push("### The local dashboard");
    out.push("");
    out.push(`![The local dashboard drawing the program's CloudWatch dashboard from this run's record](${screenshot})`);
    out.push("");
    out.push(
      "*The local dashboard (the CloudWatch dashboard the program declares, drawn from the per-second record) " +
        "at the end of the run, in headless Chromium.*",
    );
    out.push("");
  }
  return out;
}

function logsSection(logs: readonly LogLine[]): string[] {
  const out: string[] = [];
  out.push("## Log excerpts");
  out.push("");
  if (logs.length === 0) out.push("No log lines in this range.");
  else {
    out.push(`${formatNumber(logs.length)} log lines (${levelCounts(logs)}).`);
    for (const group of logExcerpts(logs)) {
      out.push("");
      out.push(`${group.title}:`);
      out.push("");
      out.push("```json");
      out.push(...group.lines);
      out.push("```");
    }
  }
  out.push("");
  return out;
}

function costSection(cost: CostEstimate, alternatives: readonly CostAlternative[]): string[] {
  const out: string[] = [];
  out.push("## What the same load would cost on AWS");
  out.push("");
  out.push(
    `Estimated from this run's counts at us-east-1 list prices, with the run's settings (${cost.variant.architecture}, ` +
      `LOG_LEVEL ${cost.variant.logLevel}): **${usd(cost.totalUsd)}** for ${formatNumber(cost.messages)} messages` +
      (cost.usdPerMillionMessages !== undefined
        ? `. Of that, ${usd(cost.fixedUsd)} is billed by the hour whatever the volume (custom metrics); the ` +
          `rest scales with messages: **${usd(cost.usdPerMillionMessages)} per million messages** at this run's mix.`
        : "."),
  );
  out.push("");
  if (alternatives.length > 0) {
    out.push(
      "The same load with the other choices the settings offer (`architecture`, and `logLevel`: DEBUG adds a line per " +
        "stored record):",
    );
    out.push("");
    const declared = alternatives.find((a) => a.declared)?.usdPerMillionMessages;
    out.push(
      table(
        ["architecture", "logLevel", "Logs ingested", "Per million messages", "Against the run's settings"],
        alternatives.map((a) => [
          a.declared ? `**${a.architecture}** (the run's)` : a.architecture,
          a.declared ? `**${a.logLevel}**` : a.logLevel,
          `${quantity(a.logGb)} GB`,
          a.usdPerMillionMessages === undefined ? "-" : usd(a.usdPerMillionMessages),
          a.declared || a.usdPerMillionMessages === undefined || declared === undefined
            ? ""
            : `${a.usdPerMillionMessages >= declared ? "+" : "−"}${usd(Math.abs(a.usdPerMillionMessages - declared))}`,
        ]),
      ),
    );
    out.push("");
  }
  out.push(
    table(
      ["Service", "Item", "Quantity", "Unit price", "Cost", "Quantity from"],
      cost.lines.map((l) => [
        l.service,
        l.item,
        `${quantity(l.quantity)} ${l.unit}`,
        l.price.listed,
        usd(l.usd),
        l.basis,
      ]),
    ),
  );
  out.push("");
  out.push("Prices and their sources:");
  out.push("");
  const seen = new Set<string>();
  for (const l of cost.lines) {
    const key = `${l.price.source}|${l.price.listed}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(`- ${l.price.listed} (per ${l.price.per}): ${l.price.source}, as of ${l.price.asOf}.`);
  }
  out.push("");
  for (const a of cost.assumptions) out.push(`- ${a}`);
  out.push("");
  return out;
}

function notesSection(warnings: readonly string[]): string[] {
  const out: string[] = [];
  if (warnings.length > 0) {
    out.push("## Data notes");
    out.push("");
    for (const w of warnings) out.push(`- ${w}`);
    out.push("");
  }
  return out;
}

function regenerateSection(): string[] {
  const out: string[] = [];
  out.push("## Regenerate");
  out.push("");
  out.push(
    "`npm run report` (last local run), `npm run report -- --run <folder>`, or against a deployed stack: `npm " +
      "run report -- --stack <name>` or `--queue-name … --dlq-name … --function-name … --table-name … --region …`.",
  );
  out.push("");
  return out;
}
