import { OperatorError } from "../contracts";
import { type MetricSelector, parseStatistic, type Statistic } from "../metrics";

/**
 * Reads a CloudWatch dashboard body (the JSON the program passes to aws.cloudwatch.Dashboard) into the
 * widgets the local page draws. Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 * Only reading: the program is the one place the dashboard is defined.
 */

export type WidgetView = "timeSeries" | "singleValue" | "bar" | "pie" | "gauge";

export interface WidgetMetric extends MetricSelector {
  stat: Statistic;
  period: number;
  label: string;
  yAxis: "left" | "right";
  color?: string;
  id?: string;
}

export interface AxisRange {
  min?: number;
  max?: number;
  label?: string;
}

interface WidgetBase {
  index: number;
  x: number;
  y: number;
  width: number;
  height: number;
  title: string;
}

export interface MetricWidget extends WidgetBase {
  type: "metric";
  view: WidgetView;
  stacked: boolean;
  period: number;
  stat: Statistic;
  /** Metrics to draw (rows with visible: false are left out, as CloudWatch hides them). */
  metrics: WidgetMetric[];
  /** Metric-math rows; not evaluated locally, listed so the page can say so. */
  expressions: { expression: string; label?: string; id?: string }[];
  yAxis: { left?: AxisRange; right?: AxisRange };
  horizontalAnnotations: { value: number; label?: string; color?: string }[];
}

export interface TextWidget extends WidgetBase {
  type: "text";
  markdown: string;
}

/** Alarm, log and any future widget types: placed on the grid and described, not drawn. */
export interface OtherWidget extends WidgetBase {
  type: string;
  properties: Record<string, unknown>;
}

export type DashboardWidget = MetricWidget | TextWidget | OtherWidget;

/** The program's dashboard body is not one the local dashboard can read. */
export class DashboardBodyError extends OperatorError {
  constructor(message: string) {
    super(`invalid dashboard body: ${message}`);
  }
}

/** CloudWatch's defaults when a widget leaves them out. */
const DEFAULT_PERIOD = 300;
const DEFAULT_STAT = "Average";
const DEFAULT_WIDTH = 6;
const DEFAULT_HEIGHT = 6;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseDashboardBody(body: string | object): DashboardWidget[] {
  let parsed: unknown = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      throw new DashboardBodyError(`not JSON (${(error as Error).message})`);
    }
  }
  if (!isObject(parsed) || !Array.isArray(parsed.widgets))
    throw new DashboardBodyError('expected an object with a "widgets" array');
  return parsed.widgets.map((raw, index) => parseWidget(raw, index));
}

function parseWidget(raw: unknown, index: number): DashboardWidget {
  if (!isObject(raw)) throw new DashboardBodyError(`widgets[${index}] is not an object`);
  const properties = isObject(raw.properties) ? raw.properties : {};
  const base: WidgetBase = {
    index,
    x: numberOr(raw.x, 0),
    y: numberOr(raw.y, 0),
    width: numberOr(raw.width, DEFAULT_WIDTH),
    height: numberOr(raw.height, DEFAULT_HEIGHT),
    title: typeof properties.title === "string" ? properties.title : "",
  };
  const type = typeof raw.type === "string" ? raw.type : "unknown";
  if (type === "text")
    return { ...base, type: "text", markdown: typeof properties.markdown === "string" ? properties.markdown : "" };
  if (type !== "metric") return { ...base, type, properties };
  return parseMetricWidget(base, properties);
}

