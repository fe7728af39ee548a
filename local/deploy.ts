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
  DEFAULT_STACK,
  LOCAL_ACCOUNT_ID,
  localEnvironment,
  OperatorError,
  type PlainValues,
  type SynthesizedResource,
  type SynthesizedStack,
} from "../contracts";
import {
  type AlarmDefinition,
  AlarmDefinitionError,
  alarmFromInputs,
  type PreflightReport,
  parseArn,
  requireDeployable,
} from "../controlplane";
import type { EventSourceMappingConfig } from "./event-source-mapping";
import type { LocalFunction } from "./execution-environment";
import { type StackPrincipals, stackPrincipals } from "./iam/cloud-principals";

/**
 * "pulumi up" against the emulators: every resource of the synthesized stack that the embedded cloud can run is
 * created from its declared inputs (nothing is restated here), references between resources (the ids, ARNs and URLs
 * the engine answered with, as the AWS provider would) are rewritten to the emulators' own, and every other resource
 * is listed with the reason it is not emulated.
 */
const TYPES = {
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  redriveAllowPolicy: "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
  redrivePolicy: "aws:sqs/redrivePolicy:RedrivePolicy",
  table: "aws:dynamodb/table:Table",
  function: "aws:lambda/function:Function",
  eventSourceMapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
} as const;

/** Resource types the control plane applies (IAM), with what happens to them under enforcement and --no-iam. */
const IAM_TYPES: Record<string, { enforced: string; off: string }> = {
  "aws:iam/role:Role": {
    enforced:
      "each function runs as a session of its role (temporary keys in its environment); every call is authorized",
    off: "not enforced (--no-iam): the role's session keys are accepted for every call",
  },
  "aws:iam/rolePolicy:RolePolicy": {
    enforced: "evaluated on every SQS and DynamoDB call of the role's sessions",
    off: "not enforced (--no-iam)",
  },
  "aws:iam/policy:Policy": {
    enforced: "evaluated on every call of the principals holding it",
    off: "not enforced (--no-iam)",
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
    enforced: "the attached policy is evaluated when the stack declares its document",
    off: "not enforced (--no-iam)",
  },
};

/** Why a declared resource does nothing on the laptop. Types not listed get "no local emulator for this type". */
const NOT_EMULATED_REASONS: Record<string, string> = {
  "aws:cloudwatch/logGroup:LogGroup": "function logs go to .local/runs/<run>/logs.jsonl instead",
  "aws:cloudwatch/dashboard:Dashboard": "drawn by the local dashboard from the per-second record instead",
  "aws:cloudwatch/queryDefinition:QueryDefinition": "no Logs Insights locally; logs.jsonl holds the lines",
  "aws:sns/topic:Topic": "no SNS locally: the messages alarms would publish go to .local/runs/<run>/sns.jsonl",
  "aws:sns/topicSubscription:TopicSubscription": "no SNS locally: nothing is delivered",
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
  /** The producer and each function's role session, with the stack's policies (ARNs the emulators'). */
  principals: StackPrincipals;
  /** The stack's metric alarms, with the physical names and ARNs of the emulated resources. */
  alarms: AlarmDefinition[];
  /** Rules the preflight could not check (it refused the deploy if any rule was broken). */
  preflight: PreflightReport;
}

