import { resourcesOf, TYPES } from "../stack/lookup";
import type { PreflightContext } from "./report";

/**
 * CloudWatch Logs retention: AWS's fixed list of day counts, as the AWS provider documents retentionInDays;
 * the provider also takes 0 for "never expire" (it then sets no retention policy).
 */
const RETENTION_DAYS = new Set([
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);

export function checkLogGroups(ctx: PreflightContext): void {
  for (const group of resourcesOf(ctx.stack, TYPES.logGroup)) {
    const days: unknown = group.inputs.retentionInDays;
    if (days === undefined || !ctx.known(group, "retentionInDays", days)) continue;
    if (!RETENTION_DAYS.has(days as number))
      ctx.violation(
        group,
        "retentionInDays",
        days,
        `retentionInDays is one of CloudWatch Logs' periods: ${[...RETENTION_DAYS].filter((d) => d > 0).join(", ")} (or 0, never expire)`,
      );
  }
}
