/** The program's ComponentResources, its settings as Pulumi config gives them, and the dashboard body it declares. */
export { loadSettings } from "./config";
export { renderDashboardBody } from "./dashboard-widgets";
export { LogQueries } from "./log-queries";
export { MonitoredFunction } from "./monitored-function";
export { PipelineAlarms } from "./pipeline-alarms";
export { PipelineDashboard } from "./pipeline-dashboard";
export { VehicleQueue } from "./vehicle-queue";
export { VehicleTable } from "./vehicle-table";
