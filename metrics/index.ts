/** Series from a per-second record or CloudWatch datapoints, and the Vega-Lite charts drawn from them. */
export {
  aggregateSeries,
  aggregateTotal,
  autoPeriod,
  type MetricSelector,
  parseStatistic,
  recordSpan,
  type SeriesPoint,
  type Statistic,
} from "./aggregate";
export { type ChartSeries, pointCount, renderSvg, timeSeriesSpec, type VegaLiteSpec } from "./charts";
