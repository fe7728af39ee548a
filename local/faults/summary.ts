import type { MetricLine } from "../../contracts";
import { CONSUMER_METRICS, METRICS_NAMESPACE } from "../../handlers/batch-metrics";
import type { Verification } from "../verify";
import { type FaultRates, formatFaultSpec } from "./spec";

/** What the run's faults were and what they caused, for run.json and the verification output. */
export interface FaultReport {
  spec: string;
  seed: number;
  rates: FaultRates;
  /** Injected faults by kind. */
  injected: Record<string, number>;
  caused: {
    /** Every PutItem the table was sent, answered or not (the consumer's SDK retries included). */
    putItemCalls: number;
    storedItems: number;
    putItemCallsPerStoredItem: number | null;
    /** The consumer's TransientFailures metric: records it failed and listed in batchItemFailures. */
    consumerTransientFailures: number;
    /** The consumer's DuplicatesSkipped metric: conditional puts that met an item already stored. */
    duplicatesSkipped: number;
    batchItemFailures: number;
    batchesLeftForRetry: number;
    /** Messages received again (ApproximateReceiveCount above 1). */
    redeliveries: number;
    /** Moved to the DLQ by the redrive policy after maxReceiveCount receives. */
    redrives: number;
    extraDlqCopies: number;
    coldStarts: number;
    invocationErrors: number;
    timeouts: number;
  };
}

export interface FaultReportInputs {
  rates: FaultRates;
  seed: number;
  injected: Record<string, number>;
  /** PutItem calls the table answered (the fault layer's own answers and lost acks are added from injected). */
  answeredPutItems: number;
  metrics: readonly MetricLine[];
  verification: Verification;
  lambda: { coldStarts: number; errors: number; timeouts: number };
  mapping: { failedItems: number; retriedBatches: number };
  redeliveries: number;
}

/** Sums a consumer metric over the whole record. */
function consumerTotal(metrics: readonly MetricLine[], metric: string): number {
  return metrics
    .filter((l) => l.namespace === METRICS_NAMESPACE && l.metric === metric)
    .reduce((sum, l) => sum + l.values.reduce((a, b) => a + b, 0), 0);
}

export function faultReport(inputs: FaultReportInputs): FaultReport {
  const { injected, verification: v } = inputs;
  // Answered by the fault layer, or never answered (a lost ack; a slow write the consumer stopped waiting for).
  const unanswered = (["ddb-throttle", "ddb-5xx", "ddb-lost-ack", "ddb-slow"] as const).reduce(
    (sum, kind) => sum + (injected[kind] ?? 0),
    0,
  );
  const putItemCalls = inputs.answeredPutItems + unanswered;
  return {
    spec: formatFaultSpec(inputs.rates),
    seed: inputs.seed,
    rates: inputs.rates,
    injected,
    caused: {
      putItemCalls,
      storedItems: v.itemsInTable,
      putItemCallsPerStoredItem: v.itemsInTable ? Number((putItemCalls / v.itemsInTable).toFixed(3)) : null,
      consumerTransientFailures: consumerTotal(inputs.metrics, CONSUMER_METRICS.transientFailures),
      duplicatesSkipped: consumerTotal(inputs.metrics, CONSUMER_METRICS.duplicates),
      batchItemFailures: inputs.mapping.failedItems,
      batchesLeftForRetry: inputs.mapping.retriedBatches,
      redeliveries: inputs.redeliveries,
      redrives: v.dlqByCode["(none)"] ?? 0,
      extraDlqCopies: v.extraDlqCopies,
      coldStarts: inputs.lambda.coldStarts,
      invocationErrors: inputs.lambda.errors,
      timeouts: inputs.lambda.timeouts,
    },
  };
}

/** The FAULTS section of the run's summary. */
export function formatFaultReport(report: FaultReport): string[] {
  const injected = Object.entries(report.injected)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");
  const c = report.caused;
  const rows: [string, string | number][] = [
    ["spec", `${report.spec} (seed ${report.seed})`],
    ["injected", injected || "none"],
    [
      "PutItem calls",
      `${c.putItemCalls} for ${c.storedItems} stored items (${c.putItemCallsPerStoredItem ?? "-"} per item), ` +
        `${c.duplicatesSkipped} met the condition (duplicates skipped)`,
    ],
    ["consumer transient failures", c.consumerTransientFailures],
    ["batch item failures", `${c.batchItemFailures}; ${c.batchesLeftForRetry} whole batches left for retry`],
    ["redeliveries", c.redeliveries],
    ["redrives (moved by the redrive policy)", c.redrives],
    ["extra DLQ copies", c.extraDlqCopies],
    ["Lambda", `${c.invocationErrors} invocation errors (${c.timeouts} timeouts), ${c.coldStarts} cold starts`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return ["FAULTS", ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)];
}
