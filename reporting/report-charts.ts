import type { SeriesPoint } from "../metrics";
import { timeSeriesSpec, type VegaLiteSpec } from "../metrics";
import type { ReportData } from "./report-data";

/** The report's five charts as Vega-Lite specs, with the file each is written to and its caption. */
export interface ReportChart {
  file: string;
  caption: string;
  spec: VegaLiteSpec;
}

const perSecond = (points: readonly SeriesPoint[], period: number): SeriesPoint[] =>
  points.map((p) => ({ t: p.t, value: p.value / period }));

/**
 * A counter with no datapoint in a period counted nothing (the consumer only emits EMF when something
 * happened), so count charts show 0 there rather than a line drawn across the gap. Gauges and
 * percentiles keep their gaps: an unknown depth or latency is not zero.
 */
function fillCounterGaps(
  points: readonly SeriesPoint[],
  range: { start: number; end: number },
  period: number,
): SeriesPoint[] {
  const byT = new Map(points.map((p) => [p.t, p.value]));
  const out: SeriesPoint[] = [];
  for (let t = Math.floor(range.start / period) * period; t < range.end; t += period)
    out.push({ t, value: byT.get(t) ?? 0 });
  return out;
}

export function reportCharts(data: ReportData): ReportChart[] {
  const p = data.period;
  const counters = [
    "sent",
    "deleted",
    "stored",
    "errors",
    "throttles",
    "transientFailures",
    "validationFailures",
    "storeRejections",
    "unexpectedErrors",
  ] as const;
  const s = { ...data.series };
  for (const id of counters) s[id] = fillCounterGaps(data.series[id], data.range, p);
  const unit = p === 1 ? "per second" : `per second, ${p} s periods`;
  const maxConcurrency = data.settings.maxConcurrency;
  return [
    {
      file: "rate.svg",
      caption: `Messages sent to the queue versus messages the consumer finished (deleted from the queue) and vehicles stored, ${unit}.`,
      spec: timeSeriesSpec({
        title: "Rate: sent vs processed",
        leftTitle: "messages / s",
        series: [
          { label: "Sent", points: perSecond(s.sent, p) },
          { label: "Deleted (processed)", points: perSecond(s.deleted, p) },
          { label: "Stored", points: perSecond(s.stored, p) },
        ],
      }),
    },
    {
      file: "queue.svg",
      caption:
        "Queue depth (maximum visible and in-flight messages per period, left axis) and age of the oldest message (seconds, right axis).",
      spec: timeSeriesSpec({
        title: "Queue depth and age of oldest message",
        leftTitle: "messages",
        rightTitle: "age (s)",
        series: [
          { label: "Visible", points: s.visible },
          { label: "In flight", points: s.inFlight },
          { label: "Oldest message age (s)", points: s.age, yAxis: "right" },
        ],
      }),
    },
    {
      file: "concurrency.svg",
      caption:
        `Concurrent executions of the consumer (maximum per period)` +
        (s.batchReaders.length > 0
          ? ", under the batch readers the embedded cloud's event source mapping allowed: AWS's documented scaling " +
            "(five concurrent batches when messages arrive, up to 300 more per minute while messages wait, back to " +
            "five when traffic is low) with a scale-in cadence of one reader per 3 s chosen here, since AWS states none"
          : "") +
        `${maxConcurrency !== undefined ? `; the dashed line is maximumConcurrency (${maxConcurrency})` : ""}.`,
      spec: timeSeriesSpec({
        title: "Concurrency: scale out and in",
        leftTitle: "concurrent executions",
        series: [
          { label: "Concurrent executions", points: s.concurrency },
          ...(s.batchReaders.length > 0 ? [{ label: "Batch readers (scaling model)", points: s.batchReaders }] : []),
        ],
        rules:
          maxConcurrency !== undefined
            ? [{ value: maxConcurrency, label: `maximumConcurrency ${maxConcurrency}` }]
            : [],
      }),
    },
    {
      file: "errors.svg",
      caption:
        `Function errors, throttles, transient store failures, and messages dead-lettered by the consumer (validation failures, store rejections, unexpected errors; count per ${p} ` +
        `s, left axis), and the dead-letter queue's depth (right axis).`,
      spec: timeSeriesSpec({
        title: "Errors and dead-letter queue",
        leftTitle: `count per ${p} s`,
        rightTitle: "DLQ messages",
        series: [
          { label: "Function errors", points: s.errors },
          { label: "Throttles", points: s.throttles },
          { label: "Transient failures", points: s.transientFailures },
          { label: "Validation failures", points: s.validationFailures },
          { label: "Store rejections", points: s.storeRejections },
          { label: "Unexpected errors", points: s.unexpectedErrors },
          { label: "DLQ visible", points: s.dlqVisible, yAxis: "right" },
        ],
      }),
    },
    {
      file: "latency.svg",
      caption: `End-to-end latency from SentTimestamp to stored item, percentiles per ${p} s period (milliseconds).`,
      spec: timeSeriesSpec({
        title: "End-to-end latency percentiles",
        leftTitle: "ms",
        series: [
          { label: "p50", points: s.latencyP50 },
          { label: "p90", points: s.latencyP90 },
          { label: "p99", points: s.latencyP99 },
        ],
      }),
    },
  ];
}
