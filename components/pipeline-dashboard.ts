import type * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { type DashboardTargets, dashboardConsoleUrl, pipelineDashboardRows, traceMapUrl } from "./dashboard-widgets";

export interface PipelineDashboardArgs extends DashboardTargets {
  /** The region the stack deploys to: the widgets query it and the console URLs point at it. */
  region: pulumi.Input<string>;
  /**
   * Dashboard names are unique per account and region and are not auto-suffixed, so the default carries the
   * stack: `<component name>-<stack>`.
   */
  dashboardName?: pulumi.Input<string>;
}

/**
 * The pipeline's CloudWatch dashboard (SQS, Lambda, DynamoDB and the consumer's EMF metrics; see dashboard-widgets.ts),
 * with the console links a user needs after `pulumi up`: the dashboard itself and the X-Ray trace map.
 */
export class PipelineDashboard extends pulumi.ComponentResource {
  readonly dashboard: awsx.classic.cloudwatch.Dashboard;
  readonly dashboardName: pulumi.Output<string>;
  readonly dashboardUrl: pulumi.Output<string>;
  readonly traceMapUrl: pulumi.Output<string>;

  constructor(name: string, args: PipelineDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vehicle-pipeline:observability:PipelineDashboard", name, {}, opts);
    const { region, dashboardName, ...targets } = args;

    this.dashboard = new awsx.classic.cloudwatch.Dashboard(
      name,
      {
        name: dashboardName ?? `${name}-${pulumi.getStack()}`,
        region: region as pulumi.Input<aws.Region>,
        widgets: pipelineDashboardRows(targets),
      },
      { parent: this },
    );

    this.dashboardName = this.dashboard.dashboardName;
    this.dashboardUrl = pulumi.all([region, this.dashboard.dashboardName]).apply(([r, n]) => dashboardConsoleUrl(r, n));
    this.traceMapUrl = pulumi.output(region).apply(traceMapUrl);
    this.registerOutputs({
      dashboardName: this.dashboardName,
      dashboardUrl: this.dashboardUrl,
      traceMapUrl: this.traceMapUrl,
    });
  }
}
