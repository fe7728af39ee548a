import { OperatorError, type SynthesizedStack } from "../../contracts";
import { formatPreflightReport } from "./format";
import { preflight } from "./preflight";
import type { PreflightOptions, PreflightReport } from "./report";

/**
 * A stack AWS or `pulumi up` would refuse. The message lists every violation at once (resource, field, value, rule,
 * AWS's text), where `pulumi up` would stop at the first resource AWS refuses.
 */
export class PreflightRefusal extends OperatorError {
  constructor(readonly report: PreflightReport) {
    super(formatPreflightReport(report).trimEnd(), "fix the program or its stack settings; nothing was deployed");
  }
}

/** The preflight, throwing PreflightRefusal when the stack breaks any rule; the report (its unchecked rules) otherwise. */
export function requireDeployable(stack: SynthesizedStack, options: PreflightOptions): PreflightReport {
  const report = preflight(stack, options);
  if (report.violations.length > 0) throw new PreflightRefusal(report);
  return report;
}
