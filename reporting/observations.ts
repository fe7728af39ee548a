import type { SeriesPoint } from "../metrics";
import { consumerRejections } from "./queries";
import type { ReportData } from "./report-data";

/**
 * Findings computed from the data, each a sentence with its numbers. No adjectives that the numbers do not
 * carry: a reader should be able to check every sentence against the charts.
 */

export interface KeyFigures {
  /** Epoch second the producer's first message was sent (the run's zero). */
  firstSend?: number;
  lastSend?: number;
  sent?: number;
  stored?: number;
  peakSendRate?: { value: number; t: number };
  peakProcessRate?: { value: number; t: number };
  peakConcurrency?: { value: number; t: number };
  /** Seconds at peak concurrency and the mean delete rate then: the consumer's capacity at that concurrency. */
  atPeak?: { seconds: number; first: number; last: number; meanProcessRate: number };
  /** First second concurrency was back at 0 after its peak. */
  scaledInAt?: number;
  peakVisible?: { value: number; t: number };
  maxAge?: { value: number; t: number };
  /** First second after the last send with nothing visible or in flight. */
  drainedAt?: number;
  latencyP50?: number;
  latencyP90?: number;
  latencyP99?: number;
  worstPeriodP99?: { value: number; t: number };
  durationP50?: number;
  durationP99?: number;
  errors?: number;
  throttles?: number;
  validationFailures?: number;
  /** Dead-lettered by the consumer on the first receive: invalid, refused by the table for good, or hit by a bug. */
  rejected?: number;
  storeRejections?: number;
  unexpectedErrors?: number;
  transientFailures?: number;
  duplicates?: number;
  /** Largest DLQ depth sampled (the end value can read 0 once verification has received the DLQ's messages). */
  dlqPeak?: number;
  coldStarts?: number;
  invocations?: number;
  meanBatchSize?: number;
}

function peak(points: readonly SeriesPoint[]): { value: number; t: number } | undefined {
  let best: SeriesPoint | undefined;
  for (const p of points) if (!best || p.value > best.value) best = p;
  return best ? { value: best.value, t: best.t } : undefined;
}

function firstWhere(
  points: readonly SeriesPoint[],
  predicate: (p: SeriesPoint) => boolean,
  after = -Infinity,
): number | undefined {
  return points.find((p) => p.t > after && predicate(p))?.t;
}

/** The first second, after `after`, from which a series stays at zero to the end (the drain or scale-in point). */
function zeroFrom(points: readonly SeriesPoint[], after: number): number | undefined {
  let candidate: number | undefined;
  for (const p of points) {
    if (p.t <= after) continue;
    if (p.value === 0) candidate ??= p.t;
    else candidate = undefined;
  }
  return candidate;
}