export interface DeployTarget {
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  region: string;
  endpoints: { sqs: string; dynamodb: string };
  /** Where function code is written, a folder per function; inside the repository, so `require` finds node_modules. */
  codeRoot: string;
  /** Whether the control plane authorizes calls (false with --no-iam); only the deploy report says it. */
  iamEnforced?: boolean;
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

/**
 * The account and region the engine put into every ARN it answered, which a policy may also name in wildcards
 * (`arn:aws:sqs:us-east-1:123456789012:*`): rewritten to the emulators' as a whole.
 */
function engineScope(stack: SynthesizedStack): { account: string; region: string } | undefined {
  for (const r of stack.resources) {
    const arn = typeof r.state.arn === "string" ? parseArn(r.state.arn) : undefined;
    if (arn && /^\d{12}$/.test(arn.account) && arn.region) return { account: arn.account, region: arn.region };
  }
  return undefined;
}

/** The stack name the URNs carry (`urn:pulumi:<stack>::<project>::...`): the preflight's physical-name rules need it. */
function stackNameOf(stack: SynthesizedStack): string {
  return stack.resources[0]?.urn.split("::")[0]?.split(":")[2] ?? DEFAULT_STACK;
}

/** Environment variables the Lambda service sets for every function, aimed at the emulators. */
function runtimeEnvironment(
  fn: { name: string; memorySizeMb: number; handler: string; codeDir: string },
  target: Pick<DeployTarget, "region" | "endpoints">,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined,
): Record<string, string> {
  return {
    // How the same artifact reaches the emulators: SDK v3 honours service-specific endpoint variables.
    ...localEnvironment(target.endpoints, target.region),
    // The execution role's temporary credentials, as Lambda provides them.
    ...(credentials && {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken ?? "",
    }),
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
  principals: StackPrincipals;
  alarms: AlarmDefinition[];
}

/**
 * Applies the stack to the emulators, after the preflight (PreflightRefusal lists every rule AWS would refuse it
 * for). Safe to re-run against persisted DynamoDB data (existing tables are kept).
 */
export async function deployStack(stack: SynthesizedStack, target: DeployTarget): Promise<DeployedStack> {
  const preflight = requireDeployable(stack, { stackName: stackNameOf(stack) });
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
    principals: { functions: new Map(), notes: [] },
    alarms: [],
  };
  const scope = engineScope(stack);
  if (scope) {
    // Whatever ARN the engine answered that no deployed resource maps (a role, a policy, a topic, a wildcard).
    ctx.refs.add(`:${scope.region}:${scope.account}:`, `:${target.region}:${LOCAL_ACCOUNT_ID}:`);
    ctx.refs.add(`::${scope.account}:`, `::${LOCAL_ACCOUNT_ID}:`);
  }
  // Queues first (without redrive), then their policies and redrive-allow policies, then the redrive policies that
  // the dead-letter queues' redrive-allow policies must admit (SQS checks it, as the program's dependsOn expects).
  await deployQueues(ctx);
  await setQueuePolicies(ctx);
  await setRedrivePolicies(ctx);
  await deployTables(ctx);
  deployFunctions(ctx);
  ctx.principals = stackPrincipals(rewrittenForIam(ctx), LOCAL_ACCOUNT_ID);
  // Environment variables last: they reference queues and tables by the engine's names (DLQ_URL, TABLE_NAME).
  setFunctionEnvironments(ctx);
  deployMappings(ctx);
  deployAlarms(ctx);
  reportOtherResources(ctx);
  const { queues, tables, functions, mappings, refs, reports, principals, alarms } = ctx;
  return {
    queues,
    tables,
    functions,
    mappings,
    outputs: refs.deep(stack.outputs),
    resources: reports,
    principals,
    alarms,
    preflight,
  };
}

/** The stack with the emulators' ARNs and names in every input and state (function code left out): what IAM reads. */
function rewrittenForIam(ctx: DeployContext): SynthesizedStack {
  return {
    resources: ctx.stack.resources.map((r) => {
      const { code: _code, ...inputs } = r.inputs;
      return { ...r, id: ctx.refs.resolve(r.id), inputs: ctx.refs.deep(inputs), state: ctx.refs.deep(r.state) };
    }),
    outputs: ctx.refs.deep(ctx.stack.outputs),
  };
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
    const notes = [r.inputs.sqsManagedSseEnabled ? "SSE not emulated" : ""].filter(Boolean);
    reports.push({
      type: r.type,
      name,
      status: "emulated",
      detail: `fauxqs queue ${QueueUrl} ${JSON.stringify(attributes)}${notes.length ? ` (${notes.join(", ")})` : ""}`,
    });
  }
}

/**
 * QueuePolicy resources (or a queue's own `policy`) and RedriveAllowPolicy resources (or `redriveAllowPolicy`), set as
 * SQS attributes: the control plane keeps them (fauxqs cannot), evaluates the policy on every call and checks the
 * redrive-allow policy whenever a RedrivePolicy names the queue.
 */
