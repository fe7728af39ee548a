/**
 * The local dashboard: the server that draws a run record live, the program's dashboard body taken from a
 * synthesized stack, and the row of injected faults only the local page shows.
 */
export { withFaultWidgets } from "./fault-widgets";
export { type DashboardServer, startDashboardServer } from "./server";
export { dashboardBodyFromStack, NoDashboardError } from "./stack-body";
