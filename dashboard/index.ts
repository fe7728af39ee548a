// What the embedded cloud and the report use of the dashboard: the server that draws a run record live.
export { type DashboardServer, startDashboardServer } from "./server";
