/**
 * CloudWatch metric alarm evaluation over the embedded cloud's per-second metric record, as pure functions.
 *
 *   const alarms = stack.resources
 *     .filter((r) => r.type === METRIC_ALARM_TYPE)
 *     .map((r) => alarmFromInputs(r.state.name ?? r.name, r.inputs));
 *   const monitor = new AlarmMonitor(alarms);
 *   every second: for (const t of monitor.update(newLines)) publish(notificationTargets(alarm, t),
 *                   alarmNotification(alarm, t, context));  monitor.statuses() for the dashboard
 *   at the end:   monitor.finish(); monitor.report()   (or evaluateRecord(alarms, lines) on a saved record)
 *
 * The CloudWatch rules it follows, and where they are documented, are in evaluate.ts and monitor.ts.
 */
export { datapoints } from "./datapoints";
export {
  type AlarmDefinition,
  alarmFromInputs,
  METRIC_ALARM_TYPE,
  type MetricQuery,
} from "./definition";
export { AlarmDefinitionError, InvalidAlarmError, MonitorFinishedError, UnsupportedAlarmError } from "./errors";
export { type AlarmState, evaluateRange, type RangeSlot } from "./evaluate";
export { AlarmMonitor, type AlarmReport, evaluateRecord, type StateTransition } from "./monitor";
export { type AlarmNotification, alarmNotification, notificationSubject, notificationTargets } from "./notification";
