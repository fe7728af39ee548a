import { MAX_BATCH_ENTRIES } from "../contracts";
import { consumerRejections } from "./queries";
import type { ReportData } from "./report-data";

/**
 * What the same load would cost on AWS, from public list prices (us-east-1, no free tier, no Savings Plans). Each
 * price carries where it comes from and the date it applies from or was read, so a reader can re-check it;
 * quantities come from the run's own counts. Beside the settings the run used, the same load is priced for the
 * alternatives the settings offer: the function's architecture (arm64 or x86_64) and whether each stored record gets a
 * log line of its own (LOG_LEVEL DEBUG) or not (INFO).
 */

export interface Price {
  usd: number;
  /** The price as the pricing page states it, e.g. "$0.40 per million requests". */
  listed: string;
  per: string;
  source: string;
  /** When the price took effect, or when this table was written; prices are not fetched live. */
  asOf: string;
}

export const PRICES = {
  sqsRequest: {
    usd: 0.4 / 1e6,
    listed: "$0.40 per million requests",
    per: "request (standard queue, each 64 KB chunk of a payload is one request; after the 1 million free per month)",
    source: "Amazon SQS pricing page, aws.amazon.com/sqs/pricing",
    asOf: "2026-11-28, when this table was written (not fetched live)",
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    listed: "$0.20 per million requests",
    per: "invocation",
    source: "AWS Lambda pricing page, aws.amazon.com/lambda/pricing",
    asOf: "2026-11-28, when this table was written (not fetched live)",
  },
  lambdaGbSecond: {
    usd: 0.0000166667,
    listed: "$0.0000166667 per GB-second",
    per: "GB-second (x86_64, first pricing tier)",
    source: "AWS Lambda pricing page, aws.amazon.com/lambda/pricing",
    asOf: "2026-11-28, when this table was written (not fetched live)",
  },
  lambdaGbSecondArm64: {
    usd: 0.0000133334,
    listed: "$0.0000133334 per GB-second",
    per: "GB-second (arm64, first pricing tier)",
    source: "AWS Lambda pricing page, aws.amazon.com/lambda/pricing",
    asOf: "2026-12-04, when this table was written (not fetched live)",
  },
  dynamoWru: {
    usd: 0.625 / 1e6,
    listed: "$0.625 per million write request units",
    per: "write request unit (on-demand, standard table class; 1 WRU per write of up to 1 KB, also for a failed conditional put)",
    source:
      "Amazon DynamoDB on-demand pricing (aws.amazon.com/dynamodb/pricing) after AWS's 50% on-demand cut " +
      "effective 2024-11-01; figure confirmed in airbyte.com's DynamoDB pricing guide (July 2025)",
    asOf: "2024-11-01",
  },
  cloudWatchMetricMonth: {
    usd: 0.3,
    listed: "$0.30 per metric per month",
    per: "custom metric per month, prorated by the hour (first 10,000 metrics)",
    source: "Amazon CloudWatch pricing page, aws.amazon.com/cloudwatch/pricing",
    asOf: "2026-11-28, when this table was written (not fetched live)",
  },
  cloudWatchLogsGb: {
    usd: 0.5,
    listed: "$0.50 per GB ingested",
    per: "GB of logs ingested (Standard log class; what the log group's IncomingBytes metric counts)",
    source: "Amazon CloudWatch pricing page, aws.amazon.com/cloudwatch/pricing",
    asOf: "2026-11-28, when this table was written (not fetched live)",
  },
  xrayTrace: {
    usd: 5 / 1e6,
    listed: "$5.00 per million traces recorded",
    per: "trace recorded (after 100,000 free per month)",
    source: "AWS X-Ray pricing page, aws.amazon.com/xray/pricing",
    asOf: "2026-11-28, when this table was written (not fetched live)",
  },
} as const satisfies Record<string, Price>;

export interface CostLine {
  service: string;
  item: string;
  quantity: number;
  unit: string;
  price: Price;
  usd: number;
  /** How the quantity was obtained from the run. */
  basis: string;
  /** Billed by time, not by volume (custom metrics per hour): left out of the per-message figure. */
  fixed?: boolean;
}

