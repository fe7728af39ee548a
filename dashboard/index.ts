export {
  DashboardBodyError,
  type DashboardWidget,
  type MetricWidget,
  parseDashboardBody,
  type WidgetMetric,
} from "./body";
export { type RecordSnapshot, type RecordSource, runDirRecordSource } from "./record-source";
export {
  type DashboardServer,
  DashboardServerError,
  type DashboardServerOptions,
  startDashboardServer,
} from "./server";
export { dashboardBodyFromStack, NoDashboardError } from "./stack-body";
export { type DashboardData, dashboardData, type PeriodOverride, type WidgetData } from "./widget-data";
