import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, SetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import {
  LOCAL_ACCOUNT_ID,
  localEnvironment,
  OperatorError,
  type PlainValues,
  type SynthesizedResource,
  type SynthesizedStack,
} from "../contracts";
import type { EventSourceMappingConfig } from "./event-source-mapping";
import type { LocalFunction } from "./execution-environment";

/**
 * "pulumi up" against the emulators: every resource of the synthesized stack that the embedded cloud can run is
 * created from its declared inputs (nothing is restated here), references between resources (the ids, ARNs and URLs
 * the engine answered with, as the AWS provider would) are rewritten to the emulators' own, and every other resource
 * is listed with the reason it is not emulated.
 */
const TYPES = {
  queue: "aws:sqs/queue:Queue",
  redrivePolicy: "aws:sqs/redrivePolicy:RedrivePolicy",
  table: "aws:dynamodb/table:Table",
  function: "aws:lambda/function:Function",
  eventSourceMapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
} as const;

/** Why a declared resource does nothing on the laptop. Types not listed get "no local emulator for this type". */
const NOT_EMULATED_REASONS: Record<string, string> = {
  "aws:iam/role:Role": "IAM is not enforced by the emulators: the function runs with test credentials",
  "aws:iam/rolePolicy:RolePolicy": "IAM is not enforced by the emulators",
  "aws:iam/policy:Policy": "IAM is not enforced by the emulators",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM is not enforced by the emulators",
  "aws:cloudwatch/logGroup:LogGroup": "function logs go to .local/runs/<run>/logs.jsonl instead",
  "aws:cloudwatch/dashboard:Dashboard": "drawn by the local dashboard from the per-second record instead",
  "aws:cloudwatch/metricAlarm:MetricAlarm": "no alarm evaluation locally; the record has the metrics the alarm watches",
  "aws:cloudwatch/queryDefinition:QueryDefinition": "no Logs Insights locally; logs.jsonl holds the lines",
  "aws:sns/topic:Topic": "no SNS locally: nothing publishes alarms",
  "aws:sns/topicSubscription:TopicSubscription": "no SNS locally",
  "aws:sqs/queuePolicy:QueuePolicy":
    "fauxqs does not enforce queue policies (the TLS-only deny would block plain-HTTP localhost anyway)",
  "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy":
    "fauxqs does not implement RedriveAllowPolicy; the redrive policy itself is applied",
};

export interface DeployedQueue {
  logicalName: string;
  name: string;
  url: string;
  arn: string;
  /** Attributes as created in fauxqs. */
  attributes: Record<string, string>;
}

export interface DeployedTable {
  logicalName: string;
  name: string;
  arn: string;
}

export interface DeployedMapping {
  logicalName: string;
  functionName: string;
  config: EventSourceMappingConfig;
}

export interface ResourceReport {
  type: string;
  name: string;
  status: "emulated" | "not emulated" | "component";
  detail: string;
}

export interface DeployedStack {
  queues: DeployedQueue[];
  tables: DeployedTable[];
  functions: LocalFunction[];
  mappings: DeployedMapping[];
  /** Stack outputs with the engine's URLs and ARNs replaced by the emulators'. */
  outputs: Record<string, unknown>;
  resources: ResourceReport[];
}

export interface DeployTarget {
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  region: string;
  endpoints: { sqs: string; dynamodb: string };
  /** Where function code is written, a folder per function; inside the repository, so `require` finds node_modules. */
  codeRoot: string;
}

/** A declared value the embedded cloud cannot honour, or a reference it cannot resolve. */
class DeployError extends OperatorError {
  constructor(resource: Pick<SynthesizedResource, "type" | "name">, why: string) {
    super(`cannot deploy ${resource.type} "${resource.name}": ${why}`);
  }
}