export interface CostEstimate {
  lines: CostLine[];
  totalUsd: number;
  /** Messages the estimate covers (sent to the queue). */
  messages: number;
  /** The volume-driven lines only, scaled to a million messages at this run's mix. */
  usdPerMillionMessages: number | undefined;
  /** The time-driven lines (custom metrics), for the hours the run touched. */
  fixedUsd: number;
  assumptions: string[];
  /** The architecture and log level this estimate prices. */
  variant: CostVariant;
}

/** What the settings offer that changes the bill for the same load. */
export interface CostVariant {
  architecture: "arm64" | "x86_64";
  /** INFO: no line per stored record; DEBUG: one each. */
  logLevel: "INFO" | "DEBUG";
}

/** The same load priced with each architecture and log level; `declared` marks what the run's settings say. */
export interface CostAlternative extends CostVariant {
  usdPerMillionMessages: number | undefined;
  logGb: number;
  declared: boolean;
}

const HOURS_PER_MONTH = 730;
/** SendMessageBatch carries up to 10 messages; the producer's own call count is used when the run has it. */
const SQS_BATCH = MAX_BATCH_ENTRIES;
/** X-Ray's default sampling rule: the first request each second, then 5% of the rest. */
const XRAY_RESERVOIR_PER_SECOND = 1;
const XRAY_FIXED_RATE = 0.05;
/**
 * Under active tracing (the stack's tracingConfig) Lambda ends each REPORT line with the trace: this line, with real
 * ids of the same length. The embedded cloud's runtime has no X-Ray, so its record lacks these bytes.
 */
const XRAY_REPORT_SUFFIX =
  "\nXRAY TraceId: 1-5e34a614-10bdxmplf1fb44f07bc535a1\tSegmentId: 07f5xmpl2d1f6f85\tSampled: true\t";
/** Powertools Logger adds the invocation's trace id to each line where Lambda traces (the variable _X_AMZN_TRACE_ID). */
const XRAY_TRACE_ID_KEY = ',"xray_trace_id":"1-5e34a614-10bdxmplf1fb44f07bc535a1"';
/** Keys the embedded cloud's record adds to each function log line (local/lambda-service.ts), not the function's. */
const RECORD_KEYS = new Set(["t", "source", "functionName", "environment", "stream"]);
/** A stored record's DEBUG line when neither the run nor a batch summary says better (Powertools' keys + the record's). */
const STORED_LINE_BYTES_FALLBACK = 480;

