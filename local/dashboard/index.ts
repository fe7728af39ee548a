export { startDashboardServer, DashboardServerError, type DashboardServer, type DashboardServerOptions } from "./server";
export { runDirRecordSource, type RecordSource, type RecordSnapshot } from "./record-source";
export { parseDashboardBody, DashboardBodyError, type DashboardWidget, type MetricWidget, type WidgetMetric } from "./body";
export { dashboardData, type DashboardData, type WidgetData, type PeriodOverride } from "./widget-data";
export { dashboardBodyFromStack, NoDashboardError } from "./stack-body";