export function keyFigures(data: ReportData): KeyFigures {
  const s = data.series;
  const t = data.totals;
  const firstSend = firstWhere(s.sent, (p) => p.value > 0);
  const sending = s.sent.filter((p) => p.value > 0);
  const lastSend = sending[sending.length - 1]?.t;
  const rate = (points: readonly SeriesPoint[]) => points.map((p) => ({ t: p.t, value: p.value / data.period }));
  const peakConcurrency = peak(s.concurrency);
  // Visible and in flight both at zero: nothing left to deliver. Gauges are sampled per second, so take the later of the two.
  const drainedVisible = lastSend !== undefined ? zeroFrom(s.visible, lastSend - 1) : undefined;
  const drainedInFlight = lastSend !== undefined ? zeroFrom(s.inFlight, lastSend - 1) : undefined;
  const drainedAt =
    drainedVisible !== undefined && (drainedInFlight !== undefined || s.inFlight.length === 0)
      ? Math.max(drainedVisible, drainedInFlight ?? drainedVisible)
      : undefined;
  let atPeak: KeyFigures["atPeak"];
  if (peakConcurrency && peakConcurrency.value > 0) {
    const periods = s.concurrency.filter((p) => p.value === peakConcurrency.value).map((p) => p.t);
    const deletes = new Map(s.deleted.map((p) => [p.t, p.value]));
    const total = periods.reduce((n, t) => n + (deletes.get(t) ?? 0), 0);
    atPeak = {
      seconds: periods.length * data.period,
      first: periods[0]!,
      last: periods[periods.length - 1]!,
      meanProcessRate: total / (periods.length * data.period),
    };
  }
  return {
    atPeak,
    firstSend,
    lastSend,
    sent: t.sent,
    stored: t.stored,
    peakSendRate: peak(rate(s.sent)),
    peakProcessRate: peak(rate(s.deleted)),
    peakConcurrency,
    scaledInAt: peakConcurrency ? zeroFrom(s.concurrency, peakConcurrency.t) : undefined,
    peakVisible: peak(s.visible),
    maxAge: peak(s.age),
    drainedAt,
    latencyP50: t.latencyP50,
    latencyP90: t.latencyP90,
    latencyP99: t.latencyP99,
    worstPeriodP99: peak(s.latencyP99),
    durationP50: t.durationP50,
    durationP99: t.durationP99,
    errors: t.errors,
    throttles: t.throttles,
    validationFailures: t.validationFailures,
    rejected: consumerRejections(t),
    storeRejections: t.storeRejections,
    unexpectedErrors: t.unexpectedErrors,
    transientFailures: t.transientFailures,
    duplicates: t.duplicates,
    dlqPeak: peak(s.dlqVisible)?.value,
    coldStarts: t.coldStarts,
    invocations: t.invocations,
    meanBatchSize: t.invocations && t.received !== undefined ? t.received / t.invocations : undefined,
  };
}

