import { MAX_BATCH_ENTRIES } from "../contracts";
import { consumerRejections } from "./queries";
import type { ReportData } from "./report-data";

/**
 * What the same load would cost on AWS, from public list prices (us-east-1, x86, no free tier, no
 * Savings Plans). Each price carries where it comes from and the date it applies from or was read, so
 * a reader can re-check it; quantities come from the run's own counts.
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
    per: "GB-second (x86, first pricing tier)",
    source: "AWS Lambda pricing page, aws.amazon.com/lambda/pricing",
    asOf: "2026-11-28, when this table was written (not fetched live)",
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
    per: "GB of logs ingested (Standard log class)",
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
}

const HOURS_PER_MONTH = 730;
/** SendMessageBatch carries up to 10 messages; the producer's own call count is used when the run has it. */
const SQS_BATCH = MAX_BATCH_ENTRIES;
/** X-Ray's default sampling rule: the first request each second, then 5% of the rest. */
const XRAY_RESERVOIR_PER_SECOND = 1;
const XRAY_FIXED_RATE = 0.05;

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
  line: AddLine;
  assumptions: string[];
}

export function estimateCost(data: ReportData): CostEstimate {
  const t = data.totals;
  const sent = t.sent ?? 0;
  const invocations = t.invocations ?? 0;
  const assumptions: string[] = [];
  const lines: CostLine[] = [];
  const line: AddLine = (service, item, quantity, unit, price, basis, fixed = false) =>
    lines.push({ service, item, quantity, unit, price, usd: quantity * price.usd, basis, ...(fixed ? { fixed } : {}) });

  const bill: Bill = { data, t, sent, invocations, line, assumptions };
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
  };
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
  if (emptyReceives !== undefined) {
    assumptions.push(
      "Empty receives are as the local event source mapping polled; Lambda's pollers on AWS long-poll an idle " +
        "queue on their own schedule, so idle time costs differ.",
    );
  }
}

/** Lambda: requests, and compute from the recorded durations. */
function lambdaCosts({ data, t, invocations, line, assumptions }: Bill): void {
  line("Lambda", "Requests", invocations, "invocations", PRICES.lambdaRequest, "Invocations");
  const memoryMb = data.settings.memorySizeMb;
  if (memoryMb !== undefined && t.durationSum !== undefined) {
    const gbSeconds = (t.durationSum / 1000) * (memoryMb / 1024);
    line(
      "Lambda",
      `Compute at ${memoryMb} MB`,
      gbSeconds,
      "GB-seconds",
      PRICES.lambdaGbSecond,
      "sum of Duration × memory",
    );
    assumptions.push(
      "Duration is the local runtime's; on AWS the same code's duration depends on the memory's CPU share and the network to DynamoDB.",
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

/** CloudWatch: custom metrics by the hour, and the function's logs. */
function cloudWatchCosts({ data, line, assumptions }: Bill): void {
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
  const functionLogs = data.logs.filter((l) => l.source !== "cloud");
  const logBytes = functionLogs.reduce((n, l) => n + Buffer.byteLength(JSON.stringify(l)) + 1, 0);
  line(
    "CloudWatch",
    "Logs ingested",
    logBytes / 1024 ** 3,
    "GB",
    PRICES.cloudWatchLogsGb,
    `${functionLogs.length} function log lines recorded`,
  );
  assumptions.push(
    "Log volume counts the function's structured log lines in the record; Lambda's START/END/REPORT lines and the EMF blobs add to it on AWS.",
  );
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
