import type { AlarmStateLogLine, MetricLine } from "../contracts";
import {
  aggregateSeries,
  aggregateTotal,
  autoPeriod,
  type ChartSeries,
  pointCount,
  recordSpan,
  type SeriesPoint,
  timeSeriesSpec,
  type VegaLiteSpec,
} from "../metrics";
import type { DashboardWidget, MetricWidget, WidgetMetric } from "./body";
import { escapeHtml, renderMarkdown } from "./markdown";

/**
 * What the page needs to draw one widget, computed on the server from the record. Pure, so the page's
 * numbers are tested without a browser.
 */

/** "auto" picks a period fine enough to show a short run (see autoPeriod); "declared" uses the body's periods. */
export type PeriodOverride = "auto" | "declared" | number;

export interface WidgetSeries {
  label: string;
  yAxis: "left" | "right";
  stat: string;
  period: number;
  points: SeriesPoint[];
}

export interface WidgetData {
  index: number;
  type: string;
  title: string;
  layout: { x: number; y: number; width: number; height: number };
  kind: "chart" | "single" | "text" | "other";
  /** Datapoints drawn; the browser test reads it from the widget's data-points attribute. */
  points: number;
  series: WidgetSeries[];
  /** Vega-Lite spec for "chart" widgets. */
  spec?: VegaLiteSpec;
  /** Latest value per metric for "single" widgets. */
  values?: { label: string; value: number | null }[];
  /** Sanitized HTML for text widgets, and a description for the others. */
  html?: string;
  /** Why something is not shown (metric math, missing data); one line each. */
  notes: string[];
}

export interface DashboardData {
  range: { start: number; end: number } | null;
  widgets: WidgetData[];
}

function periodFor(metric: WidgetMetric, override: PeriodOverride, spanSeconds: number): number {
  if (override === "declared") return metric.period;
  if (override === "auto") return autoPeriod(metric.period, spanSeconds);
  return override;
}

function missingNote(lines: readonly MetricLine[], metric: WidgetMetric): string {
  const wanted = Object.entries(metric.dimensions)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  const seen = new Set<string>();
  for (const line of lines) {
    if (line.namespace === metric.namespace && line.metric === metric.metric) {
      seen.add(
        Object.entries(line.dimensions)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ") || "(no dimensions)",
      );
    }
  }
  const others = seen.size > 0 ? `; the record has it for ${[...seen].slice(0, 3).join(" | ")}` : "";
  return `no data yet for ${metric.namespace} ${metric.metric}${wanted ? ` {${wanted}}` : ""}${others}`;
}

function metricWidgetData(
  widget: MetricWidget,
  lines: readonly MetricLine[],
  override: PeriodOverride,
  range: { start: number; end: number } | null,
): WidgetData {
  const span = range ? range.end - range.start : 0;
  const notes: string[] = [];
  const series: WidgetSeries[] = widget.metrics.map((metric) => {
    const period = periodFor(metric, override, span);
    const points = range
      ? aggregateSeries(lines, metric, { stat: metric.stat, period, start: range.start, end: range.end })
      : [];
    return { label: metric.label, yAxis: metric.yAxis, stat: metric.stat, period, points };
  });
  // A widget with no data at all says why for each metric (usually a dimension mismatch); one with some data
  // only counts the empty lines (validation reasons that did not occur are normal).
  const empty = widget.metrics.filter((_, i) => series[i]!.points.length === 0);
  if (empty.length === widget.metrics.length) for (const metric of empty) notes.push(missingNote(lines, metric));
  else if (empty.length > 0)
    notes.push(
      `${empty.length} of ${widget.metrics.length} lines have no data in this range: ${empty.map((m) => m.label).join(", ")}`,
    );
  for (const e of widget.expressions)
    notes.push(`metric math "${e.label ?? e.id ?? e.expression}" is not evaluated locally`);
  const base = {
    index: widget.index,
    type: widget.type,
    title: widget.title,
    layout: { x: widget.x, y: widget.y, width: widget.width, height: widget.height },
    series,
    notes,
  };

  if (widget.view === "singleValue" || widget.view === "gauge" || widget.view === "pie") {
    // CloudWatch's single value shows each metric's latest datapoint at its declared period; here that is
    // the statistic over the trailing declared period of the record, so a short run is not cut at a boundary.
    const values = widget.metrics.map((metric) => {
      const value = range
        ? aggregateTotal(lines, metric, metric.stat, {
            start: Math.max(range.start, range.end - metric.period),
            end: range.end,
          })
        : undefined;
      return { label: metric.label, value: value ?? null };
    });
    return { ...base, kind: "single", points: pointCount(series), values };
  }

  const chartSeries: ChartSeries[] = series.map((s, i) => ({
    label: s.label,
    points: s.points,
    yAxis: s.yAxis,
    color: widget.metrics[i]!.color,
  }));
  const spec = timeSeriesSpec({
    title: widget.title,
    series: chartSeries,
    leftTitle: widget.yAxis.left?.label,
    rightTitle: widget.yAxis.right?.label,
    leftRange: widget.yAxis.left,
    rightRange: widget.yAxis.right,
    rules: widget.horizontalAnnotations,
    stacked: widget.stacked,
    mark: widget.view === "bar" ? "bar" : "line",
    width: "container",
    height: "container",
    autosize: "fit",
  });
  return { ...base, kind: "chart", points: pointCount(series), spec };
}