function numberAt(record: Record<string, unknown> | undefined, key: string): number | undefined {
  const value = record?.[key];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Adds one line to the estimate; `fixed` marks a cost billed by the hour whatever the volume. */
type AddLine = (
  service: string,
  item: string,
  quantity: number,
  unit: string,
  price: Price,
  basis: string,
  fixed?: boolean,
) => void;

/** What each service's part of the estimate reads, and how it adds a line or an assumption. */
interface Bill {
  data: ReportData;
  t: ReportData["totals"];
  sent: number;
  invocations: number;
  variant: CostVariant;
  line: AddLine;
  assumptions: string[];
}

/** The variant the run's own settings describe (an old run without them: x86_64, the function's former default). */
function declaredVariant(data: ReportData): CostVariant {
  return {
    architecture: data.settings.architecture === "arm64" ? "arm64" : "x86_64",
    logLevel: data.settings.logLevel === "DEBUG" ? "DEBUG" : "INFO",
  };
}

export function estimateCost(data: ReportData, variant: CostVariant = declaredVariant(data)): CostEstimate {
  const t = data.totals;
  const sent = t.sent ?? 0;
  const invocations = t.invocations ?? 0;
  const assumptions: string[] = [];
  const lines: CostLine[] = [];
  const line: AddLine = (service, item, quantity, unit, price, basis, fixed = false) =>
    lines.push({ service, item, quantity, unit, price, usd: quantity * price.usd, basis, ...(fixed ? { fixed } : {}) });

  const bill: Bill = { data, t, sent, invocations, variant, line, assumptions };
  sqsCosts(bill);
  lambdaCosts(bill);
  dynamoCosts(bill);
  cloudWatchCosts(bill);
  xrayCosts(bill);

  const totalUsd = lines.reduce((n, l) => n + l.usd, 0);
  assumptions.push(
    "No free tier, no Savings Plans; DynamoDB storage, data transfer and the dashboard ($3 per dashboard-month) are left out.",
  );
  const fixedUsd = lines.filter((l) => l.fixed).reduce((n, l) => n + l.usd, 0);
  return {
    lines,
    totalUsd,
    messages: sent,
    usdPerMillionMessages: sent > 0 ? ((totalUsd - fixedUsd) / sent) * 1e6 : undefined,
    fixedUsd,
    assumptions,
    variant,
  };
}

/** The same load with each architecture and log level, the declared one first. */
export function costAlternatives(data: ReportData): CostAlternative[] {
  const declared = declaredVariant(data);
  const variants: CostVariant[] = [];
  for (const architecture of ["arm64", "x86_64"] as const)
    for (const logLevel of ["INFO", "DEBUG"] as const) variants.push({ architecture, logLevel });
  const isDeclared = (v: CostVariant) => v.architecture === declared.architecture && v.logLevel === declared.logLevel;
  return variants
    .sort((a, b) => Number(isDeclared(b)) - Number(isDeclared(a)))
    .map((variant) => {
      const estimate = estimateCost(data, variant);
      const logGb = estimate.lines.find((l) => l.item === "Logs ingested")?.quantity ?? 0;
      return {
        ...variant,
        usdPerMillionMessages: estimate.usdPerMillionMessages,
        logGb,
        declared: isDeclared(variant),
      };
    });
}

/** SQS: the producer's sends, the mapping's receives and deletes, the consumer's dead-letter sends. */
function sqsCosts({ data, t, sent, invocations, line, assumptions }: Bill): void {
  const producerCalls = numberAt(data.producer, "calls");
  const sendCalls = producerCalls ?? Math.ceil(sent / SQS_BATCH);
  line(
    "SQS",
    "SendMessageBatch (producer)",
    sendCalls,
    "requests",
    PRICES.sqsRequest,
    producerCalls !== undefined
      ? "the producer's call count, retries included"
      : `messages sent / ${SQS_BATCH} per batch`,
  );
  const emptyReceives = t.emptyReceives;
  const receives = invocations + (emptyReceives ?? 0);
  line(
    "SQS",
    "ReceiveMessage (event source mapping)",
    receives,
    "requests",
    PRICES.sqsRequest,
    emptyReceives !== undefined
      ? "one per invocation + empty receives counted"
      : "one per invocation (empty receives not in the data)",
  );
  line("SQS", "DeleteMessageBatch", invocations, "requests", PRICES.sqsRequest, "one per invocation");
  const dlqSends = t.dlqSent ?? consumerRejections(t) ?? 0;
  line(
    "SQS",
    "SendMessage to the DLQ",
    dlqSends,
    "requests",
    PRICES.sqsRequest,
    t.dlqSent !== undefined ? "messages sent to the DLQ" : "validation failures",
  );
  // The consumer deletes each record it dead-letters from the source queue at once (handlers/dead-letter.ts), one
  // DeleteMessage per record, besides the mapping's DeleteMessageBatch for the batch.
  const rejected = consumerRejections(t) ?? 0;
  line(
    "SQS",
    "DeleteMessage of dead-lettered records (consumer)",
    rejected,
    "requests",
    PRICES.sqsRequest,
    "records the consumer dead-lettered (validation failures, store rejections, unexpected errors)",
  );
  if (emptyReceives !== undefined) {
    assumptions.push(
      "Empty receives are as the local event source mapping polled; Lambda's pollers on AWS long-poll an idle " +
        "queue on their own schedule, so idle time costs differ.",
    );
  }
}

/** Lambda: requests, and compute from the recorded durations at the variant's architecture. */
function lambdaCosts({ data, t, invocations, variant, line, assumptions }: Bill): void {
  line("Lambda", "Requests", invocations, "invocations", PRICES.lambdaRequest, "Invocations");
  const memoryMb = data.settings.memorySizeMb;
  if (memoryMb !== undefined && t.durationSum !== undefined) {
    const gbSeconds = (t.durationSum / 1000) * (memoryMb / 1024);
    line(
      "Lambda",
      `Compute at ${memoryMb} MB, ${variant.architecture}`,
      gbSeconds,
      "GB-seconds",
      variant.architecture === "arm64" ? PRICES.lambdaGbSecondArm64 : PRICES.lambdaGbSecond,
      "sum of Duration × memory",
    );
    assumptions.push(
      "Duration is the local runtime's; on AWS the same code's duration depends on the memory's CPU share, the " +
        "architecture and the network to DynamoDB.",
    );
  } else {
    assumptions.push("Lambda compute is left out: the memory size or the durations are unknown.");
  }
}

/** DynamoDB: on-demand write request units. */
function dynamoCosts({ t, line }: Bill): void {
  line(
    "DynamoDB",
    "Write request units",
    t.wcu ?? 0,
    "WRU",
    PRICES.dynamoWru,
    t.wcu !== undefined ? "ConsumedWriteCapacityUnits" : "no write capacity data",
  );
}

/** CloudWatch: custom metrics by the hour, and the function's logs at the variant's log level. */
function cloudWatchCosts({ data, t, invocations, variant, line, assumptions }: Bill): void {
  const hours = Math.max(1, Math.ceil((data.range.end - data.range.start) / 3600));
  line(
    "CloudWatch",
    "Custom metrics (EMF)",
    data.customMetricCount * hours,
    "metric-hours",
    {
      ...PRICES.cloudWatchMetricMonth,
      usd: PRICES.cloudWatchMetricMonth.usd / HOURS_PER_MONTH,
      per: `${PRICES.cloudWatchMetricMonth.per}; ${HOURS_PER_MONTH} h per month`,
    },
    `${data.customMetricCount} distinct series × ${hours} h touched`,
    true,
  );
  const volume = logVolume(data, t, invocations, variant);
  line("CloudWatch", "Logs ingested", volume.bytes / 1024 ** 3, "GB", PRICES.cloudWatchLogsGb, volume.basis);
  assumptions.push(...volume.assumptions);
}

/** A function log line as the function wrote it: the record's line without the keys the embedded cloud added. */
function functionLineBytes(line: Record<string, unknown>): number {
  return Buffer.byteLength(
    JSON.stringify(Object.fromEntries(Object.entries(line).filter(([k]) => !RECORD_KEYS.has(k)))),
  );
}

/**
 * The size of one stored record's DEBUG line: measured from the run's own lines when it logged them, else built from
 * a batch summary line (same Powertools keys) with the record's fields in place of the batch's counts.
 */
function storedLineBytes(logs: ReportData["logs"]): { bytes: number; how: string } {
  const stored = logs.filter((l) => l.source === "function" && l.outcome === "stored");
  if (stored.length > 0)
    return {
      bytes: stored.reduce((n, l) => n + functionLineBytes(l), 0) / stored.length,
      how: "the run's own stored-record lines",
    };
  const summary = logs.find((l) => l.source === "function" && l.message === "batch processed");
  if (!summary) return { bytes: STORED_LINE_BYTES_FALLBACK, how: `about ${STORED_LINE_BYTES_FALLBACK} B` };
  const { records: _r, stored: _s, duplicates: _d, invalid: _i, failed: _f, durationMs: _m, ...common } = summary;
  const line = {
    ...common,
    level: "DEBUG",
    message: "vehicle stored",
    messageId: "5fea7756-0ea4-451a-a703-a558b933e274",
    eventId: "0193a3c2-7b1e-7c3d-8f4a-2b6c9d0e1f23",
    vehicleId: "VH200001",
    receiveCount: 1,
    outcome: "stored",
  };
  return { bytes: functionLineBytes(line), how: "a batch summary line's keys with a stored record's fields" };
}

/**
 * What CloudWatch Logs would ingest from the function at the variant's log level. Measured: the log group's
 * IncomingBytes (every line the function wrote, EMF documents included, and Lambda's START, END and REPORT lines);
 * plus, for a local run, the X-Ray trace line active tracing adds to each REPORT. A stored record's DEBUG line is
 * added for each record stored (or taken away when the run logged them) to price the other level.
 */
function logVolume(
  data: ReportData,
  t: ReportData["totals"],
  invocations: number,
  variant: CostVariant,
): { bytes: number; basis: string; assumptions: string[] } {
  const assumptions: string[] = [];
  const parts: string[] = [];
  let bytes: number;
  const storedLogged = data.logs.filter((l) => l.source === "function" && l.outcome === "stored");
  if (t.logBytes !== undefined) {
    bytes = t.logBytes;
    parts.push(
      `IncomingBytes of the log group (${formatCount(t.logEvents)} events: log lines, EMF documents, START/END/REPORT)`,
    );
  } else {
    const functionLogs = data.logs.filter((l) => l.source !== "cloud");
    bytes = functionLogs.reduce((n, l) => n + functionLineBytes(l) + 1, 0);
    parts.push(`${functionLogs.length} function log lines recorded`);
    assumptions.push(
      "The run has no IncomingBytes for the log group: the log volume counts its structured log lines only, without " +
        "the EMF documents and Lambda's START/END/REPORT lines AWS also bills.",
    );
  }
  const perLine = storedLineBytes(data.logs);
  if (data.sourceKind === "local record" && invocations > 0) {
    // Active tracing, which the embedded cloud does not run: the trace line of each REPORT, the trace id on each line.
    const traced = data.logs.filter((l) => l.source === "function" && typeof l.level === "string").length;
    bytes += invocations * Buffer.byteLength(XRAY_REPORT_SUFFIX) + traced * Buffer.byteLength(XRAY_TRACE_ID_KEY);
    perLine.bytes += Buffer.byteLength(XRAY_TRACE_ID_KEY);
    parts.push(
      `+ active tracing's ${Buffer.byteLength(XRAY_REPORT_SUFFIX)} B X-Ray line per REPORT and ` +
        `${Buffer.byteLength(XRAY_TRACE_ID_KEY)} B trace id per log line`,
    );
  }
  const stored = t.stored ?? 0;
  if (variant.logLevel === "DEBUG" && storedLogged.length < stored) {
    bytes += (stored - storedLogged.length) * perLine.bytes;
    parts.push(`+ one DEBUG line per stored record (${Math.round(perLine.bytes)} B, from ${perLine.how})`);
  } else if (variant.logLevel === "INFO" && storedLogged.length > 0) {
    bytes -= storedLogged.reduce((n, l) => n + functionLineBytes(l), 0);
    parts.push("− the run's stored-record lines, which INFO does not write");
  }
  return { bytes: Math.max(0, bytes), basis: parts.join(" "), assumptions };
}

function formatCount(n: number | undefined): string {
  return n === undefined ? "unknown" : Math.round(n).toLocaleString("en-US");
}

/** X-Ray: traces under the default sampling rule. */
function xrayCosts({ data, invocations, line }: Bill): void {
  const secondsWithInvocations = data.series.invocations.filter((p) => p.value > 0).length * data.period;
  const reservoir = Math.min(invocations, secondsWithInvocations * XRAY_RESERVOIR_PER_SECOND);
  const traces = reservoir + (invocations - reservoir) * XRAY_FIXED_RATE;
  line(
    "X-Ray",
    "Traces recorded",
    traces,
    "traces",
    PRICES.xrayTrace,
    "default sampling: 1 per second + 5% of the rest of the invocations",
  );
}
