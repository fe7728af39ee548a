import type { SeriesPoint } from "./aggregate";

/**
 * Vega-Lite specs for every chart in the local dashboard and the report. Pure: a spec is plain JSON,
 * rendered to SVG in Node by renderSvg below and drawn in the browser by the dashboard page, so both
 * draw a series the same way.
 */

export interface ChartSeries {
  label: string;
  points: readonly SeriesPoint[];
  /** Second y axis on the right, as CloudWatch's yAxis: "right". */
  yAxis?: "left" | "right";
  color?: string;
}

export interface ChartOptions {
  title: string;
  series: readonly ChartSeries[];
  leftTitle?: string;
  rightTitle?: string;
  leftRange?: { min?: number; max?: number };
  rightRange?: { min?: number; max?: number };
  /** Horizontal reference lines on the left axis (a limit, a threshold). */
  rules?: readonly { value: number; label?: string; color?: string }[];
  stacked?: boolean;
  /** "line" (default) or "bar". */
  mark?: "line" | "bar";
  width?: number | "container";
  height?: number | "container";
  /** "pad" (default): width/height are the plot, legends add to them. "fit": everything fits width/height (dashboard cells). */
  autosize?: "pad" | "fit";
}

/** Vega-Lite's TopLevelSpec, kept as plain JSON so this module loads without the ESM-only vega-lite. */
export type VegaLiteSpec = Record<string, unknown>;

interface Datum {
  time: number;
  value: number;
  series: string;
}

function toData(series: readonly ChartSeries[]): Datum[] {
  return series.flatMap((s) => s.points.map((p) => ({ time: p.t * 1000, value: p.value, series: s.label })));
}

function scaleDomain(range?: { min?: number; max?: number }): Record<string, unknown> {
  const scale: Record<string, unknown> = { zero: true };
  if (range?.min !== undefined && range.max !== undefined) scale.domain = [range.min, range.max];
  else if (range?.min !== undefined) scale.domainMin = range.min;
  else if (range?.max !== undefined) scale.domainMax = range.max;
  return scale;
}

const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

/** A time-series chart: one line (or bar) per series, optional right axis, optional reference rules. */
export function timeSeriesSpec(options: ChartOptions): VegaLiteSpec {
  const labels = options.series.map((s) => s.label);
  const colors = options.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]!);
  const color = {
    field: "series",
    type: "nominal",
    title: null,
    scale: { domain: labels, range: colors },
    legend: { orient: "bottom", labelLimit: 260, columns: 4 },
  };
  const x = {
    field: "time",
    type: "temporal",
    title: null,
    scale: { type: "utc" },
    axis: { format: "%H:%M:%S", labelOverlap: true, tickCount: 6 },
  };
  const markType = options.mark ?? "line";
  const mark =
    markType === "line" ? { type: "line", point: false, interpolate: "linear", strokeWidth: 1.5 } : { type: "bar" };

  const layerFor = (side: "left" | "right"): VegaLiteSpec | undefined => {
    const sideLabels = options.series.filter((s) => (s.yAxis ?? "left") === side).map((s) => s.label);
    if (sideLabels.length === 0) return undefined;
    const range = side === "left" ? options.leftRange : options.rightRange;
    const title = (side === "left" ? options.leftTitle : options.rightTitle) ?? null;
    const yField: Record<string, unknown> = {
      field: "value",
      type: "quantitative",
      title,
      scale: scaleDomain(range),
      axis: { orient: side, format: ",~r" },
    };
    if (options.stacked && side === "left") yField.stack = "zero";
    else yField.stack = null;
    return {
      transform: [{ filter: { field: "series", oneOf: sideLabels } }],
      mark: options.stacked && side === "left" && markType === "line" ? { type: "area", opacity: 0.7 } : mark,
      encoding: { x, y: yField, color },
    };
  };

  const ruleLayers: VegaLiteSpec[] = (options.rules ?? []).map((rule) => ({
    data: { values: [{ value: rule.value, label: rule.label ?? String(rule.value) }] },
    layer: [
      {
        mark: { type: "rule", strokeDash: [4, 3], color: rule.color ?? "#d62728" },
        encoding: { y: { field: "value", type: "quantitative" } },
      },
      {
        mark: {
          type: "text",
          align: "left",
          baseline: "bottom",
          dx: 4,
          dy: -2,
          color: rule.color ?? "#d62728",
          fontSize: 10,
        },
        encoding: { y: { field: "value", type: "quantitative" }, x: { value: 0 }, text: { field: "label" } },
      },
    ],
  }));
  // Rules share the left axis's scale, so they sit inside the left group; only the two axes are independent.
  const left = layerFor("left");
  const right = layerFor("right");
  const leftGroup: VegaLiteSpec | undefined =
    left && ruleLayers.length > 0
      ? { layer: [left, ...ruleLayers] }
      : (left ?? (ruleLayers.length > 0 ? { layer: ruleLayers } : undefined));
  const layers = [leftGroup, right].filter((l): l is VegaLiteSpec => l !== undefined);
  if (layers.length === 0) layers.push({ mark, encoding: { x, y: { field: "value", type: "quantitative" } } });

  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: options.title, anchor: "start", fontSize: 13 },
    width: options.width ?? 640,
    height: options.height ?? 220,
    autosize: { type: options.autosize ?? "pad", contains: "padding" },
    data: { values: toData(options.series) },
    layer: layers,
    resolve: { scale: { y: right && layers.length > 1 ? "independent" : "shared" } },
    config: {
      font: "Helvetica, Arial, sans-serif",
      view: { stroke: "#ddd" },
      axis: { labelFontSize: 10, titleFontSize: 11 },
      legend: { labelFontSize: 10 },
    },
  };
}

/** Number of data points a spec carries (the page exposes it as data-points for the browser test). */
export function pointCount(series: readonly ChartSeries[]): number {
  return series.reduce((n, s) => n + s.points.length, 0);
}

/**
 * Renders a Vega-Lite spec to SVG text in Node, with no canvas or browser. vega and vega-lite are ESM
 * with top-level await, which require() cannot load, hence the dynamic imports.
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vegaLite.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
