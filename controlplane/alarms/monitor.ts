import type { MetricLine } from "../../contracts";
import { addValues, emptySummary, mergeSummary, statisticValue, type ValueSummary } from "./aggregate";
import type { AlarmDefinition } from "./definition";
import { MonitorFinishedError } from "./errors";
import { type AlarmState, evaluateRange, evaluationInterval, evaluationRangeLength, type RangeSlot } from "./evaluate";
import { INITIAL_REASON } from "./reason";
import { describeSeries, nearestSeries, type SeriesId, seriesKey } from "./series";

/**
 * Alarms judged over a growing per-second record, as CloudWatch judges them over its metrics:
 *
 * - An alarm starts in INSUFFICIENT_DATA ("Unchecked: Initial alarm creation") and is evaluated at every minute
 *   boundary (every 10 s for high-resolution periods) after the record's first second.
 * - Each evaluation uses the default sliding window (User Guide, "Alarm evaluation window",
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation-window.html): the periods end at
 *   the evaluation time, so a 5-minute alarm evaluated at 15:07 judges 15:02-15:07, at 15:08 judges 15:03-15:08.
 *   The wall-clock window is not emulated: the provider's MetricAlarm has no input that chooses it.
 * - A period that is still filling is judged with the values it holds so far: "CloudWatch alarms evaluate metrics
 *   based on the datapoints that are immediately available" (AWS Knowledge Center,
 *   https://repost.aws/knowledge-center/cloudwatch-trigger-metric). When the record ends between two evaluations,
 *   finish() makes the next one, at the following boundary, with nothing published after the record's last second:
 *   what CloudWatch would decide if the run had really stopped there.
 * - Transitions are state changes only; a re-evaluation that keeps the state changes nothing, as on AWS.
 *
 * update() is meant to be called once a second with the lines just written; evaluateRecord() runs the same monitor
 * over a whole record, so both give identical transitions for identical lines. Memory is bounded by each alarm's
 * evaluation range: seconds older than the next evaluation can look at are dropped.
 */

export interface StateTransition {
  alarm: string;
  /** Epoch seconds of the evaluation that changed the state. */
  at: number;
  from: AlarmState;
  to: AlarmState;
  reason: string;
}

/** What a dashboard shows for one alarm at any moment. */
export interface AlarmStatus {
  alarm: string;
  state: AlarmState;
  reason: string;
  /** Epoch seconds of the last transition; undefined while the alarm is still in its initial state. */
  since?: number;
  /** Raw values of the alarm's exact series seen so far. */
  samplesSeen: number;
  /** Epoch-aligned periods of the alarm's length that held at least one value: 0 means the metric never had data. */
  datapointsSeen: number;
}

/** Why an alarm saw no data, with the series that do exist nearest to the one it watches. */
export interface NoDataFinding {
  /** The exact series is in the record, but without a value (or only with a unit other than the alarm's). */
  seriesInRecord: boolean;
  nearest: SeriesId[];
  message: string;
}

export interface AlarmReport extends AlarmStatus {
  transitions: StateTransition[];
  /** Present when datapointsSeen is 0. */
  noData?: NoDataFinding;
}

export interface MonitorOptions {
  /** Epoch second from which the alarms exist; defaults to the first second of the first lines given. */
  startAt?: number;
}

interface TrackedAlarm {
  alarm: AlarmDefinition;
  interval: number;
  rangeLength: number;
  /** Per-second summaries of the alarm's series, only the seconds a coming evaluation can still look at. */
  seconds: Map<number, ValueSummary>;
  nextEvaluation?: number;
  state: AlarmState;
  reason: string;
  since?: number;
  transitions: StateTransition[];
  samples: number;
  periodsWithData: Set<number>;
}

interface CatalogEntry {
  id: SeriesId;
  hasValues: boolean;
  units: Set<string>;
}

