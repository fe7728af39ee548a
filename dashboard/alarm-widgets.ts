/** CloudWatch's grid is 24 units wide. */
const GRID_WIDTH = 24;

interface PlacedWidget {
  y?: number;
  height?: number;
}

/**
 * The dashboard body with a row for the stack's alarms (a CloudWatch alarm status widget naming each alarm's ARN)
 * below every other widget. The local page draws each alarm's state as the embedded cloud evaluated it, from the
 * record; the deployed dashboard is the program's alone, as CloudWatch shows alarms on their own page.
 */
export function withAlarmWidgets(body: string, alarmArns: readonly string[]): string {
  if (alarmArns.length === 0) return body;
  const parsed = JSON.parse(body) as { widgets: PlacedWidget[] };
  const bottom = Math.max(0, ...parsed.widgets.map((w) => (w.y ?? 0) + (w.height ?? 6)));
  const widgets = [
    {
      type: "text",
      x: 0,
      y: bottom,
      width: GRID_WIDTH,
      height: 1,
      properties: {
        markdown:
          "## Alarms (this machine only): the stack's alarms as the embedded cloud evaluates them, every second",
      },
    },
    {
      type: "alarm",
      x: 0,
      y: bottom + 1,
      width: GRID_WIDTH,
      height: Math.max(3, Math.ceil(alarmArns.length / 2) + 2),
      properties: { title: "Alarm states", alarms: [...alarmArns] },
    },
  ];
  return JSON.stringify({ ...parsed, widgets: [...parsed.widgets, ...widgets] });
}
