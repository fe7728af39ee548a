import type { SynthesizedStack } from "../../contracts";
import { checkAlarms } from "./alarms";
import { checkEventSourceMappings } from "./event-source-mapping";
import { checkFunctions } from "./lambda-function";
import { checkLogGroups } from "./log-groups";
import { checkPolicyGrammar } from "./policy-grammar";
import { checkQueues } from "./queues";
import { PreflightContext, type PreflightOptions, type PreflightReport } from "./report";

/**
 * Deploy-time validation of a synthesized stack: every rule AWS (or the AWS provider, at `pulumi preview`) would
 * refuse the stack for, found at once rather than one failed `pulumi up` at a time. Pure: reads the stack only.
 */
export function preflight(stack: SynthesizedStack, options: PreflightOptions): PreflightReport {
  const ctx = new PreflightContext(stack, options);
  checkPolicyGrammar(ctx);
  checkQueues(ctx);
  checkFunctions(ctx);
  checkEventSourceMappings(ctx);
  checkAlarms(ctx);
  checkLogGroups(ctx);
  return { violations: ctx.violations, unchecked: ctx.unchecked };
}
