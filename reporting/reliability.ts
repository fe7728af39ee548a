import {
  CONSUMER_METRICS,
  CONSUMER_NAMESPACE,
  CONSUMER_SERVICE_NAME,
  FAULT_METRICS,
  type MetricLine,
  type RunInfo,
  SERVICE_DIMENSION,
} from "../contracts";
import {
  aggregateSeries,
  aggregateTotal,
  type MetricSelector,
  type SeriesPoint,
  timeSeriesSpec,
  type VegaLiteSpec,
} from "../metrics";

/**
 * One row of report/RELIABILITY.md per campaign run, from its run record: what was injected, what it caused, and
 * the verdict. Pure: tests feed it fixtures.
 */

/** What the row needs of a run record. */
export interface ReliabilityInput {
  name: string;
  /** Why the run's rates are what they are, when they are unusual. */
  note?: string;
  /** The machine's 1-minute load average at the run's start and end. */
  load?: readonly [number, number];
  run: RunInfo;
  metrics: readonly MetricLine[];
}

export interface ReliabilityRow {
  name: string;
  note?: string;
  runId: string;
  spec: string;
  sent: number;
  valid: number;
  invalid: number;
  injected: Record<string, number>;
  injectedTotal: number;
  putItemCallsPerItem: number | null;
  batchItemFailures: number;
  redeliveries: number;
  redrives: number;
  coldStarts: number;
  invocationErrors: number;
  timeouts: number;
  storedOnce: number;
  /** The consumer's VehiclesStored total: equal to storedOnce when nothing is miscounted. */
  storedCounted: number;
  duplicatesSkipped: number;
  deadLetteredInvalid: number;
  deadLetteredAfterRetries: number;
  extraDlqCopies: number;
  lost: number;
  duplicated: number;
  /** Mismatched, misrouted, unexpected items and messages left in the queue. */
  otherProblems: number;
  ok: boolean;
  latencyP50: number | null;
  latencyP99: number | null;
  /** Stored items per second from the first stored second to the last. */
  storedPerSecond: number | null;
  /** Producer start to the last message settled (stored, dead-lettered or moved), in seconds. */
  settledSeconds: number | null;
  load?: readonly [number, number];
}

/** The fault report the embedded cloud writes into run.json (local/faults/summary.ts), as far as the row reads it. */
interface RunFaults {
  spec?: string;
  injected?: Record<string, number>;
  caused?: Partial<Record<string, number | null>>;
}

const consumer = (metric: string): MetricSelector => ({
  namespace: CONSUMER_NAMESPACE,
  metric,
  dimensions: { [SERVICE_DIMENSION]: CONSUMER_SERVICE_NAME },
});

const total = (metrics: readonly MetricLine[], selector: MetricSelector) =>
  aggregateTotal(metrics, selector, "Sum") ?? 0;

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

export function reliabilityRow(input: ReliabilityInput): ReliabilityRow {
  const { run, metrics } = input;
  const v = record(run.verification);
  const faults = (run.faults ?? null) as RunFaults | null;
  const caused = faults?.caused ?? {};
  const lambda = record(run.lambda);
  const latency = record(run.latency);
  const injected = faults?.injected ?? {};
  const stored = aggregateSeries(metrics, consumer(CONSUMER_METRICS.stored), { stat: "Sum", period: 1 });
  return {
    name: input.name,
    note: input.note,
    runId: run.runId,
    spec: faults?.spec ?? "none",
    sent: num(v.sent),
    valid: num(v.valid),
    invalid: num(v.invalid),
    injected,
    injectedTotal: Object.values(injected).reduce((a, b) => a + b, 0),
    putItemCallsPerItem: typeof caused.putItemCallsPerStoredItem === "number" ? caused.putItemCallsPerStoredItem : null,
    batchItemFailures: faults
      ? num(caused.batchItemFailures)
      : total(metrics, consumer(CONSUMER_METRICS.transientFailures)),
    redeliveries: faults ? num(caused.redeliveries) : 0,
    redrives: num(record(v.dlqByCode)["(none)"]),
    coldStarts: num(lambda.coldStarts),
    invocationErrors: num(lambda.errors),
    timeouts: num(caused.timeouts),
    storedOnce: num(v.storedCorrectly),
    storedCounted: total(metrics, consumer(CONSUMER_METRICS.stored)),
    duplicatesSkipped: total(metrics, consumer(CONSUMER_METRICS.duplicates)),
    deadLetteredInvalid: num(v.deadLetteredCorrectly),
    deadLetteredAfterRetries: num(v.deadLetteredAfterReceives),
    extraDlqCopies: num(v.extraDlqCopies),
    lost: num(v.lost),
    duplicated: num(v.duplicated),
    otherProblems: num(v.mismatched) + num(v.misrouted) + num(v.unexpected) + num(v.leftInQueue),
    ok: v.ok === true,
    latencyP50: typeof latency.p50 === "number" ? latency.p50 : null,
    latencyP99: typeof latency.p99 === "number" ? latency.p99 : null,
    storedPerSecond: ratePerSecond(stored),
    settledSeconds: settledSeconds(record(run.timings)),
    load: input.load,
  };
}

function ratePerSecond(points: readonly SeriesPoint[]): number | null {
  const active = points.filter((p) => p.value > 0);
  if (active.length === 0) return null;
  const span = active[active.length - 1]!.t - active[0]!.t + 1;
  return active.reduce((sum, p) => sum + p.value, 0) / span;
}

function settledSeconds(timings: Record<string, unknown>): number | null {
  const { produceMs, drainMs } = timings;
  return typeof produceMs === "number" && typeof drainMs === "number" ? (produceMs + drainMs) / 1000 : null;
}

/** The run's chart: vehicles stored and faults injected per second, with the records failed for retry. */
export function reliabilityChart(input: ReliabilityInput): VegaLiteSpec {
  const perSecond = (selector: MetricSelector) =>
    filled(aggregateSeries(input.metrics, selector, { stat: "Sum", period: 1 }), input.metrics);
  return timeSeriesSpec({
    title: `${input.name}: stored and faults per second`,
    leftTitle: "vehicles stored / s",
    rightTitle: "per second",
    series: [
      { label: "Stored", points: perSecond(consumer(CONSUMER_METRICS.stored)) },
      {
        label: "Faults injected",
        points: perSecond({
          namespace: FAULT_METRICS.namespace,
          metric: FAULT_METRICS.injected,
          dimensions: {},
          pooledDimensions: [FAULT_METRICS.kindDimension],
        }),
        yAxis: "right",
      },
      {
        label: "Records failed for retry",
        points: perSecond(consumer(CONSUMER_METRICS.transientFailures)),
        yAxis: "right",
      },
    ],
  });
}

/** Counters with no line in a second counted nothing: 0 there, over the record's whole span. */
function filled(points: readonly SeriesPoint[], metrics: readonly MetricLine[]): SeriesPoint[] {
  if (metrics.length === 0) return [];
  const start = metrics.reduce((min, l) => Math.min(min, l.t), Number.POSITIVE_INFINITY);
  const end = metrics.reduce((max, l) => Math.max(max, l.t), Number.NEGATIVE_INFINITY);
  const byT = new Map(points.map((p) => [p.t, p.value]));
  const out: SeriesPoint[] = [];
  for (let t = start; t <= end; t += 1) out.push({ t, value: byT.get(t) ?? 0 });
  return out;
}