/** Maps every identifier the engine gave a resource (URL, ARN, id) to the emulator's, inside any string. */
class References {
  private readonly map = new Map<string, string>();
  add(from: unknown, to: string): void {
    if (typeof from === "string" && from !== "" && from !== to) this.map.set(from, to);
  }
  resolve(value: string): string {
    const exact = this.map.get(value);
    if (exact !== undefined) return exact;
    let out = value;
    // Longest first, so a queue URL is not half-rewritten by its queue name's ARN prefix.
    for (const from of [...this.map.keys()].sort((a, b) => b.length - a.length))
      if (out.includes(from)) out = out.split(from).join(this.map.get(from)!);
    return out;
  }
  deep<T>(value: T): T {
    if (typeof value === "string") return this.resolve(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.deep(v)) as T;
    if (value && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.deep(v)])) as T;
    return value;
  }
}

const physicalName = (r: SynthesizedResource): string => String(r.state.name ?? r.inputs.name ?? r.name);

/** The queue attributes the program declares, in SQS's attribute names. */
export function queueAttributes(inputs: PlainValues): Record<string, string> {
  const attributes: Record<string, string> = {};
  const set = (name: string, value: unknown) => {
    if (value !== undefined && value !== null) attributes[name] = String(value);
  };
  set("VisibilityTimeout", inputs.visibilityTimeoutSeconds);
  set("MessageRetentionPeriod", inputs.messageRetentionSeconds);
  set("MaximumMessageSize", inputs.maxMessageSize);
  set("DelaySeconds", inputs.delaySeconds);
  set("ReceiveMessageWaitTimeSeconds", inputs.receiveWaitTimeSeconds);
  if (inputs.fifoQueue) set("FifoQueue", "true");
  if (inputs.contentBasedDeduplication) set("ContentBasedDeduplication", "true");
  return attributes;
}