export class AlarmMonitor {
  private readonly tracked: TrackedAlarm[];
  private readonly bySeries = new Map<string, TrackedAlarm[]>();
  /** Every series the record holds, for naming the nearest ones when an alarm sees nothing. */
  private readonly catalog = new Map<string, CatalogEntry>();
  private start: number | undefined;
  private completeThrough: number | undefined;
  private finished = false;

  constructor(alarms: readonly AlarmDefinition[], options: MonitorOptions = {}) {
    this.start = options.startAt;
    this.tracked = alarms.map((alarm) => ({
      alarm,
      interval: evaluationInterval(alarm),
      rangeLength: evaluationRangeLength(alarm),
      seconds: new Map(),
      state: "INSUFFICIENT_DATA",
      reason: INITIAL_REASON,
      transitions: [],
      samples: 0,
      periodsWithData: new Set(),
    }));
    for (const t of this.tracked) {
      const key = seriesKey(t.alarm.namespace, t.alarm.metricName, t.alarm.dimensions);
      const list = this.bySeries.get(key);
      if (list) list.push(t);
      else this.bySeries.set(key, [t]);
    }
  }

  /**
   * Takes the record lines written since the last call and makes every evaluation now due. `completeThrough` is the
   * last second whose lines have all been given (default: the latest second seen), so a quiet record still advances.
   * Returns the transitions those evaluations made, in time order.
   */
  update(lines: readonly MetricLine[], completeThrough?: number): StateTransition[] {
    if (this.finished) throw new MonitorFinishedError();
    let latest = this.completeThrough;
    let earliest: number | undefined;
    for (const line of lines) {
      this.ingest(line);
      if (latest === undefined || line.t > latest) latest = line.t;
      if (earliest === undefined || line.t < earliest) earliest = line.t;
    }
    this.start ??= earliest;
    const through = completeThrough ?? latest;
    if (through !== undefined && (this.completeThrough === undefined || through > this.completeThrough))
      this.completeThrough = through;
    return this.completeThrough === undefined ? [] : this.evaluateUntil(this.completeThrough + 1, false);
  }

  /** Ends the record: one last evaluation for each alarm whose latest seconds have not been judged yet. */
  finish(): StateTransition[] {
    if (this.finished || this.completeThrough === undefined) {
      this.finished = true;
      return [];
    }
    this.finished = true;
    return this.evaluateUntil(this.completeThrough + 1, true);
  }

  statuses(): AlarmStatus[] {
    return this.tracked.map((t) => ({
      alarm: t.alarm.name,
      state: t.state,
      reason: t.reason,
      since: t.since,
      samplesSeen: t.samples,
      datapointsSeen: t.periodsWithData.size,
    }));
  }

  /** Statuses with every transition, and for alarms that saw nothing, why and which series exist instead. */
  report(): AlarmReport[] {
    const statuses = this.statuses();
    return this.tracked.map((t, i) => {
      const status = statuses[i]!;
      const report: AlarmReport = { ...status, transitions: [...t.transitions] };
      if (status.datapointsSeen === 0) report.noData = this.noDataFinding(t.alarm);
      return report;
    });
  }

  private ingest(line: MetricLine): void {
    const key = seriesKey(line.namespace, line.metric, line.dimensions);
    let entry = this.catalog.get(key);
    if (!entry) {
      entry = {
        id: { namespace: line.namespace, metric: line.metric, dimensions: { ...line.dimensions } },
        hasValues: false,
        units: new Set(),
      };
      this.catalog.set(key, entry);
    }
    if (line.values.length === 0) return;
    entry.hasValues = true;
    entry.units.add(line.unit ?? "None");
    for (const t of this.bySeries.get(key) ?? []) {
      if (t.alarm.unit !== undefined && line.unit !== t.alarm.unit) continue;
      let second = t.seconds.get(line.t);
      if (!second) {
        second = emptySummary(t.alarm.statistic.startsWith("p"));
        t.seconds.set(line.t, second);
      }
      addValues(second, line.values);
      t.samples += line.values.length;
      t.periodsWithData.add(Math.floor(line.t / t.alarm.period));
    }
  }

