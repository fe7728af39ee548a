import { UnknownOperationError, UnresolvableResourceError } from "./errors";
import type { Permission } from "./evaluate";

/**
 * Which IAM permissions an API call needs, as AWS authorizes it: by IAM action, not API name (SendMessageBatch is
 * authorized as sqs:SendMessage; IAM has no sqs:*Batch actions), on the resource ARN the request names.
 * Sources: the Amazon SQS API permissions reference and the service authorization references for SQS and DynamoDB.
 */

export type Service = "sqs" | "dynamodb";

/** Where resources live when the request does not say (a queue URL on localhost carries no region). */
export interface ResourceScope {
  region: string;
  accountId: string;
  /** Default `aws`. */
  partition?: string;
}

export interface PermissionOptions {
  /** CancelMessageMoveTask: the source queue ARN of a task handle, as the task registry knows it. */
  taskSource?: (taskHandle: string) => string | undefined;
  /** StartMessageMoveTask without DestinationArn: the queues whose redrive policy names the DLQ. */
  redriveSources?: (deadLetterQueueArn: string) => readonly string[];
}

type Input = Readonly<Record<string, unknown>>;

/** The service and operation an AWS JSON-protocol request names in X-Amz-Target, e.g. `AmazonSQS.SendMessage`. */
export function operationFromTarget(target: string): { service: Service; operation: string } | undefined {
  const match = /^(AmazonSQS|DynamoDB_\d{8})\.(\w+)$/.exec(target);
  if (!match) return undefined;
  return { service: match[1] === "AmazonSQS" ? "sqs" : "dynamodb", operation: match[2]! };
}

const partitionOf = (scope: ResourceScope) => scope.partition ?? "aws";

/** Operations on one queue named by QueueUrl, and the IAM action each is authorized as. */
const SQS_QUEUE_URL_ACTIONS: Readonly<Record<string, string>> = {
  SendMessage: "sqs:SendMessage",
  SendMessageBatch: "sqs:SendMessage",
  ReceiveMessage: "sqs:ReceiveMessage",
  DeleteMessage: "sqs:DeleteMessage",
  DeleteMessageBatch: "sqs:DeleteMessage",
  ChangeMessageVisibility: "sqs:ChangeMessageVisibility",
  ChangeMessageVisibilityBatch: "sqs:ChangeMessageVisibility",
  GetQueueAttributes: "sqs:GetQueueAttributes",
  SetQueueAttributes: "sqs:SetQueueAttributes",
  DeleteQueue: "sqs:DeleteQueue",
  PurgeQueue: "sqs:PurgeQueue",
  ListDeadLetterSourceQueues: "sqs:ListDeadLetterSourceQueues",
  ListQueueTags: "sqs:ListQueueTags",
  TagQueue: "sqs:TagQueue",
  UntagQueue: "sqs:UntagQueue",
  AddPermission: "sqs:AddPermission",
  RemovePermission: "sqs:RemovePermission",
};