function parseMetricWidget(base: WidgetBase, properties: Json): MetricWidget {
  const where = `widgets[${base.index}]`;
  const stat = statOf(properties.stat ?? DEFAULT_STAT, where);
  const period = numberOr(properties.period, DEFAULT_PERIOD);
  const rows = Array.isArray(properties.metrics) ? properties.metrics : [];
  const metrics: WidgetMetric[] = [];
  const expressions: MetricWidget["expressions"] = [];
  let previous: unknown[] = [];
  rows.forEach((row, r) => {
    if (!Array.isArray(row)) throw new DashboardBodyError(`${where}.properties.metrics[${r}] is not an array`);
    const last = row[row.length - 1];
    const options = isObject(last) ? last : {};
    const entries = isObject(last) ? row.slice(0, -1) : row;
    if (entries.length === 0 && typeof options.expression === "string") {
      expressions.push({ expression: options.expression, label: stringOr(options.label), id: stringOr(options.id) });
      return;
    }
    const expanded = expandShorthand(entries, previous, `${where}.properties.metrics[${r}]`);
    previous = expanded;
    const [namespace, metric, ...dims] = expanded;
    if (typeof namespace !== "string" || typeof metric !== "string") {
      throw new DashboardBodyError(`${where}.properties.metrics[${r}] must start with a namespace and a metric name`);
    }
    if (dims.length % 2 !== 0)
      throw new DashboardBodyError(`${where}.properties.metrics[${r}] has a dimension name without a value`);
    const dimensions: Record<string, string> = {};
    for (let i = 0; i < dims.length; i += 2) dimensions[String(dims[i])] = String(dims[i + 1]);
    if (options.visible === false) return;
    metrics.push({
      namespace,
      metric,
      dimensions,
      stat: options.stat === undefined ? stat : statOf(options.stat, `${where}.properties.metrics[${r}]`),
      period: numberOr(options.period, period),
      label: stringOr(options.label) ?? metric,
      yAxis: options.yAxis === "right" ? "right" : "left",
      color: stringOr(options.color),
      id: stringOr(options.id),
    });
  });
  disambiguateLabels(metrics);
  const yAxis = isObject(properties.yAxis) ? properties.yAxis : {};
  const annotations = isObject(properties.annotations) ? properties.annotations : {};
  const horizontal = Array.isArray(annotations.horizontal) ? annotations.horizontal.filter(isObject) : [];
  const view = properties.view;
  return {
    ...base,
    type: "metric",
    view: view === "singleValue" || view === "bar" || view === "pie" || view === "gauge" ? view : "timeSeries",
    stacked: properties.stacked === true,
    period,
    stat,
    metrics,
    expressions,
    yAxis: { left: axisOf(yAxis.left), right: axisOf(yAxis.right) },
    horizontalAnnotations: horizontal
      .filter((a) => typeof a.value === "number")
      .map((a) => ({ value: a.value as number, label: stringOr(a.label), color: stringOr(a.color) })),
  };
}

/**
 * CloudWatch's shorthand: "." repeats the previous row's entry at the same position; a leading "..."
 * repeats the previous row's leading entries so the row keeps the previous row's length.
 */
export function expandShorthand(entries: readonly unknown[], previous: readonly unknown[], where: string): unknown[] {
  let row = [...entries];
  if (row[0] === "...") {
    const rest = row.slice(1);
    if (previous.length < rest.length)
      throw new DashboardBodyError(`${where} uses "..." but the previous row is shorter`);
    row = [...previous.slice(0, previous.length - rest.length), ...rest];
  }
  return row.map((entry, i) => {
    if (entry !== ".") return entry;
    if (i >= previous.length)
      throw new DashboardBodyError(`${where} uses "." at position ${i} with no previous row entry there`);
    return previous[i];
  });
}

/** Two rows with the same default label (same metric name) get their dimension values appended. */
function disambiguateLabels(metrics: WidgetMetric[]): void {
  const counts = new Map<string, number>();
  for (const m of metrics) counts.set(m.label, (counts.get(m.label) ?? 0) + 1);
  for (const m of metrics) {
    if ((counts.get(m.label) ?? 0) > 1 && m.label === m.metric) {
      const values = Object.values(m.dimensions);
      m.label = `${m.metric}${values.length > 0 ? ` (${values.join(", ")})` : ""} ${m.stat}`;
    }
  }
}

function statOf(value: unknown, where: string): Statistic {
  try {
    return parseStatistic(String(value));
  } catch (error) {
    throw new DashboardBodyError(`${where}: ${(error as Error).message}`);
  }
}

function axisOf(value: unknown): AxisRange | undefined {
  if (!isObject(value)) return undefined;
  return {
    min: typeof value.min === "number" ? value.min : undefined,
    max: typeof value.max === "number" ? value.max : undefined,
    label: stringOr(value.label),
  };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