async function setQueuePolicies(ctx: DeployContext): Promise<void> {
  const { refs, reports, byType, target, queues } = ctx;
  const setAttribute = async (r: SynthesizedResource, queueUrl: string, name: string, value: unknown) => {
    const url = refs.resolve(queueUrl);
    if (!queues.some((q) => q.url === url))
      throw new DeployError(r, `queueUrl ${queueUrl} is not a queue of this stack`);
    const text = refs.resolve(typeof value === "string" ? value : JSON.stringify(value));
    try {
      await target.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { [name]: text } }));
    } catch (error) {
      throw new DeployError(r, `SQS refused its ${name}: ${(error as Error).name}: ${(error as Error).message}`);
    }
    return url;
  };
  const detail = (what: string) =>
    what === "Policy"
      ? target.iamEnforced === false
        ? "kept by the embedded cloud; not enforced (--no-iam)"
        : "kept by the embedded cloud and evaluated on every SQS call to the queue"
      : "kept by the embedded cloud; checked when a RedrivePolicy names the queue and by move tasks";
  for (const [type, input, attribute] of [
    [TYPES.queuePolicy, "policy", "Policy"],
    [TYPES.redriveAllowPolicy, "redriveAllowPolicy", "RedriveAllowPolicy"],
  ] as const) {
    for (const r of byType(TYPES.queue)) {
      if (r.inputs[input] === undefined) continue;
      await setAttribute(r, String(r.state.url ?? r.id), attribute, r.inputs[input]);
    }
    for (const r of byType(type)) {
      const url = await setAttribute(r, String(r.inputs.queueUrl), attribute, r.inputs[input]);
      reports.push({
        type: r.type,
        name: r.name,
        status: "emulated",
        detail: `${attribute} of ${url}: ${detail(attribute)}`,
      });
    }
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
    try {
      await target.sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { RedrivePolicy: text } }));
    } catch (error) {
      throw new DeployError(r, `SQS refused its RedrivePolicy: ${(error as Error).name}: ${(error as Error).message}`);
    }
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
  const { refs, byType, target, functions, principals } = ctx;
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
        principals.functions.get(fn.name)?.identity,
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

/**
 * The stack's metric alarms, judged locally every second (alarms.ts). One this evaluator cannot judge (metric math,
 * anomaly bands) is listed as not emulated with the reason; an invalid one the preflight has refused already.
 */
function deployAlarms(ctx: DeployContext): void {
  const { refs, reports, byType, alarms } = ctx;
  for (const r of byType(TYPES.metricAlarm)) {
    const name = physicalName(r);
    try {
      alarms.push(alarmFromInputs(name, refs.deep(r.inputs)));
      reports.push({ type: r.type, name, status: "emulated", detail: "evaluated every second over the run's record" });
    } catch (error) {
      if (!(error instanceof AlarmDefinitionError)) throw error;
      reports.push({ type: r.type, name, status: "not emulated", detail: error.message });
    }
  }
}

function reportOtherResources(ctx: DeployContext): void {
  const { stack, reports, target, principals } = ctx;
  const handled = new Set<string>(Object.values(TYPES));
  for (const r of stack.resources) {
    if (handled.has(r.type)) continue;
    const isComponent = !r.type.startsWith("aws:") && !r.type.startsWith("pulumi:providers:");
    const iam = IAM_TYPES[r.type];
    reports.push({
      type: r.type,
      name: r.name,
      status: isComponent ? "component" : iam ? "emulated" : "not emulated",
      detail: isComponent
        ? "component resource: groups the resources below it"
        : iam
          ? target.iamEnforced === false
            ? iam.off
            : iam.enforced
          : (NOT_EMULATED_REASONS[r.type] ?? "no local emulator for this resource type"),
    });
  }
  for (const note of principals.notes)
    reports.push({ type: "aws:iam/policy:Policy", name: "(attached)", status: "not emulated", detail: note });
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
