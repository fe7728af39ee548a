// SQS's dead-letter queue redrive API (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask) and
// ListDeadLetterSourceQueues, which fauxqs 1.9 does not serve, answered in front of fauxqs with AWS's JSON-protocol
// request and response shapes. Moving uses fauxqs's own actions through app.inject(): receive from the dead-letter
// queue, send to the destination, then delete, so a failure between the two duplicates a message and never loses one.

import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { MAX_BATCH_ENTRIES, MAX_MOVE_TASK_VELOCITY, MAX_MOVE_TASKS_LISTED } from "../contracts";
import { injectSqsAction } from "./fauxqs-inject";
import { MessageMoveTaskRegistry, type MoveTask } from "./message-move-registry";

const OPERATIONS = new Set([
  "StartMessageMoveTask",
  "ListMessageMoveTasks",
  "CancelMessageMoveTask",
  "ListDeadLetterSourceQueues",
]);

/** An SQS error as the JSON protocol carries it: `__type` plus the legacy query code in x-amzn-query-error. */
class SqsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly queryCode = code,
  ) {
    super(message);
    this.name = code;
  }
}

const notFound = (what: string) => new SqsApiError("ResourceNotFoundException", `${what} does not exist.`);
const invalid = (message: string) => new SqsApiError("InvalidParameterValue", message);

/** The fields of the requests answered here, as the JSON protocol sends them (unchecked until used). */
interface MoveRequest {
  SourceArn?: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
  MaxResults?: number;
  TaskHandle?: string;
  QueueUrl?: string;
  NextToken?: string;
}

interface SqsMessage {
  Body: string;
  ReceiptHandle: string;
  MessageAttributes?: Record<string, unknown>;
}

/** The parts of fauxqs's answers read here. */
interface SqsAnswer {
  QueueUrl?: string;
  QueueUrls?: string[];
  Attributes?: Record<string, string>;
  Messages?: SqsMessage[];
  Successful?: { Id: string }[];
}

type Call = (operation: string, input: Record<string, unknown>) => Promise<SqsAnswer>;

/**
 * fauxqs's own SQS actions, called without a socket, with the host the caller used; a refusal is an SqsApiError.
 * They are SQS's internal calls: the request that started or listed the task was authorized as the caller's.
 */
function injectedCall(app: FastifyInstance, host: string): Call {
  return async (operation, input) => {
    const answer = await injectSqsAction<SqsAnswer>(app, host, operation, input, "internal");
    if (!answer.ok) throw new SqsApiError(answer.code, answer.message);
    return answer.body;
  };
}

/** The queue an ARN names, as fauxqs knows it (URL), or ResourceNotFoundException. */
async function queueOfArn(call: Call, arn: unknown, parameter: string): Promise<{ arn: string; url: string }> {
  if (typeof arn !== "string" || !/^arn:[\w-]+:sqs:[\w-]*:\d*:[\w.-]+$/.test(arn))
    throw invalid(
      `Value ${JSON.stringify(arn ?? null)} for parameter ${parameter} is invalid. Reason: not an SQS queue ARN.`,
    );
  const name = arn.slice(arn.lastIndexOf(":") + 1);
  try {
    return { arn, url: String((await call("GetQueueUrl", { QueueName: name })).QueueUrl) };
  } catch (error) {
    if ((error as SqsApiError).code === "QueueDoesNotExist") throw notFound(`The queue ${arn}`);
    throw error;
  }
}

/** Whether a dead-letter queue's RedriveAllowPolicy admits a source queue (the control plane keeps the policies). */
export type RedriveAllowed = (deadLetterArn: string, sourceArn: string) => boolean;

/**
 * Every queue whose RedrivePolicy names deadLetterArn and whose use of it the DLQ's RedriveAllowPolicy admits: the
 * "original source queues" of its messages.
 */