export function formatNumber(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "+12 s" from the first send (or the range start when nothing was sent). */
function offset(data: ReportData, figures: KeyFigures, t: number | undefined): string {
  if (t === undefined) return "n/a";
  const zero = figures.firstSend ?? data.range.start;
  const seconds = t - zero;
  return `${seconds >= 0 ? "+" : "−"}${Math.abs(seconds)} s`;
}

function ms(value: number | undefined): string {
  if (value === undefined) return "n/a";
  return value >= 1000 ? `${formatNumber(value / 1000, 2)} s` : `${formatNumber(value)} ms`;
}

/** Markdown bullet sentences, in the order a reader follows the run. */
export function observations(data: ReportData, figures = keyFigures(data)): string[] {
  const f = figures;
  const out: string[] = [];
  const per = data.period === 1 ? "per second" : `per second (averaged over ${data.period} s periods)`;
  if (f.firstSend === undefined) {
    out.push("No message was sent to the queue in this range: there is nothing to observe.");
    return out;
  }
  return [
    ...sendingSentences(data, f, per),
    ...concurrencySentences(data, f, f.firstSend),
    ...backlogSentences(data, f),
    ...workSentences(data, f),
    ...failureSentences(f),
  ];
}

/** The send and delete rates. */
function sendingSentences(data: ReportData, f: KeyFigures, per: string): string[] {
  const out: string[] = [];
  out.push(
    `The producer sent ${formatNumber(f.sent)} messages from ${offset(data, f, f.firstSend)} to ${offset(data, f, f.lastSend)}` +
      (f.peakSendRate
        ? `, peaking at ${formatNumber(f.peakSendRate.value, 1)} messages ${per} at ${offset(data, f, f.peakSendRate.t)}.`
        : "."),
  );
  if (f.peakProcessRate) {
    out.push(
      `Deletes (messages the consumer finished) peaked at ${formatNumber(f.peakProcessRate.value, 1)} ${per} ` +
        `at ${offset(data, f, f.peakProcessRate.t)}.`,
    );
  }
  return out;
}

/** How concurrency scaled out and back in, and what it achieved at its peak. */
function concurrencySentences(data: ReportData, f: KeyFigures, firstSend: number): string[] {
  const out: string[] = [];
  if (f.peakConcurrency) {
    const max = data.settings.maxConcurrency;
    const cap =
      max === undefined
        ? ""
        : f.peakConcurrency.value >= max
          ? ` (the configured maximumConcurrency, ${max})`
          : ` (below the configured maximumConcurrency of ${max})`;
    const scaleIn =
      f.scaledInAt !== undefined
        ? ` It was back at 0 at ${offset(data, f, f.scaledInAt)}, ` +
          `${f.lastSend !== undefined ? `${f.scaledInAt - f.lastSend} s after the last send` : ""}.`
        : " It had not returned to 0 by the end of the range.";
    out.push(
      `Concurrent executions rose from 0 to a peak of ${formatNumber(f.peakConcurrency.value)}${cap} at ` +
        `${offset(data, f, f.peakConcurrency.t)}, ${f.peakConcurrency.t - firstSend} s after the first send.${scaleIn}`,
    );
    const readers = readersSentence(data, f);
    if (readers) out.push(readers);
    if (f.atPeak) {
      out.push(
        `At ${formatNumber(f.peakConcurrency.value)} concurrent executions (${formatNumber(f.atPeak.seconds)} ` +
          `s in all, between ${offset(data, f, f.atPeak.first)} and ${offset(data, f, f.atPeak.last)}) the ` +
          `consumer finished ${formatNumber(f.atPeak.meanProcessRate, 1)} messages per second on average` +
          (f.peakSendRate && f.peakSendRate.value > f.atPeak.meanProcessRate
            ? `, below the peak send rate of ${formatNumber(f.peakSendRate.value, 1)}/s.`
            : "."),
      );
    }
  }
  return out;
}

/**
 * The embedded cloud's event source mapping: how its batch readers (the concurrency its scaling model allowed) moved.
 * A deployed stack has no such series.
 */
function readersSentence(data: ReportData, f: KeyFigures): string | undefined {
  const readers = data.series.batchReaders.filter((p) => p.value > 0);
  if (readers.length === 0) return undefined;
  const first = readers[0]!;
  const top = peak(readers)!;
  const steps = (direction: 1 | -1) =>
    readers.slice(1).reduce((n, p, i) => n + Math.max(0, direction * (p.value - readers[i]!.value)), 0);
  const last = readers[readers.length - 1]!;
  const backAt = top.value > first.value ? readers.find((p) => p.t > top.t && p.value === first.value)?.t : undefined;
  return (
    `The event source mapping allowed ${formatNumber(first.value)} concurrent batches when messages arrived` +
    (top.value > first.value
      ? `, scaled out to ${formatNumber(top.value)} by ${offset(data, f, top.t)} (${formatNumber(steps(1))} readers ` +
        `added while messages waited) and ` +
        (backAt !== undefined
          ? `back to ${formatNumber(first.value)} at ${offset(data, f, backAt)} (${formatNumber(steps(-1))} removed, ` +
            "one per 3 s once nothing waited)."
          : `was at ${formatNumber(last.value)} when the record ends (one reader removed per 3 s once nothing waited).`) +
        " The scale-out follows AWS's documented rule; the scale-in pace is this model's, as AWS documents none: on AWS " +
        "the readers may stay up longer after a burst, which costs empty receives while the queue is idle, not invocations."
      : " and never needed more: no message waited for a reader.")
  );
}

/** The backlog, the oldest message, and when the queue drained. */
function backlogSentences(data: ReportData, f: KeyFigures): string[] {
  const out: string[] = [];
  if (f.peakVisible && f.peakVisible.value === 0) {
    out.push(
      `No visible backlog was sampled: the consumer received every message within the second it ` +
        `arrived${f.maxAge ? `; the oldest message was at most ${formatNumber(f.maxAge.value)} s old` : ""}.`,
    );
  } else if (f.peakVisible) {
    out.push(
      `The queue's backlog peaked at ${formatNumber(f.peakVisible.value)} visible messages at ${offset(data, f, f.peakVisible.t)}` +
        (!f.maxAge
          ? "."
          : f.maxAge.value === 0
            ? "; no message waited a whole second (oldest-message age stayed at 0 s)."
            : `; the oldest message was at most ${formatNumber(f.maxAge.value)} s old (at ${offset(data, f, f.maxAge.t)}).`),
    );
  }
  if (f.lastSend !== undefined) {
    out.push(
      f.drainedAt !== undefined
        ? `The queue was empty, nothing in flight, at ${offset(data, f, f.drainedAt)}: ${f.drainedAt - f.lastSend} s after the last send.`
        : "The queue had not drained by the end of the range.",
    );
  }
  return out;
}

/** Latency, invocations and durations. */
function workSentences(data: ReportData, f: KeyFigures): string[] {
  const out: string[] = [];
  if (f.latencyP50 !== undefined) {
    out.push(
      `End-to-end latency (SentTimestamp to stored) over the run: p50 ${ms(f.latencyP50)}, p90 ${ms(f.latencyP90)}, p99 ${ms(f.latencyP99)}` +
        (f.worstPeriodP99
          ? `; the worst ${data.period} s period had p99 ${ms(f.worstPeriodP99.value)} at ${offset(data, f, f.worstPeriodP99.t)}.`
          : "."),
    );
  }
  if (f.invocations !== undefined) {
    out.push(
      `${formatNumber(f.invocations)} invocations` +
        (f.meanBatchSize !== undefined
          ? ` carried ${formatNumber(f.meanBatchSize, 1)} messages each on average (batch size ${data.settings.batchSize ?? "n/a"})`
          : "") +
        `; function duration p50 ${ms(f.durationP50)}, p99 ${ms(f.durationP99)}; ${formatNumber(f.coldStarts ?? 0)} cold starts.`,
    );
  }
  return out;
}

/** Failures, and whether the counts add up. */
function failureSentences(f: KeyFigures): string[] {
  const out: string[] = [];
  out.push(
    `Failures: ${formatNumber(f.errors ?? 0)} function errors, ${formatNumber(f.throttles ?? 0)} throttles, ` +
      `${formatNumber(f.transientFailures ?? 0)} transient store failures (retried through SQS), ` +
      `${formatNumber(f.validationFailures ?? 0)} validation failures, ${formatNumber(f.storeRejections ?? 0)} store ` +
      `rejections and ${formatNumber(f.unexpectedErrors ?? 0)} unexpected errors sent to the DLQ, ` +
      `${formatNumber(f.duplicates ?? 0)} duplicates skipped` +
      (f.dlqPeak !== undefined
        ? `; the DLQ's sampled depth reached ${formatNumber(f.dlqPeak)} visible messages.`
        : "."),
  );
  if (f.sent !== undefined && f.stored !== undefined && f.rejected !== undefined) {
    // A duplicate is a second delivery (or a producer re-send) of a message already stored, so it is not part of sent = stored + dead-lettered,
    // except when the producer's re-send made SQS count the message twice.
    const gap = f.sent - f.stored - f.rejected;
    out.push(
      gap === 0
        ? `The metrics account for every message sent: ${formatNumber(f.stored)} stored + ` +
            `${formatNumber(f.rejected)} dead-lettered = ${formatNumber(f.sent)} sent.`
        : gap > 0 && gap === f.duplicates
          ? `${formatNumber(f.sent)} sent = ${formatNumber(f.stored)} stored + ` +
            `${formatNumber(f.rejected)} dead-lettered + ${formatNumber(gap)} re-sent copies skipped as duplicates.`
          : `The metrics do not add up: ${formatNumber(f.sent)} sent, ${formatNumber(f.stored)} stored and ` +
            `${formatNumber(f.rejected)} dead-lettered leave ${formatNumber(Math.abs(gap))} ` +
            `${gap > 0 ? "unaccounted for" : "counted twice"} (duplicates skipped: ` +
            `${formatNumber(f.duplicates ?? 0)}); the verification table below is item-level and decides.`,
    );
  }
  return out;
}
