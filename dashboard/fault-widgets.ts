import { FAULT_METRICS } from "../contracts";
import { withSectionBelow } from "./section-below";

/**
 * The program's dashboard body with a row for the faults a local run injects (FaultsInjected, one line per kind),
 * below every other widget. Only the local page draws it: AWS has no such metric, and the deployed dashboard is
 * the program's alone.
 */
export function withFaultWidgets(body: string, kinds: readonly string[]): string {
  if (kinds.length === 0) return body;
  const perKind = (stat: string) =>
    kinds.map((kind) => [
      FAULT_METRICS.namespace,
      FAULT_METRICS.injected,
      FAULT_METRICS.kindDimension,
      kind,
      { stat, label: kind },
    ]);
  return withSectionBelow(
    body,
    `## Injected faults (${FAULT_METRICS.namespace}, this machine only): what --faults did, by kind`,
    (y) => [
      {
        type: "metric",
        x: 0,
        y,
        width: 16,
        height: 6,
        properties: { title: "Faults injected, by kind", view: "timeSeries", period: 60, metrics: perKind("Sum") },
      },
      {
        type: "metric",
        x: 16,
        y,
        width: 8,
        height: 6,
        properties: {
          title: "Faults injected in the run",
          view: "singleValue",
          period: 86_400,
          metrics: perKind("Sum"),
        },
      },
    ],
  );
}
