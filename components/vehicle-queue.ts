import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DLQ_RETENTION_SECONDS } from "../contracts";
import { denyInsecureTransportPolicy, producerPolicy, redriveAllowPolicy, redrivePolicy } from "./policies";

/**
 * Options of the vehicle queue. The three pipeline settings are named; every other aws.sqs.QueueArgs knob passes
 * through to the source queue (awsx style), except the ones this component owns so they cannot be set twice.
 */
export interface VehicleQueueArgs
  extends Omit<
    aws.sqs.QueueArgs,
    "redrivePolicy" | "redriveAllowPolicy" | "policy" | "visibilityTimeoutSeconds" | "messageRetentionSeconds"
  > {
  /** At least 6x the consumer's timeout (config.ts derives it), so a message is not redelivered while still being processed. */
  visibilityTimeoutSeconds: pulumi.Input<number>;
  messageRetentionSeconds: pulumi.Input<number>;
  /** Receives before a message is dead-lettered. */
  maxReceiveCount: pulumi.Input<number>;
}

/**
 * The queue vehicles arrive on, its dead-letter queue, their access policies, and the IAM policy a producer needs.
 * Both queues are encrypted with SQS-managed keys and refuse plain-HTTP requests.
 */
export class VehicleQueue extends pulumi.ComponentResource {
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  /** Attach to a user or role to let it send vehicles to this queue and nothing else. */
  readonly producerPolicy: aws.iam.Policy;
  readonly url: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  readonly deadLetterUrl: pulumi.Output<string>;
  readonly deadLetterArn: pulumi.Output<string>;
  readonly deadLetterName: pulumi.Output<string>;

  constructor(name: string, args: VehicleQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vehicle-pipeline:index:VehicleQueue", name, {}, opts);
    const { visibilityTimeoutSeconds, messageRetentionSeconds, maxReceiveCount, ...queueArgs } = args;

    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      {
        // SQS-managed SSE: encrypted at rest with no KMS key to manage and no KMS permissions for the consumer.
        sqsManagedSseEnabled: true,
        // The maximum, 14 days: a poison message's evidence outlives a long weekend. A message's age counts from its
        // first enqueue, so the DLQ must keep messages longer than the source queue does.
        messageRetentionSeconds: DLQ_RETENTION_SECONDS,
      },
      { parent: this },
    );

    this.queue = new aws.sqs.Queue(
      name,
      {
        ...queueArgs,
        sqsManagedSseEnabled: true,
        visibilityTimeoutSeconds,
        messageRetentionSeconds,
        // The redrive policy is a separate resource (below): the DLQ's redrive-allow names this queue's ARN, and this
        // queue's redrive names the DLQ's, so setting both inline on the queues would be a dependency cycle.
      },
      { parent: this },
    );

    linkRedrive(name, this.queue, this.deadLetterQueue, maxReceiveCount, this);
    denyInsecureTransport(name, this.queue, this.deadLetterQueue, this);

    this.producerPolicy = new aws.iam.Policy(
      `${name}-producer`,
      {
        description: "Send vehicle messages to the vehicle queue, and nothing else",
        policy: this.queue.arn.apply((arn) => JSON.stringify(producerPolicy(arn))),
      },
      { parent: this },
    );

    this.url = this.queue.url;
    this.arn = this.queue.arn;
    this.name = this.queue.name;
    this.deadLetterUrl = this.deadLetterQueue.url;
    this.deadLetterArn = this.deadLetterQueue.arn;
    this.deadLetterName = this.deadLetterQueue.name;
    this.registerOutputs({
      url: this.url,
      arn: this.arn,
      deadLetterUrl: this.deadLetterUrl,
      deadLetterArn: this.deadLetterArn,
      producerPolicyArn: this.producerPolicy.arn,
    });
  }
}

/** The source queue's redrive to the DLQ, and the DLQ's permission to receive from that queue alone. */
function linkRedrive(
  name: string,
  queue: aws.sqs.Queue,
  deadLetterQueue: aws.sqs.Queue,
  maxReceiveCount: VehicleQueueArgs["maxReceiveCount"],
  parent: pulumi.Resource,
): void {
  const allow = new aws.sqs.RedriveAllowPolicy(
    `${name}-dlq-redrive-allow`,
    {
      queueUrl: deadLetterQueue.url,
      // byQueue with only our source queue: no other queue in the account can dead-letter into (and pollute) it.
      redriveAllowPolicy: queue.arn.apply((arn) => JSON.stringify(redriveAllowPolicy(arn))),
    },
    { parent },
  );

  new aws.sqs.RedrivePolicy(
    `${name}-redrive`,
    {
      queueUrl: queue.url,
      // maxReceiveCount from config (default 5): AWS advises at least 5 for Lambda consumers, because throttled or
      // scaled-in pollers also count receives, and a lower value dead-letters healthy messages. Permanently invalid
      // messages do not wait for this: the consumer sends them to the DLQ on the first receive.
      redrivePolicy: pulumi
        .all([deadLetterQueue.arn, maxReceiveCount])
        .apply(([dlqArn, count]) => JSON.stringify(redrivePolicy(dlqArn, count))),
    },
    // SQS rejects a redrive policy that the DLQ's redrive-allow policy does not permit, so allow first.
    { parent, dependsOn: [allow] },
  );
}

function denyInsecureTransport(
  name: string,
  queue: aws.sqs.Queue,
  deadLetterQueue: aws.sqs.Queue,
  parent: pulumi.Resource,
): void {
  for (const [suffix, target] of [
    ["tls", queue],
    ["dlq-tls", deadLetterQueue],
  ] as const) {
    new aws.sqs.QueuePolicy(
      `${name}-${suffix}`,
      {
        queueUrl: target.url,
        policy: target.arn.apply((arn) => JSON.stringify(denyInsecureTransportPolicy(arn))),
      },
      { parent },
    );
  }
}
