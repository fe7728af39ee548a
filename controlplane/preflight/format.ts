import type { PreflightReport } from "./report";

/** Values as a reader wants them: strings as they are, long JSON (policies) shortened. */
function show(value: unknown): string {
  const text = typeof value === "string" ? value : value === undefined ? "(absent)" : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/**
 * The report as a readable block: one group of lines per violation (resource, field = value, rule, AWS's text),
 * then the rules that could not be checked. Ends with a newline.
 */
export function formatPreflightReport(report: PreflightReport): string {
  const { violations, unchecked } = report;
  const lines: string[] = [];
  lines.push(
    violations.length === 0
      ? "Preflight: no violations."
      : `Preflight: ${violations.length} violation${violations.length === 1 ? "" : "s"} AWS or \`pulumi up\` would refuse:`,
  );
  for (const v of violations) {
    lines.push(
      "",
      `  ${v.resource.type} "${v.resource.name}"`,
      `    ${v.field} = ${show(v.value)}`,
      `    rule: ${v.rule}`,
    );
    if (v.awsText) lines.push(`    AWS: ${v.awsText}`);
  }
  if (unchecked.length > 0) {
    lines.push("", `Not checked (${unchecked.length}):`);
    for (const u of unchecked) lines.push(`  ${u.resource.type} "${u.resource.name}" ${u.field}: ${u.reason}`);
  }
  return `${lines.join("\n")}\n`;
}