async function sourceQueuesOf(call: Call, deadLetterArn: string, allowed: RedriveAllowed): Promise<string[]> {
  const { QueueUrls = [] } = await call("ListQueues", { MaxResults: 1000 });
  const sources: string[] = [];
  for (const url of QueueUrls) {
    const { Attributes = {} } = await call("GetQueueAttributes", {
      QueueUrl: url,
      AttributeNames: ["RedrivePolicy", "QueueArn"],
    });
    if (!Attributes.RedrivePolicy) continue;
    try {
      const named = JSON.parse(Attributes.RedrivePolicy).deadLetterTargetArn === deadLetterArn;
      if (named && allowed(deadLetterArn, String(Attributes.QueueArn))) sources.push(url);
    } catch {
      // an unparsable policy names no dead-letter queue
    }
  }
  return sources;
}

async function startTask(
  registry: MessageMoveTaskRegistry,
  call: Call,
  body: MoveRequest,
  allowed: RedriveAllowed,
): Promise<object> {
  const { arn: sourceArn, url: sourceUrl } = await queueOfArn(call, body.SourceArn, "SourceArn");
  const rate = body.MaxNumberOfMessagesPerSecond;
  if (rate !== undefined && (!Number.isInteger(rate) || rate < 1 || rate > MAX_MOVE_TASK_VELOCITY))
    throw invalid(
      `Value ${rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: must be 1 to ${MAX_MOVE_TASK_VELOCITY}.`,
    );
  const sources = await sourceQueuesOf(call, sourceArn, allowed);
  if (sources.length === 0) throw invalid("Source queue must be configured as a Dead Letter Queue.");
  const destinationUrl =
    body.DestinationArn === undefined ? undefined : (await queueOfArn(call, body.DestinationArn, "DestinationArn")).url;
  if (registry.running(sourceArn))
    throw invalid(
      "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
    );
  // Without DestinationArn AWS returns each message to the queue redrive moved it from. fauxqs does not record that
  // origin, so with several source queues the task fails rather than guess (one source, as this stack has, is exact).
  const target = destinationUrl ?? (sources.length === 1 ? sources[0] : undefined);
  const { Attributes } = await call("GetQueueAttributes", {
    QueueUrl: sourceUrl,
    AttributeNames: ["ApproximateNumberOfMessages"],
  });
  const task = registry.add({
    handle: randomUUID(),
    sourceArn,
    destinationArn: body.DestinationArn,
    maxPerSecond: rate,
    toMove: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
  });
  if (!target) registry.fail(task, "DestinationArn is required when the dead-letter queue has several source queues.");
  else void moveMessages(registry, task, call, sourceUrl, target);
  return { TaskHandle: task.handle };
}

/** Moves up to task.toMove messages at most task.maxPerSecond a second: send to the destination, then delete. */
async function moveMessages(
  registry: MessageMoveTaskRegistry,
  task: MoveTask,
  call: Call,
  sourceUrl: string,
  destinationUrl: string,
): Promise<void> {
  const perSecond = task.maxPerSecond ?? MAX_MOVE_TASK_VELOCITY; // unset means "system optimized": here, AWS's cap
  const started = Date.now();
  try {
    while (task.status === "RUNNING" && task.moved < task.toMove) {
      const { Messages = [] } = await call("ReceiveMessage", {
        QueueUrl: sourceUrl,
        MaxNumberOfMessages: Math.min(MAX_BATCH_ENTRIES, task.toMove - task.moved, perSecond),
        VisibilityTimeout: 60,
        MessageAttributeNames: ["All"],
      });
      if (Messages.length === 0) break;
      const sent = await call("SendMessageBatch", {
        QueueUrl: destinationUrl,
        Entries: Messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body,
          ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}),
        })),
      });
      const moved = (sent.Successful ?? []).map((entry) => Messages[Number(entry.Id)] as SqsMessage);
      if (moved.length > 0)
        await call("DeleteMessageBatch", {
          QueueUrl: sourceUrl,
          Entries: moved.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        });
      task.moved += moved.length;
      if (moved.length < Messages.length) throw new Error(`${Messages.length - moved.length} messages not sent`);
      const due = started + (task.moved / perSecond) * 1000;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    }
    registry.finish(task);
  } catch (error) {
    registry.fail(task, (error as Error).message);
  }
}