/** Environment variables the Lambda service sets for every function, aimed at the emulators. */
function runtimeEnvironment(
  fn: { name: string; memorySizeMb: number; handler: string; codeDir: string },
  target: Pick<DeployTarget, "region" | "endpoints">,
): Record<string, string> {
  return {
    // How the same artifact reaches the emulators: SDK v3 honours service-specific endpoint variables.
    ...localEnvironment(target.endpoints, target.region),
    AWS_SESSION_TOKEN: "test",
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${fn.name}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    LAMBDA_TASK_ROOT: fn.codeDir,
    _HANDLER: fn.handler,
    // No X-Ray daemon here: the X-Ray SDK logs and carries on instead of throwing. AWS_EXECUTION_ENV stays unset,
    // so Powertools Tracer sees it is not in Lambda and does not trace (X-Ray is not emulated).
    AWS_XRAY_CONTEXT_MISSING: "IGNORE_ERROR",
    TZ: "UTC",
    NODE_OPTIONS: "",
    // Lambda runs Node 22; the laptop may run Node 20, where the SDK prints an end-of-support notice per environment.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/** What each step of deployStack reads and adds to: references to rewrite, reports, what is deployed so far. */
interface DeployContext {
  stack: SynthesizedStack;
  target: DeployTarget;
  refs: References;
  reports: ResourceReport[];
  byType: (type: string) => SynthesizedResource[];
  queues: DeployedQueue[];
  tables: DeployedTable[];
  functions: LocalFunction[];
  mappings: DeployedMapping[];
}

/** Applies the stack to the emulators. Safe to re-run against persisted DynamoDB data (existing tables are kept). */
export async function deployStack(stack: SynthesizedStack, target: DeployTarget): Promise<DeployedStack> {
  const ctx: DeployContext = {
    stack,
    target,
    refs: new References(),
    reports: [],
    byType: (type) => stack.resources.filter((r) => r.type === type),
    queues: [],
    tables: [],
    functions: [],
    mappings: [],
  };
  // Queues first (without redrive), so every ARN a redrive policy names exists when it is set.
  await deployQueues(ctx);
  await setRedrivePolicies(ctx);
  await deployTables(ctx);
  deployFunctions(ctx);
  // Environment variables last: they reference queues and tables by the engine's names (DLQ_URL, TABLE_NAME).
  setFunctionEnvironments(ctx);
  deployMappings(ctx);
  reportOtherResources(ctx);
  const { queues, tables, functions, mappings, refs, reports } = ctx;
  return { queues, tables, functions, mappings, outputs: refs.deep(stack.outputs), resources: reports };
}

async function deployQueues(ctx: DeployContext): Promise<void> {
  const { refs, reports, byType, target, queues } = ctx;
  for (const r of byType(TYPES.queue)) {
    const name = physicalName(r);
    const attributes = queueAttributes(r.inputs);
    const { QueueUrl } = await target.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!QueueUrl) throw new DeployError(r, "fauxqs returned no queue URL");
    const arn = `arn:aws:sqs:${target.region}:${LOCAL_ACCOUNT_ID}:${name}`;
    for (const from of [r.state.url, r.id, r.state.id]) refs.add(from, QueueUrl);
    refs.add(r.state.arn, arn);
    queues.push({ logicalName: r.name, name, url: QueueUrl, arn, attributes });
    const notes = [
      r.inputs.sqsManagedSseEnabled ? "SSE not emulated" : "",
      r.inputs.policy ? "policy not enforced" : "",
    ].filter(Boolean);
    reports.push({
      type: r.type,
      name,
      status: "emulated",
      detail: `fauxqs queue ${QueueUrl} ${JSON.stringify(attributes)}${notes.length ? ` (${notes.join(", ")})` : ""}`,
    });
  }
}

async function setRedrivePolicies(ctx: DeployContext): Promise<void> {
  const { refs, reports, byType, target, queues } = ctx;
  const queueByUrl = (url: string) => queues.find((q) => q.url === url);
  const setRedrive = async (r: SynthesizedResource, queueUrl: string, policy: unknown) => {
    const text = refs.resolve(typeof policy === "string" ? policy : JSON.stringify(policy));
    const target_ = (JSON.parse(text) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
    if (!queues.some((q) => q.arn === target_))
      throw new DeployError(r, `its redrive policy names ${target_}, which is not a queue of this stack`);
    await target.sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { RedrivePolicy: text } }));
    const queue = queueByUrl(queueUrl);
    if (queue) queue.attributes.RedrivePolicy = text;
    return text;
  };
  for (const r of byType(TYPES.queue)) {
    if (!r.inputs.redrivePolicy) continue;
    const url = refs.resolve(String(r.state.url ?? r.id));
    await setRedrive(r, url, r.inputs.redrivePolicy);
  }
  for (const r of byType(TYPES.redrivePolicy)) {
    const url = refs.resolve(String(r.inputs.queueUrl));
    if (!queueByUrl(url)) throw new DeployError(r, `queueUrl ${r.inputs.queueUrl} is not a queue of this stack`);
    const text = await setRedrive(r, url, r.inputs.redrivePolicy);
    reports.push({ type: r.type, name: r.name, status: "emulated", detail: `RedrivePolicy ${text} on ${url}` });
  }
}

async function deployTables(ctx: DeployContext): Promise<void> {
  const { refs, reports, byType, target, tables } = ctx;
  for (const r of byType(TYPES.table)) {
    const name = physicalName(r);
    await createTable(target.dynamo, r, name);
    const arn = `arn:aws:dynamodb:${target.region}:${LOCAL_ACCOUNT_ID}:table/${name}`;
    refs.add(r.state.arn, arn);
    tables.push({ logicalName: r.name, name, arn });
    const notes = ["pointInTimeRecovery", "serverSideEncryption", "deletionProtectionEnabled", "ttl"].filter(
      (k) => r.inputs[k] !== undefined,
    );
    reports.push({
      type: r.type,
      name,
      status: "emulated",
      detail:
        `dynalite table, keys ${r.inputs.hashKey}${r.inputs.rangeKey ? `+${r.inputs.rangeKey}` : ""}, ` +
        `${r.inputs.billingMode ?? "PROVISIONED"}${notes.length ? ` (not emulated: ${notes.join(", ")})` : ""}`,
    });
  }
}

