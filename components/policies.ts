/**
 * IAM and SQS policy documents as pure functions of ARNs, so the least-privilege rules can be read and tested
 * without Pulumi. Components wrap these in `pulumi.all(...).apply(...)`.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | Record<string, string | string[]>;
  Action: string | string[];
  /** Absent only in trust policies, which name a Principal instead. */
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/**
 * X-Ray's PutTraceSegments and PutTelemetryRecords do not support resource-level permissions (the IAM service
 * authorization reference lists no resource type for them), so "*" is the only Resource they accept. This is the
 * single documented exception to "every statement is scoped to this stack's ARNs", and the tests allow exactly it.
 */
export const XRAY_UNSCOPED_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"] as const;

/** What a desktop or CI producer needs to put vehicles on the queue, and nothing else. */
const PRODUCER_ACTIONS = ["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"] as const;

/**
 * What the Lambda event source mapping needs from the source queue (it polls with the function's role): exactly the
 * three the SQS developer guide lists for the execution role ("Configuring a queue to trigger a Lambda function").
 * No sqs:ChangeMessageVisibility: the handler never calls it and the mapping does not need it, since a failed record
 * comes back when its visibility timeout lapses.
 */
const CONSUMER_QUEUE_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"] as const;

export function lambdaAssumeRolePolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

/** Only sends (and the two read calls SDKs make before sending) on exactly one queue. */
export function producerPolicy(queueArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "SendVehicles", Effect: "Allow", Action: [...PRODUCER_ACTIONS], Resource: queueArn }],
  };
}

/** Queue access policy: refuse every request that does not arrive over TLS, whoever makes it. */
export function denyInsecureTransportPolicy(queueArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        // A Deny on every SQS action is the point here: no API call may travel over plain HTTP.
        Action: "sqs:*",
        Resource: queueArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/** The source queue's redrive policy: after maxReceiveCount failed receives a message moves to the DLQ. */
export function redrivePolicy(
  deadLetterQueueArn: string,
  maxReceiveCount: number,
): { deadLetterTargetArn: string; maxReceiveCount: number } {
  return { deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount };
}

/** The DLQ's redrive-allow policy: only our source queue may use it as a dead-letter queue. */
export function redriveAllowPolicy(sourceQueueArn: string): {
  redrivePermission: "byQueue";
  sourceQueueArns: string[];
} {
  return { redrivePermission: "byQueue", sourceQueueArns: [sourceQueueArn] };
}

export interface ConsumerResources {
  /** ARN of the function's own log group, as aws.cloudwatch.LogGroup exports it (no trailing ":*"). */
  logGroupArn: string;
  queueArn: string;
  deadLetterQueueArn: string;
  tableArn: string;
}

/** Log streams live under their group: "<group arn>:*" is the group's streams, not a wildcard over groups. */
export function logStreamsOf(logGroupArn: string): string {
  return `${logGroupArn.replace(/:\*$/, "")}:*`;
}

/** The consumer's one inline policy: each statement names one action group and this stack's resource for it. */
export function consumerPolicy(resources: ConsumerResources): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        // No logs:CreateLogGroup: the program creates the group, with retention, before the function exists.
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: logStreamsOf(resources.logGroupArn),
      },
      { Sid: "ConsumeSourceQueue", Effect: "Allow", Action: [...CONSUMER_QUEUE_ACTIONS], Resource: resources.queueArn },
      {
        Sid: "DeadLetterInvalidMessages",
        Effect: "Allow",
        Action: "sqs:SendMessage",
        Resource: resources.deadLetterQueueArn,
      },
      { Sid: "StoreVehicles", Effect: "Allow", Action: "dynamodb:PutItem", Resource: resources.tableArn },
      // See XRAY_UNSCOPED_ACTIONS: these two actions accept no resource but "*".
      { Sid: "UploadTraces", Effect: "Allow", Action: [...XRAY_UNSCOPED_ACTIONS], Resource: "*" },
    ],
  };
}