  /** Evaluates every boundary up to `end` (exclusive of seconds at or after it); `final` adds the closing one. */
  private evaluateUntil(end: number, final: boolean): StateTransition[] {
    if (this.start === undefined) return [];
    const made: StateTransition[] = [];
    for (const t of this.tracked) {
      t.nextEvaluation ??= (Math.floor(this.start / t.interval) + 1) * t.interval;
      while (t.nextEvaluation <= end) {
        this.evaluateAt(t, t.nextEvaluation, made);
        t.nextEvaluation += t.interval;
      }
      // Seconds after the last evaluation and before the record's end: judged at the next boundary, as they are.
      if (final && end > t.nextEvaluation - t.interval) this.evaluateAt(t, t.nextEvaluation, made);
    }
    return made.sort((a, b) => a.at - b.at);
  }

  private evaluateAt(t: TrackedAlarm, at: number, made: StateTransition[]): void {
    const { period } = t.alarm;
    const first = at - t.rangeLength * period;
    const periods: (ValueSummary | undefined)[] = new Array(t.rangeLength);
    for (const [second, summary] of t.seconds) {
      if (second < first) {
        // No later evaluation starts its range earlier than this one: the second is done with.
        t.seconds.delete(second);
        continue;
      }
      if (second >= at) continue;
      const index = Math.floor((second - first) / period);
      let into = periods[index];
      if (!into) {
        into = emptySummary(summary.values !== undefined);
        periods[index] = into;
      }
      mergeSummary(into, summary);
    }
    const range: RangeSlot[] = [];
    for (let i = 0; i < t.rangeLength; i++) {
      const summary = periods[i];
      range.push({ start: first + i * period, value: summary && statisticValue(summary, t.alarm.statistic) });
    }
    const verdict = evaluateRange(t.alarm, range);
    if (!verdict || verdict.state === t.state) return;
    const transition: StateTransition = {
      alarm: t.alarm.name,
      at,
      from: t.state,
      to: verdict.state,
      reason: verdict.reason,
    };
    t.state = verdict.state;
    t.reason = verdict.reason;
    t.since = at;
    t.transitions.push(transition);
    made.push(transition);
  }

  private noDataFinding(alarm: AlarmDefinition): NoDataFinding {
    const target: SeriesId = { namespace: alarm.namespace, metric: alarm.metricName, dimensions: alarm.dimensions };
    const key = seriesKey(target.namespace, target.metric, target.dimensions);
    const entry = this.catalog.get(key);
    const others = [...this.catalog.entries()].filter(([k]) => k !== key).map(([, e]) => e.id);
    const nearest = nearestSeries(target, others);
    const named = nearest.length > 0 ? nearest.map(describeSeries).join("; ") : "none (the record holds no metric)";
    let message: string;
    if (!entry)
      message =
        `${describeSeries(target)} never received data: no such series in the record (a misspelled metric or ` +
        `dimension, or a dimension too many or too few). Nearest series in the record: ${named}`;
    else if (entry.hasValues)
      message =
        `${describeSeries(target)} was published with unit ${[...entry.units].join(", ")}, ` +
        `but the alarm only counts unit ${alarm.unit}`;
    else message = `${describeSeries(target)} is in the record but never carried a value`;
    return { seriesInRecord: entry !== undefined, nearest, message };
  }
}

/** The whole-record form: the same monitor, given every line at once and then finished. */
export function evaluateRecord(
  alarms: readonly AlarmDefinition[],
  lines: readonly MetricLine[],
  options: MonitorOptions = {},
): AlarmReport[] {
  const monitor = new AlarmMonitor(alarms, options);
  monitor.update(lines);
  monitor.finish();
  return monitor.report();
}
