import { formatPreflightReport, PreflightRefusal, type PreflightReport, preflight } from "../controlplane";
import { isUnknown } from "./properties";
import type { LanguageHostStack } from "./synthesize";

/**
 * `npm run preview`'s verdict on a synthesized stack: what `pulumi preview` would create, the settings used and the
 * outputs, then the preflight. Pure but for `write`.
 */

export interface PreviewHeader {
  stack: string;
  stackFile: string;
  transpileOnly: boolean;
}

function show(value: unknown): string {
  if (isUnknown(value)) return "(known after `pulumi up`)";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Resources grouped by type: count and names, in the order the program first registered each type. */
function resourcesByType(stack: Pick<LanguageHostStack, "resources">): { type: string; names: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const { type, name } of stack.resources) groups.set(type, [...(groups.get(type) ?? []), name]);
  return [...groups].map(([type, names]) => ({ type, names }));
}

/**
 * Writes the preview, then refuses (PreflightRefusal, exit 1) a stack AWS or `pulumi up` would refuse, naming every
 * violation at once. A preview leaves ARNs unknown: the rules that need one are listed as not checked, and the
 * engine's property dependencies still tie a mapping to its queue and function.
 */
export function previewOrRefuse(stack: LanguageHostStack, header: PreviewHeader, write: (text: string) => void): void {
  const report = preflight(stack, { stackName: header.stack, isUnknown });
  write(formatPreview(stack, header, report));
  if (report.violations.length > 0) throw new PreflightRefusal(report);
}

function formatPreview(stack: LanguageHostStack, header: PreviewHeader, report: PreflightReport): string {
  const checking = header.transpileOnly ? "transpile-only, no type check" : "type-checked by ts-node";
  const lines = [
    `Local rehearsal of \`pulumi preview\` for stack "${header.stack}": the program ran in Pulumi's own Node language`,
    `host (@pulumi/pulumi/cmd/run, ${checking}) against an in-process engine. It is not a diff against a`,
    "deployed stack: no state or cloud account was read, so every resource is shown as a create.",
    "",
    `Settings (${header.stackFile}):`,
    ...Object.entries(stack.config).map(([key, value]) => `  ${key} = ${value}`),
    "",
    `Resources to create: ${stack.resources.length}`,
    ...resourcesByType(stack).map(({ type, names }) => `  + ${type} x${names.length}: ${names.join(", ")}`),
    "",
    "Outputs:",
    ...Object.entries(stack.outputs).map(([key, value]) => `  ${key}: ${show(value)}`),
  ];
  const warnings = stack.diagnostics.filter((d) => d.severity === "warning");
  if (warnings.length > 0) lines.push("", "Warnings:", ...warnings.map((w) => `  ${w.message.trim()}`));
  // Violations go to the refusal (stderr); here, that the rules were checked and which could not be.
  if (report.violations.length === 0) lines.push("", formatPreflightReport(report).trimEnd());
  lines.push("", `The program ran in ${(stack.durationMs / 1000).toFixed(1)} s.`);
  return `${lines.join("\n")}\n`;
}
