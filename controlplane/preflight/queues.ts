import { MAX_MESSAGE_BYTES, type SynthesizedResource } from "../../contracts";
import { parseArn } from "../iam/arn";
import { resourcesOf, TYPES } from "../stack/lookup";
import { integerInRange } from "./ranges";
import type { PreflightContext } from "./report";

/** SQS queue attributes, redrive policies and redrive-allow policies, as SetQueueAttributes checks them. */

interface Declared {
  /** The resource whose input holds the policy: the Queue itself, or a RedrivePolicy / RedriveAllowPolicy. */
  holder: SynthesizedResource;
  field: string;
  raw: unknown;
  /** The queue the policy is set on, if the stack declares it. */
  queue: SynthesizedResource | undefined;
}

interface Redrive {
  declared: Declared;
  deadLetterTargetArn: string;
}

type AllowPolicy =
  | { redrivePermission: "allowAll" | "denyAll" }
  | { redrivePermission: "byQueue"; sourceQueueArns: string[] };

/** Queue.<field> inputs and the standalone resources of `type` that set the same attribute by queue URL. */
function declarations(ctx: PreflightContext, field: string, type: string): Declared[] {
  const onQueues = resourcesOf(ctx.stack, TYPES.queue)
    .filter((q) => q.inputs[field] !== undefined)
    .map((q) => ({ holder: q, field, raw: q.inputs[field] as unknown, queue: q }));
  const standalone = resourcesOf(ctx.stack, type).map((r) => ({
    holder: r,
    field,
    raw: r.inputs[field] as unknown,
    queue: ctx.find(TYPES.queue, r.inputs.queueUrl),
  }));
  return [...onQueues, ...standalone];
}