function deployFunctions(ctx: DeployContext): void {
  const { refs, reports, byType, target, functions } = ctx;
  for (const r of byType(TYPES.function)) {
    const name = physicalName(r);
    const code = r.inputs.code as { indexJs?: string } | undefined;
    if (!code?.indexJs)
      throw new DeployError(
        r,
        "its code has no serialized __index.js (only CallbackFunction archives can run locally)",
      );
    const handler = String(r.inputs.handler ?? "__index.handler");
    const moduleName = handler.slice(0, handler.lastIndexOf("."));
    const codeDir = join(target.codeRoot, name);
    mkdirSync(codeDir, { recursive: true });
    const codePath = join(codeDir, `${moduleName}.js`);
    writeFileSync(codePath, code.indexJs);
    const arn = `arn:aws:lambda:${target.region}:${LOCAL_ACCOUNT_ID}:function:${name}`;
    for (const from of [r.state.arn, r.state.qualifiedArn, r.id])
      refs.add(from, from === r.state.qualifiedArn ? `${arn}:$LATEST` : from === r.id ? name : arn);
    const fn = {
      name,
      arn,
      codePath,
      handler,
      // Lambda's defaults when the program leaves them out.
      timeoutSeconds: Number(r.inputs.timeout ?? 3),
      memorySizeMb: Number(r.inputs.memorySize ?? 128),
      environment: {} as Record<string, string>,
    };
    functions.push(fn);
    const notes = [
      r.inputs.tracingConfig ? "X-Ray tracing" : "",
      r.inputs.role ? "role" : "",
      r.inputs.runtime ? `runtime ${r.inputs.runtime} (runs on local Node ${process.versions.node})` : "",
    ].filter(Boolean);
    reports.push({
      type: r.type,
      name,
      status: "emulated",
      detail: `worker threads running ${codePath}, timeout ${fn.timeoutSeconds} s, memory ${fn.memorySizeMb} MB (not emulated: ${notes.join(", ")})`,
    });
  }
}

function setFunctionEnvironments(ctx: DeployContext): void {
  const { refs, byType, target, functions } = ctx;
  for (const fn of functions) {
    const r = byType(TYPES.function).find((x) => physicalName(x) === fn.name)!;
    const declared = refs.deep((r.inputs.environment?.variables ?? {}) as Record<string, unknown>);
    fn.environment = {
      ...runtimeEnvironment(
        {
          name: fn.name,
          memorySizeMb: fn.memorySizeMb,
          handler: fn.handler,
          codeDir: join(target.codeRoot, fn.name),
        },
        target,
      ),
      ...Object.fromEntries(Object.entries(declared).map(([k, v]) => [k, String(v)])),
    };
  }
}

function deployMappings(ctx: DeployContext): void {
  const { refs, reports, byType, target, queues, functions } = ctx;
  const { mappings } = ctx;
  for (const r of byType(TYPES.eventSourceMapping)) {
    const sourceArn = refs.resolve(String(r.inputs.eventSourceArn));
    const queue = queues.find((q) => q.arn === sourceArn);
    if (!queue)
      throw new DeployError(
        r,
        `eventSourceArn ${r.inputs.eventSourceArn} is not an SQS queue of this stack (only SQS sources are emulated)`,
      );
    const fnRef = refs.resolve(String(r.inputs.functionName));
    const fn = functions.find((f) => f.name === fnRef || f.arn === fnRef || `${f.arn}:$LATEST` === fnRef);
    if (!fn) throw new DeployError(r, `functionName ${r.inputs.functionName} is not a function of this stack`);
    const config: EventSourceMappingConfig = {
      uuid: String(r.state.uuid ?? r.id),
      queueUrl: queue.url,
      queueArn: queue.arn,
      region: target.region,
      // Lambda's defaults for SQS when the program leaves them out.
      batchSize: Number(r.inputs.batchSize ?? 10),
      batchingWindowSeconds: Number(r.inputs.maximumBatchingWindowInSeconds ?? 0),
      maximumConcurrency: Number(r.inputs.scalingConfig?.maximumConcurrency ?? 1000),
      reportBatchItemFailures:
        Array.isArray(r.inputs.functionResponseTypes) &&
        r.inputs.functionResponseTypes.includes("ReportBatchItemFailures"),
      enabled: r.inputs.enabled !== false,
    };
    mappings.push({ logicalName: r.name, functionName: fn.name, config });
    reports.push({
      type: r.type,
      name: r.name,
      status: "emulated",
      detail:
        `${queue.name} -> ${fn.name}: batchSize ${config.batchSize}, window ` +
        `${config.batchingWindowSeconds} s, maximumConcurrency ${config.maximumConcurrency}, ` +
        `${config.reportBatchItemFailures ? "ReportBatchItemFailures" : "whole-batch responses"}`,
    });
  }
}