/**
 * An alarm status widget: each alarm's state as the record's state changes give it (INSUFFICIENT_DATA until its
 * first), the latest reason beside it; `data-state` lets the page colour it as CloudWatch does.
 */
function alarmStatusHtml(alarmArns: readonly unknown[], changes: readonly AlarmStateLogLine[]): string {
  const latest = new Map<string, AlarmStateLogLine>();
  for (const change of changes) latest.set(change.alarm, change);
  const items = alarmArns.map((arn) => {
    const name = String(arn).split(":").pop() ?? String(arn);
    const change = latest.get(name);
    const state = change?.to ?? "INSUFFICIENT_DATA";
    const since = change ? ` since ${new Date(change.at * 1000).toISOString().slice(11, 19)} UTC` : "";
    return (
      `<li class="alarm" data-alarm="${escapeHtml(name)}" data-state="${state}"><span class="alarm-state">${state}</span> ` +
      `${escapeHtml(name)}<span class="alarm-reason">${since}${change ? `: ${escapeHtml(change.reason)}` : ""}</span></li>`
    );
  });
  return `<ul class="alarms">${items.join("")}</ul>`;
}

/**
 * Computes every widget's data from the record. The time range is the record's span (CloudWatch: "from start of run
 * to now"). `alarms` are the record's alarm state changes; without them an alarm widget only lists its alarms.
 */
export function dashboardData(
  widgets: readonly DashboardWidget[],
  allLines: readonly MetricLine[],
  override: PeriodOverride = "auto",
  alarms?: readonly AlarmStateLogLine[],
): DashboardData {
  const span = recordSpan(allLines);
  // Each widget only scans the lines of its own metrics (the page asks every 1.5 s while a run is recorded).
  const byMetric = new Map<string, MetricLine[]>();
  for (const line of allLines) {
    const key = `${line.namespace}|${line.metric}`;
    const list = byMetric.get(key);
    if (list) list.push(line);
    else byMetric.set(key, [line]);
  }
  const linesFor = (widget: MetricWidget) =>
    [...new Set(widget.metrics.map((m) => `${m.namespace}|${m.metric}`))].flatMap((key) => byMetric.get(key) ?? []);
  const range = span ? { start: span.start, end: span.end + 1 } : null;
  return {
    range,
    widgets: widgets.map((widget): WidgetData => {
      const layout = { x: widget.x, y: widget.y, width: widget.width, height: widget.height };
      if (widget.type === "metric")
        return metricWidgetData(widget as MetricWidget, linesFor(widget as MetricWidget), override, range);
      if (widget.type === "text" && "markdown" in widget) {
        return {
          index: widget.index,
          type: "text",
          title: widget.title,
          layout,
          kind: "text",
          points: 0,
          series: [],
          html: renderMarkdown(widget.markdown),
          notes: [],
        };
      }
      const props = "properties" in widget ? widget.properties : {};
      const described =
        widget.type === "alarm" && Array.isArray(props.alarms) && alarms
          ? alarmStatusHtml(props.alarms, alarms)
          : widget.type === "alarm" && Array.isArray(props.alarms)
            ? `<p>Alarms (state is only known on ` +
              `AWS):</p><ul>${props.alarms.map((a) => `<li>${escapeHtml(String(a).split(":").pop() ?? String(a))}</li>`).join("")}</ul>`
            : widget.type === "log" && typeof props.query === "string"
              ? `<p>Logs Insights query (runs on AWS only):</p><pre>${escapeHtml(props.query)}</pre>`
              : `<p>${escapeHtml(widget.type)} widget: not drawn locally.</p>`;
      return {
        index: widget.index,
        type: widget.type,
        title: widget.title,
        layout,
        kind: "other",
        points: 0,
        series: [],
        html: described,
        notes: [],
      };
    }),
  };
}