function jsonObject(ctx: PreflightContext, d: Declared): Record<string, unknown> | undefined {
  if (!ctx.known(d.holder, d.field, d.raw)) return undefined;
  let value: unknown = d.raw;
  try {
    if (typeof d.raw === "string") value = JSON.parse(d.raw);
  } catch {
    value = undefined;
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  ctx.violation(d.holder, d.field, d.raw, `${d.field} must be a JSON object`);
  return undefined;
}

function parseRedrive(ctx: PreflightContext, d: Declared): Redrive | undefined {
  const policy = jsonObject(ctx, d);
  if (!policy) return undefined;
  const count = policy.maxReceiveCount;
  const asNumber = typeof count === "string" && count.trim() !== "" ? Number(count) : count;
  if (count === undefined) {
    ctx.violation(
      d.holder,
      `${d.field}.maxReceiveCount`,
      undefined,
      "a redrive policy names maxReceiveCount",
      // ansible-collections/community.aws#2321.
      `Value ${typeof d.raw === "string" ? d.raw : JSON.stringify(d.raw)} for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: maxReceiveCount.`,
    );
  } else if (typeof asNumber !== "number" || !Number.isInteger(asNumber) || asNumber < 1 || asNumber > 1000) {
    ctx.violation(
      d.holder,
      `${d.field}.maxReceiveCount`,
      count,
      "maxReceiveCount must be a whole number from 1 to 1000",
    );
  }
  const target = policy.deadLetterTargetArn;
  if (typeof target !== "string" || parseArn(target)?.service !== "sqs") {
    ctx.violation(d.holder, `${d.field}.deadLetterTargetArn`, target, "deadLetterTargetArn must be an SQS queue ARN");
    return undefined;
  }
  // Checked against the DLQ's redrive-allow policy even when maxReceiveCount is wrong: every violation at once.
  return { declared: d, deadLetterTargetArn: target };
}

function parseAllow(ctx: PreflightContext, d: Declared): AllowPolicy | undefined {
  const policy = jsonObject(ctx, d);
  if (!policy) return undefined;
  const permission = policy.redrivePermission;
  const arns = policy.sourceQueueArns;
  if (permission !== "allowAll" && permission !== "denyAll" && permission !== "byQueue") {
    ctx.violation(
      d.holder,
      `${d.field}.redrivePermission`,
      permission,
      "redrivePermission is allowAll, denyAll or byQueue",
    );
    return undefined;
  }
  if (permission !== "byQueue") {
    if (arns !== undefined)
      ctx.violation(d.holder, `${d.field}.sourceQueueArns`, arns, "sourceQueueArns is only allowed with byQueue");
    return { redrivePermission: permission };
  }
  const valid =
    Array.isArray(arns) &&
    arns.length >= 1 &&
    arns.length <= 10 &&
    arns.every((a) => typeof a === "string" && parseArn(a)?.service === "sqs");
  if (!valid) {
    ctx.violation(d.holder, `${d.field}.sourceQueueArns`, arns, "byQueue lists 1 to 10 source queue ARNs");
    return undefined;
  }
  return { redrivePermission: "byQueue", sourceQueueArns: arns as string[] };
}

/** A DLQ's redrive-allow policy must admit every source queue whose redrive policy names it. */
function checkRedriveAllowed(
  ctx: PreflightContext,
  redrive: Redrive,
  allows: Map<SynthesizedResource, AllowPolicy>,
): void {
  const { declared, deadLetterTargetArn } = redrive;
  const dlq = ctx.find(TYPES.queue, deadLetterTargetArn);
  const sourceArn: unknown = declared.queue?.state.arn;
  if (!dlq || typeof sourceArn !== "string" || ctx.containsUnknown(sourceArn)) {
    ctx.skip(declared.holder, declared.field, "the source queue or the dead-letter queue is not known in this stack");
    return;
  }
  if ((dlq.inputs.fifoQueue === true) !== (declared.queue?.inputs.fifoQueue === true))
    ctx.violation(
      declared.holder,
      declared.field,
      deadLetterTargetArn,
      "a dead-letter queue has the type (FIFO or standard) of its source queue",
    );
  const allow = allows.get(dlq);
  if (!allow) return; // No redrive-allow policy: SQS's default admits any queue of the account.
  const admitted =
    allow.redrivePermission === "allowAll" ||
    (allow.redrivePermission === "byQueue" && allow.sourceQueueArns.includes(sourceArn));
  if (!admitted)
    ctx.violation(
      declared.holder,
      `${declared.field}.deadLetterTargetArn`,
      deadLetterTargetArn,
      `the redrive-allow policy of dead-letter queue "${dlq.name}" (${allow.redrivePermission}) does not admit source queue ${sourceArn}`,
    );
}

function checkAttributes(ctx: PreflightContext, queue: SynthesizedResource): void {
  const rules = [
    ["visibilityTimeoutSeconds", 0, 43_200, 30, "the visibility timeout in seconds"],
    ["messageRetentionSeconds", 60, 1_209_600, 345_600, "the message retention in seconds"],
    ["delaySeconds", 0, 900, 0, "the delivery delay in seconds"],
    ["receiveWaitTimeSeconds", 0, 20, 0, "the long-poll wait in seconds"],
    ["maxMessageSize", 1024, MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES, "the maximum message size in bytes"],
  ] as const;
  for (const [field, min, max, fallback, what] of rules)
    integerInRange(ctx, queue, field, { min, max, fallback, what });
}

export function checkQueues(ctx: PreflightContext): void {
  for (const queue of resourcesOf(ctx.stack, TYPES.queue)) checkAttributes(ctx, queue);
  const allows = new Map<SynthesizedResource, AllowPolicy>();
  for (const d of declarations(ctx, "redriveAllowPolicy", TYPES.redriveAllowPolicy)) {
    const allow = parseAllow(ctx, d);
    if (allow && d.queue) allows.set(d.queue, allow);
  }
  for (const d of declarations(ctx, "redrivePolicy", TYPES.redrivePolicy)) {
    const redrive = parseRedrive(ctx, d);
    if (redrive) checkRedriveAllowed(ctx, redrive, allows);
  }
}
