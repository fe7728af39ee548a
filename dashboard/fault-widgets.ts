import { FAULTS_DIMENSION, FAULTS_METRIC, FAULTS_NAMESPACE } from "../contracts";

/** CloudWatch's grid is 24 units wide. */
const GRID_WIDTH = 24;

interface PlacedWidget {
  y?: number;
  height?: number;
}

/**
 * The program's dashboard body with a row for the faults a local run injects (FaultsInjected, one line per kind),
 * below every other widget. Only the local page draws it: AWS has no such metric, and the deployed dashboard is
 * the program's alone.
 */
export function withFaultWidgets(body: string, kinds: readonly string[]): string {
  if (kinds.length === 0) return body;
  const parsed = JSON.parse(body) as { widgets: PlacedWidget[] };
  const bottom = Math.max(0, ...parsed.widgets.map((w) => (w.y ?? 0) + (w.height ?? 6)));
  const perKind = (stat: string) =>
    kinds.map((kind) => [FAULTS_NAMESPACE, FAULTS_METRIC, FAULTS_DIMENSION, kind, { stat, label: kind }]);
  const widgets = [
    {
      type: "text",
      x: 0,
      y: bottom,
      width: GRID_WIDTH,
      height: 1,
      properties: {
        markdown: `## Injected faults (${FAULTS_NAMESPACE}, this machine only): what --faults did, by kind`,
      },
    },
    {
      type: "metric",
      x: 0,
      y: bottom + 1,
      width: 16,
      height: 6,
      properties: { title: "Faults injected, by kind", view: "timeSeries", period: 60, metrics: perKind("Sum") },
    },
    {
      type: "metric",
      x: 16,
      y: bottom + 1,
      width: 8,
      height: 6,
      properties: { title: "Faults injected in the run", view: "singleValue", period: 86_400, metrics: perKind("Sum") },
    },
  ];
  return JSON.stringify({ ...parsed, widgets: [...parsed.widgets, ...widgets] });
}
