import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { CONSUMER_NAMESPACE, CONSUMER_SERVICE_NAME, PROJECT_ROOT } from "../contracts";
import { consumerCodePathOptions, installedPackages } from "./consumer-archive";
import { consumerPolicy, lambdaAssumeRolePolicy } from "./policies";

export interface MonitoredFunctionArgs {
  /**
   * Builds the SQS handler once per cold start: Pulumi serializes it, with what it captures, into the archive's
   * `__index.js`. Clients, schema and logger must be built inside it, as serializeFunction requires.
   */
  callbackFactory: aws.lambda.CallbackFactory<SQSEvent, SQSBatchResponse>;
  /** Physical function name; also names the log group `/aws/lambda/<functionName>`. */
  functionName: pulumi.Input<string>;
  source: { arn: pulumi.Input<string>; url: pulumi.Input<string> };
  deadLetter: { arn: pulumi.Input<string>; url: pulumi.Input<string> };
  table: { arn: pulumi.Input<string>; name: pulumi.Input<string> };
  memorySizeMb: pulumi.Input<number>;
  /** Lambda's instruction set: "arm64" or "x86_64" (contracts/settings.ts says why arm64 is the default). */
  architecture: pulumi.Input<string>;
  timeoutSeconds: pulumi.Input<number>;
  logRetentionDays: pulumi.Input<number>;
  batchSize: pulumi.Input<number>;
  batchingWindowSeconds: pulumi.Input<number>;
  maxConcurrency: pulumi.Input<number>;
  /**
   * Powertools log level (LOG_LEVEL). INFO: invalid, duplicate and failed records and one summary per batch; DEBUG
   * adds a line per stored record. No level logs a message body.
   */
  logLevel: pulumi.Input<string>;
}

/**
 * The vehicle consumer: a CallbackFunction fed by the queue through an explicit event source mapping, with its own
 * least-privilege role, its own log group with retention, and X-Ray tracing.
 */
export class MonitoredFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.CallbackFunction<SQSEvent, SQSBatchResponse>;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly eventSourceMapping: aws.lambda.EventSourceMapping;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: MonitoredFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vehicle-pipeline:index:MonitoredFunction", name, {}, opts);

    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        // The name Lambda would pick: created here first so it has a retention (Lambda's own would keep logs forever).
        name: pulumi.interpolate`/aws/lambda/${args.functionName}`,
        retentionInDays: args.logRetentionDays,
      },
      { parent: this },
    );

    const { role, rolePolicy } = consumerRole(name, args, this.logGroup, this);
    this.role = role;
    this.function = consumerFunction(name, args, { role, rolePolicy, logGroup: this.logGroup }, this);
    this.eventSourceMapping = sourceMapping(name, args, this.function, rolePolicy, this);

    this.name = this.function.name;
    this.arn = this.function.arn;
    this.registerOutputs({ name: this.name, arn: this.arn, logGroupName: this.logGroup.name, roleArn: this.role.arn });
  }
}

function consumerRole(
  name: string,
  args: MonitoredFunctionArgs,
  logGroup: aws.cloudwatch.LogGroup,
  parent: pulumi.Resource,
): { role: aws.iam.Role; rolePolicy: aws.iam.RolePolicy } {
  // An explicit role: without one, CallbackFunction attaches nine *FullAccess managed policies.
  const role = new aws.iam.Role(
    `${name}-role`,
    {
      assumeRolePolicy: JSON.stringify(lambdaAssumeRolePolicy()),
      description: "Vehicle consumer: least privilege, one inline policy",
    },
    { parent },
  );

  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-policy`,
    {
      role: role.id,
      policy: pulumi
        .all([logGroup.arn, args.source.arn, args.deadLetter.arn, args.table.arn])
        .apply(([logGroupArn, queueArn, deadLetterQueueArn, tableArn]) =>
          JSON.stringify(consumerPolicy({ logGroupArn, queueArn, deadLetterQueueArn, tableArn })),
        ),
    },
    { parent },
  );
  return { role, rolePolicy };
}

function consumerFunction(
  name: string,
  args: MonitoredFunctionArgs,
  {
    role,
    rolePolicy,
    logGroup,
  }: { role: aws.iam.Role; rolePolicy: aws.iam.RolePolicy; logGroup: aws.cloudwatch.LogGroup },
  parent: pulumi.Resource,
): aws.lambda.CallbackFunction<SQSEvent, SQSBatchResponse> {
  return new aws.lambda.CallbackFunction(
    name,
    {
      // Named explicitly so the log group above is the one Lambda writes to. Engine note: a replacement (rare: name
      // or package type change) must delete first, because the new function cannot take the old one's name.
      name: args.functionName,
      role,
      // The runtime provides AWS SDK v3; pinned rather than left to the provider's default so upgrades are explicit.
      runtime: aws.lambda.Runtime.NodeJS22dX,
      memorySize: args.memorySizeMb,
      // The archive has no native code, so either architecture runs it unchanged; arm64 costs less per GB-second.
      architectures: [args.architecture],
      timeout: args.timeoutSeconds,
      // Active: Lambda samples and starts traces itself; the Powertools Tracer adds subsegments for SDK calls.
      tracingConfig: { mode: "Active" },
      // Text (the default) keeps Powertools' JSON lines as they are; the explicit logGroup ties the function to ours.
      loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
      environment: {
        variables: {
          TABLE_NAME: args.table.name,
          DLQ_URL: args.deadLetter.url,
          SOURCE_QUEUE_URL: args.source.url,
          POWERTOOLS_SERVICE_NAME: CONSUMER_SERVICE_NAME,
          POWERTOOLS_METRICS_NAMESPACE: CONSUMER_NAMESPACE,
          LOG_LEVEL: args.logLevel,
        },
      },
      callbackFactory: args.callbackFactory,
      // Keeps the archive to what the function loads (6.1 MB zipped without this): see consumer-archive.ts. Engine
      // note: Pulumi resolves these paths from the working directory, which `pulumi up` sets to the project root.
      codePathOptions: consumerCodePathOptions(installedPackages(PROJECT_ROOT)),
    },
    // The role must hold its permissions before Lambda validates the tracing config and the mapping polls.
    { parent, dependsOn: [rolePolicy, logGroup], deleteBeforeReplace: true },
  );
}

function sourceMapping(
  name: string,
  args: MonitoredFunctionArgs,
  fn: aws.lambda.CallbackFunction<SQSEvent, SQSBatchResponse>,
  rolePolicy: aws.iam.RolePolicy,
  parent: pulumi.Resource,
): aws.lambda.EventSourceMapping {
  return new aws.lambda.EventSourceMapping(
    `${name}-source`,
    {
      eventSourceArn: args.source.arn,
      functionName: fn.arn,
      batchSize: args.batchSize,
      // 0 favours latency; config requires at least 1 when batchSize is above 10 (Lambda's rule for standard queues).
      maximumBatchingWindowInSeconds: args.batchingWindowSeconds,
      // Caps concurrent invocations from this queue so a backlog cannot take the account's concurrency or the table.
      scalingConfig: { maximumConcurrency: args.maxConcurrency },
      // Partial batch responses: only the failed messages return to the queue, not the whole batch.
      functionResponseTypes: ["ReportBatchItemFailures"],
    },
    // Lambda checks the role can receive from the queue when the mapping is created.
    { parent, dependsOn: [rolePolicy] },
  );
}
