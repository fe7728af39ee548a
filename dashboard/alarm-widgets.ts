import { GRID_WIDTH, withSectionBelow } from "./section-below";

/**
 * The dashboard body with a row for the stack's alarms (a CloudWatch alarm status widget naming each alarm's ARN)
 * below every other widget. The local page draws each alarm's state as the embedded cloud evaluated it, from the
 * record; the deployed dashboard is the program's alone, as CloudWatch shows alarms on their own page.
 */
export function withAlarmWidgets(body: string, alarmArns: readonly string[]): string {
  if (alarmArns.length === 0) return body;
  return withSectionBelow(
    body,
    "## Alarms (this machine only): the stack's alarms as the embedded cloud evaluates them, every second",
    (y) => [
      {
        type: "alarm",
        x: 0,
        y,
        width: GRID_WIDTH,
        height: Math.max(3, Math.ceil(alarmArns.length / 2) + 2),
        properties: { title: "Alarm states", alarms: [...alarmArns] },
      },
    ],
  );
}