function reportOtherResources(ctx: DeployContext): void {
  const { stack, reports } = ctx;
  const handled = new Set<string>(Object.values(TYPES));
  for (const r of stack.resources) {
    if (handled.has(r.type)) continue;
    const isComponent = !r.type.startsWith("aws:") && !r.type.startsWith("pulumi:providers:");
    reports.push({
      type: r.type,
      name: r.name,
      status: isComponent ? "component" : "not emulated",
      detail: isComponent
        ? "component resource: groups the resources below it"
        : (NOT_EMULATED_REASONS[r.type] ?? "no local emulator for this resource type"),
    });
  }
}

async function createTable(dynamo: DynamoDBClient, r: SynthesizedResource, name: string): Promise<void> {
  const inputs = r.inputs;
  if (!inputs.hashKey) throw new DeployError(r, "it declares no hashKey");
  const keySchema: { AttributeName: string; KeyType: "HASH" | "RANGE" }[] = [
    { AttributeName: String(inputs.hashKey), KeyType: "HASH" },
  ];
  if (inputs.rangeKey) keySchema.push({ AttributeName: String(inputs.rangeKey), KeyType: "RANGE" as const });
  try {
    const existing = await dynamo.send(new DescribeTableCommand({ TableName: name }));
    // Kept from a --persist run: fine if the keys match, an error otherwise (the data would not fit the program).
    const keys = (existing.Table?.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(",");
    const wanted = keySchema.map((k) => `${k.AttributeName}:${k.KeyType}`).join(",");
    if (keys !== wanted)
      throw new DeployError(
        r,
        `a persisted table ${name} has keys ${keys}, the program declares ${wanted}; delete .local/dynamodb`,
      );
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const payPerRequest = inputs.billingMode === "PAY_PER_REQUEST";
  const indexes = (list: PlainValues[] | undefined, local: boolean) =>
    list?.map((index) => ({
      IndexName: String(index.name),
      KeySchema: [
        { AttributeName: String(index.hashKey ?? inputs.hashKey), KeyType: "HASH" as const },
        ...(index.rangeKey ? [{ AttributeName: String(index.rangeKey), KeyType: "RANGE" as const }] : []),
      ],
      Projection: {
        ProjectionType: index.projectionType ?? "ALL",
        ...(index.nonKeyAttributes ? { NonKeyAttributes: index.nonKeyAttributes } : {}),
      },
      ...(!local && !payPerRequest
        ? {
            ProvisionedThroughput: {
              ReadCapacityUnits: Number(index.readCapacity ?? 5),
              WriteCapacityUnits: Number(index.writeCapacity ?? 5),
            },
          }
        : {}),
    }));
  await dynamo.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: (inputs.attributes ?? []).map((a: { name: string; type: string }) => ({
        AttributeName: a.name,
        AttributeType: a.type as "S" | "N" | "B",
      })),
      KeySchema: keySchema,
      BillingMode: payPerRequest ? "PAY_PER_REQUEST" : "PROVISIONED",
      ...(payPerRequest
        ? {}
        : {
            ProvisionedThroughput: {
              ReadCapacityUnits: Number(inputs.readCapacity ?? 5),
              WriteCapacityUnits: Number(inputs.writeCapacity ?? 5),
            },
          }),
      ...(inputs.globalSecondaryIndexes?.length
        ? { GlobalSecondaryIndexes: indexes(inputs.globalSecondaryIndexes, false) }
        : {}),
      ...(inputs.localSecondaryIndexes?.length
        ? { LocalSecondaryIndexes: indexes(inputs.localSecondaryIndexes, true) }
        : {}),
    }),
  );
}