async function listTasks(registry: MessageMoveTaskRegistry, call: Call, body: MoveRequest): Promise<object> {
  const { arn } = await queueOfArn(call, body.SourceArn, "SourceArn");
  const max = body.MaxResults ?? 1;
  if (!Number.isInteger(max) || max < 1 || max > MAX_MOVE_TASKS_LISTED)
    throw invalid(`Value ${max} for parameter MaxResults is invalid. Reason: must be 1 to ${MAX_MOVE_TASKS_LISTED}.`);
  return { Results: registry.recent(arn, max).map((task) => registry.entry(task)) };
}

function cancelTask(registry: MessageMoveTaskRegistry, body: MoveRequest): object {
  const task = registry.byHandle(body.TaskHandle);
  if (task?.status !== "RUNNING") throw notFound(`The task ${JSON.stringify(body.TaskHandle ?? null)}`);
  registry.cancel(task);
  return { ApproximateNumberOfMessagesMoved: task.moved };
}

async function listSourceQueues(call: Call, body: MoveRequest): Promise<object> {
  if (typeof body.QueueUrl !== "string") throw invalid("QueueUrl is required");
  const { Attributes } = await call("GetQueueAttributes", { QueueUrl: body.QueueUrl, AttributeNames: ["QueueArn"] });
  // Every queue naming it, as SQS lists them: a redrive-allow policy limits moves, not this listing.
  const sources = await sourceQueuesOf(call, String(Attributes?.QueueArn), () => true);
  const start = body.NextToken ? Number(body.NextToken) : 0;
  const end = body.MaxResults ? start + Number(body.MaxResults) : sources.length;
  return {
    queueUrls: sources.slice(start, end),
    ...(body.MaxResults && end < sources.length ? { NextToken: String(end) } : {}),
  };
}

async function answer(
  registry: MessageMoveTaskRegistry,
  call: Call,
  operation: string,
  body: MoveRequest,
  allowed: RedriveAllowed,
): Promise<object> {
  switch (operation) {
    case "StartMessageMoveTask":
      return startTask(registry, call, body, allowed);
    case "ListMessageMoveTasks":
      return listTasks(registry, call, body);
    case "CancelMessageMoveTask":
      return cancelTask(registry, body);
    default:
      return listSourceQueues(call, body);
  }
}

/**
 * Adds the move-task operations to fauxqs's app: a preHandler (the JSON body is parsed by then) answers them and
 * leaves every other request to fauxqs. Returns the registry, whose tasks tests and the cloud can inspect.
 * `redriveAllowed` is the dead-letter queues' RedriveAllowPolicy (default: no policy, every source admitted).
 */
export function registerMessageMoveTasks(
  app: FastifyInstance,
  redriveAllowed: RedriveAllowed = () => true,
): MessageMoveTaskRegistry {
  const registry = new MessageMoveTaskRegistry();
  app.addHook("preHandler", async (request: FastifyRequest, reply: FastifyReply) => {
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.slice(target.lastIndexOf(".") + 1);
    if (!target.startsWith("AmazonSQS.") || !OPERATIONS.has(operation)) return;
    const call = injectedCall(app, String(request.headers.host ?? "127.0.0.1"));
    let body: unknown = request.body;
    if (typeof body === "string") body = body ? JSON.parse(body) : {};
    reply.header("content-type", "application/x-amz-json-1.0");
    try {
      reply.send(await answer(registry, call, operation, body ?? {}, redriveAllowed));
    } catch (error) {
      if (!(error instanceof SqsApiError)) throw error;
      const queryCode = error.code === "QueueDoesNotExist" ? "NonExistentQueue" : error.queryCode;
      reply
        .status(400)
        .header("x-amzn-query-error", `AWS.SimpleQueueService.${queryCode};Sender`)
        .send({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message });
    }
    return reply;
  });
  return registry;
}
