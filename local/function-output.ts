/**
 * What a line of the function's stdout means, as CloudWatch would read it: an Embedded Metric Format document
 * (JSON with an `_aws` key) becomes metrics, any other JSON object is a structured log line, anything else is text.
 */
export interface EmfMetric {
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  unit: string;
  values: number[];
}

export type FunctionOutputLine =
  | { kind: "emf"; metrics: EmfMetric[]; document: Record<string, unknown> }
  | { kind: "log"; record: Record<string, unknown> }
  | { kind: "text"; message: string };

interface EmfDirective {
  Namespace?: string;
  Dimensions?: string[][];
  Metrics?: Array<{ Name: string; Unit?: string }>;
}

export function parseFunctionLine(line: string): FunctionOutputLine {
  const trimmed = line.trim();
  if (trimmed.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return { kind: "text", message: line };
    }
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      const document = parsed as Record<string, unknown>;
      const aws = document._aws as { CloudWatchMetrics?: EmfDirective[] } | undefined;
      if (aws && Array.isArray(aws.CloudWatchMetrics))
        return { kind: "emf", metrics: emfMetrics(document, aws.CloudWatchMetrics), document };
      return { kind: "log", record: document };
    }
  }
  return { kind: "text", message: line };
}

/** Expands an EMF document into one metric per (directive, dimension set, metric), the way CloudWatch does. */
function emfMetrics(document: Record<string, unknown>, directives: EmfDirective[]): EmfMetric[] {
  const out: EmfMetric[] = [];
  for (const directive of directives) {
    const namespace = directive.Namespace ?? "aws-embedded-metrics";
    // No dimension sets means one metric without dimensions.
    const sets = directive.Dimensions && directive.Dimensions.length > 0 ? directive.Dimensions : [[]];
    for (const set of sets) {
      const dimensions: Record<string, string> = {};
      for (const name of set) if (document[name] !== undefined) dimensions[name] = String(document[name]);
      for (const { Name, Unit } of directive.Metrics ?? []) {
        const raw = document[Name];
        const values = (Array.isArray(raw) ? raw : [raw]).map(Number).filter((v) => Number.isFinite(v));
        if (values.length === 0) continue;
        out.push({ namespace, metric: Name, dimensions, unit: Unit ?? "None", values });
      }
    }
  }
  return out;
}
