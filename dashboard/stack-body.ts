/**
 * The dashboard body the program declares, taken from a synthesized stack (contracts/synthesized-stack.ts): the
 * `dashboardBody` input of its aws:cloudwatch/dashboard:Dashboard, with the same physical names the
 * embedded cloud deploys, so the local page and CloudWatch draw one definition.
 */

import { OperatorError } from "../contracts";

const DASHBOARD_TYPE = "aws:cloudwatch/dashboard:Dashboard";

export class NoDashboardError extends OperatorError {
  constructor(count: number) {
    super(
      count === 0
        ? `the stack declares no ${DASHBOARD_TYPE}: nothing for the local dashboard to draw`
        : `the stack declares ${count} dashboards; pass the one to draw as dashboardBody`,
    );
  }
}

export function dashboardBodyFromStack(stack: {
  resources: readonly { type: string; inputs: Record<string, unknown> }[];
}): string {
  const dashboards = stack.resources.filter((r) => r.type === DASHBOARD_TYPE);
  if (dashboards.length !== 1) throw new NoDashboardError(dashboards.length);
  const body = dashboards[0]!.inputs.dashboardBody;
  return typeof body === "string" ? body : JSON.stringify(body);
}