function requireString(operation: string, input: Input, parameter: string): string {
  const value = input[parameter];
  if (typeof value !== "string" || value === "") throw new UnresolvableResourceError(operation, parameter, value);
  return value;
}

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` (or any host: fauxqs's) -> the queue's ARN. */
function queueArnFromUrl(operation: string, url: string, scope: ResourceScope): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UnresolvableResourceError(operation, "QueueUrl", url);
  }
  const [account, name, ...rest] = parsed.pathname.split("/").filter(Boolean);
  if (!account || !name || rest.length > 0) throw new UnresolvableResourceError(operation, "QueueUrl", url);
  const region =
    /^sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(parsed.hostname)?.[1] ??
    /^([a-z0-9-]+)\.queue\.amazonaws\.com/.exec(parsed.hostname)?.[1] ??
    scope.region;
  return `arn:${partitionOf(scope)}:sqs:${region}:${account}:${name}`;
}

const queueArnFromName = (name: string, scope: ResourceScope, account = scope.accountId) =>
  `arn:${partitionOf(scope)}:sqs:${scope.region}:${account}:${name}`;

function startMessageMoveTask(input: Input, options: PermissionOptions): Permission[] {
  const source = requireString("StartMessageMoveTask", input, "SourceArn");
  // The task reads from the DLQ and sends to the destination with the caller's permissions (SQS developer guide,
  // "Configure queue permissions for dead-letter queue redrive").
  const onSource = [
    "sqs:StartMessageMoveTask",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
  ].map((action) => ({ action, resource: source }));
  const destinations =
    typeof input.DestinationArn === "string" && input.DestinationArn !== ""
      ? [input.DestinationArn]
      : options.redriveSources?.(source);
  if (!destinations || destinations.length === 0)
    throw new UnresolvableResourceError("StartMessageMoveTask", "DestinationArn", input.DestinationArn);
  return [...onSource, ...destinations.map((resource) => ({ action: "sqs:SendMessage", resource }))];
}

function sqsPermissions(
  operation: string,
  input: Input,
  scope: ResourceScope,
  options: PermissionOptions,
): Permission[] {
  const byUrl = SQS_QUEUE_URL_ACTIONS[operation];
  if (byUrl)
    return [
      { action: byUrl, resource: queueArnFromUrl(operation, requireString(operation, input, "QueueUrl"), scope) },
    ];
  switch (operation) {
    case "ListQueues":
      // No resource-level permissions: only a statement with Resource "*" can allow it.
      return [{ action: "sqs:ListQueues", resource: "*" }];
    case "CreateQueue": {
      const resource = queueArnFromName(requireString(operation, input, "QueueName"), scope);
      const tags = input.tags ?? input.Tags;
      // Tagging at creation also needs sqs:TagQueue (CreateQueue API reference).
      const tagging = tags && typeof tags === "object" && Object.keys(tags).length > 0;
      return [{ action: "sqs:CreateQueue", resource }, ...(tagging ? [{ action: "sqs:TagQueue", resource }] : [])];
    }
    case "GetQueueUrl": {
      const owner = typeof input.QueueOwnerAWSAccountId === "string" ? input.QueueOwnerAWSAccountId : undefined;
      return [
        {
          action: "sqs:GetQueueUrl",
          resource: queueArnFromName(requireString(operation, input, "QueueName"), scope, owner),
        },
      ];
    }
    case "StartMessageMoveTask":
      return startMessageMoveTask(input, options);
    case "ListMessageMoveTasks":
      return [{ action: "sqs:ListMessageMoveTasks", resource: requireString(operation, input, "SourceArn") }];
    case "CancelMessageMoveTask": {
      const handle = requireString(operation, input, "TaskHandle");
      const source = options.taskSource?.(handle);
      if (!source) throw new UnresolvableResourceError(operation, "TaskHandle", handle);
      return [{ action: "sqs:CancelMessageMoveTask", resource: source }];
    }
    default:
      throw new UnknownOperationError("sqs", operation);
  }
}

/** Operations on one table named by TableName, authorized as `dynamodb:<Operation>`. */
const DYNAMODB_TABLE_OPERATIONS = new Set([
  "PutItem",
  "GetItem",
  "UpdateItem",
  "DeleteItem",
  "Query",
  "Scan",
  "DescribeTable",
  "CreateTable",
  "DeleteTable",
  "UpdateTable",
  "DescribeTimeToLive",
  "UpdateTimeToLive",
  "DescribeContinuousBackups",
  "UpdateContinuousBackups",
]);

/** Operations that take no resource: only Resource "*" allows them. */
const DYNAMODB_ACCOUNT_OPERATIONS = new Set(["ListTables", "DescribeLimits", "DescribeEndpoints"]);

/** TableName may be a name or (since 2024) a table ARN. */
function tableArn(name: string, scope: ResourceScope): string {
  return name.startsWith("arn:")
    ? name
    : `arn:${partitionOf(scope)}:dynamodb:${scope.region}:${scope.accountId}:table/${name}`;
}

/** TransactWriteItems is authorized per item, as the operation each item performs. */
const TRANSACT_WRITE_ACTIONS: Readonly<Record<string, string>> = {
  Put: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  ConditionCheck: "dynamodb:ConditionCheckItem",
};

function transactItems(operation: string, input: Input, scope: ResourceScope): Permission[] {
  const items = input.TransactItems;
  if (!Array.isArray(items) || items.length === 0)
    throw new UnresolvableResourceError(operation, "TransactItems", items);
  return items.flatMap((item: Record<string, { TableName?: unknown }>) =>
    Object.entries(item).map(([kind, body]) => {
      const action = operation === "TransactGetItems" ? "dynamodb:GetItem" : TRANSACT_WRITE_ACTIONS[kind];
      if (!action || typeof body?.TableName !== "string")
        throw new UnresolvableResourceError(operation, `TransactItems.${kind}.TableName`, body?.TableName);
      return { action, resource: tableArn(body.TableName, scope) };
    }),
  );
}

function dynamodbPermissions(operation: string, input: Input, scope: ResourceScope): Permission[] {
  if (DYNAMODB_TABLE_OPERATIONS.has(operation)) {
    const table = tableArn(requireString(operation, input, "TableName"), scope);
    const index = (operation === "Query" || operation === "Scan") && typeof input.IndexName === "string";
    return [{ action: `dynamodb:${operation}`, resource: index ? `${table}/index/${input.IndexName}` : table }];
  }
  if (DYNAMODB_ACCOUNT_OPERATIONS.has(operation)) return [{ action: `dynamodb:${operation}`, resource: "*" }];
  switch (operation) {
    case "BatchWriteItem":
    case "BatchGetItem": {
      // Every table of the batch must be allowed.
      const tables = input.RequestItems;
      if (!tables || typeof tables !== "object" || Object.keys(tables).length === 0)
        throw new UnresolvableResourceError(operation, "RequestItems", tables);
      return Object.keys(tables).map((name) => ({ action: `dynamodb:${operation}`, resource: tableArn(name, scope) }));
    }
    case "TransactWriteItems":
    case "TransactGetItems":
      return transactItems(operation, input, scope);
    case "TagResource":
    case "UntagResource":
    case "ListTagsOfResource":
      return [{ action: `dynamodb:${operation}`, resource: requireString(operation, input, "ResourceArn") }];
    default:
      throw new UnknownOperationError("dynamodb", operation);
  }
}

/**
 * The permissions one API call needs, duplicates removed, in the order AWS checks them as far as it is known.
 * Throws UnknownOperationError for an operation it does not know and UnresolvableResourceError when the request
 * lacks the parameter that names its resource.
 */
export function requiredPermissions(
  service: Service,
  operation: string,
  input: Input,
  scope: ResourceScope,
  options: PermissionOptions = {},
): Permission[] {
  const all =
    service === "sqs" ? sqsPermissions(operation, input, scope, options) : dynamodbPermissions(operation, input, scope);
  const seen = new Set<string>();
  return all.filter((p) => {
    const key = `${p.action} ${p.resource}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
