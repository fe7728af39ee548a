/**
 * The local dashboard: the server that draws a run record live, the program's dashboard body taken from a
 * synthesized stack, and the rows only the local page shows: the alarms' states and the injected faults.
 */
export { withAlarmWidgets } from "./alarm-widgets";
export { withFaultWidgets } from "./fault-widgets";
export { type DashboardServer, startDashboardServer } from "./server";
export { dashboardBodyFromStack, NoDashboardError } from "./stack-body";
