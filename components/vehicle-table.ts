import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { VEHICLE_TABLE_KEY } from "../contracts";

const { partition: PARTITION_KEY, sort: SORT_KEY } = VEHICLE_TABLE_KEY;

export interface VehicleTableArgs
  extends Omit<
    aws.dynamodb.TableArgs,
    "hashKey" | "rangeKey" | "attributes" | "billingMode" | "deletionProtectionEnabled"
  > {
  /** From config: off on dev stacks so `pulumi destroy` works, on for any stack whose data matters. */
  deletionProtection: pulumi.Input<boolean>;
}

/**
 * The vehicle history table. Key design: partition `vehicleId`, sort `eventId`. One item per logical message (the
 * producer's eventId survives retries, so a redelivery hits the same key and the conditional put skips it), and since
 * eventId is a UUIDv7 (time-ordered), a Query on one vehicleId returns that vehicle's history in time order.
 */
export class VehicleTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: VehicleTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vehicle-pipeline:index:VehicleTable", name, {}, opts);
    const { deletionProtection, ...tableArgs } = args;

    this.table = new aws.dynamodb.Table(
      name,
      {
        // Point-in-time recovery: 35 days of continuous backups, so a bad deploy or bulk delete can be undone.
        pointInTimeRecovery: { enabled: true },
        // enabled=true moves from the AWS-owned key to the AWS-managed KMS key (aws/dynamodb): key use shows in
        // CloudTrail. Data is encrypted at rest either way; the consumer needs no KMS permission for the managed key.
        serverSideEncryption: { enabled: true },
        ...tableArgs,
        // On-demand: the load is bursty (load tests, backlogs), and provisioned capacity would throttle or sit idle.
        billingMode: "PAY_PER_REQUEST",
        hashKey: PARTITION_KEY,
        rangeKey: SORT_KEY,
        attributes: [
          { name: PARTITION_KEY, type: "S" },
          { name: SORT_KEY, type: "S" },
        ],
        deletionProtectionEnabled: deletionProtection,
      },
      { parent: this },
    );

    this.name = this.table.name;
    this.arn = this.table.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
