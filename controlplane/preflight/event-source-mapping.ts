import type { SynthesizedResource } from "../../contracts";
import { parseArn } from "../iam/arn";
import { ControlPlaneError } from "../iam/errors";
import { evaluate } from "../iam/evaluate";
import { functionPrincipal, functionRole, queueResourcePolicy, roleIdentityPolicies } from "../stack/iam-wiring";
import { resourcesOf, TYPES } from "../stack/lookup";
import { integerInRange } from "./ranges";
import type { PreflightContext } from "./report";

/**
 * What Lambda checks when it creates an SQS event source mapping (CreateEventSourceMapping), and what the AWS
 * provider's schema refuses before that.
 */

/** The SQS permissions the mapping's pollers use, checked by Lambda with the function's execution role. */
const POLLER_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"] as const;

/** Lambda's InvalidParameterValueException texts (aws/aws-cdk#6770; 18F/identity-terraform#27; ansible amazon.aws#1995). */
const LAMBDA_TEXT = {
  receiveMessage: "The provided execution role does not have permissions to call ReceiveMessage on SQS",
  visibility: (visibility: number, timeout: number) =>
    `Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${timeout} seconds`,
  batchingWindow: "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
} as const;

/** Lambda's defaults when the inputs are absent. */
const DEFAULT_FUNCTION_TIMEOUT = 3;
const DEFAULT_VISIBILITY_TIMEOUT = 30;

function checkBatching(ctx: PreflightContext, esm: SynthesizedResource, queue: SynthesizedResource | undefined): void {
  const fifo = queue?.inputs.fifoQueue === true;
  const batchSize = integerInRange(ctx, esm, "batchSize", {
    min: 1,
    max: fifo ? 10 : 10_000,
    fallback: 10,
    what: fifo ? "the batch size of a FIFO queue" : "the batch size",
  });
  const window = integerInRange(ctx, esm, "maximumBatchingWindowInSeconds", {
    min: 0,
    max: 300,
    fallback: 0,
    what: "the batching window in seconds",
  });
  if (batchSize !== undefined && window !== undefined && batchSize > 10 && window < 1) {
    ctx.violation(
      esm,
      "batchSize",
      batchSize,
      `a batch size above 10 needs maximumBatchingWindowInSeconds of at least 1 (it is ${window})`,
      LAMBDA_TEXT.batchingWindow,
    );
  }
}

function checkMappingOptions(ctx: PreflightContext, esm: SynthesizedResource): void {
  if (esm.inputs.scalingConfig?.maximumConcurrency !== undefined)
    integerInRange(ctx, esm, "scalingConfig.maximumConcurrency", {
      min: 2,
      max: 1000,
      fallback: 2,
      what: "the maximum concurrency of an SQS event source",
    });
  const types: unknown = esm.inputs.functionResponseTypes;
  if (types === undefined || !ctx.known(esm, "functionResponseTypes", types)) return;
  const invalid = Array.isArray(types) ? types.filter((t) => t !== "ReportBatchItemFailures") : [types];
  if (invalid.length > 0)
    ctx.violation(esm, "functionResponseTypes", types, 'the only function response type is "ReportBatchItemFailures"');
}

/** Lambda refuses a mapping whose function may still run when the message becomes visible again. */
function checkTimeoutFitsVisibility(
  ctx: PreflightContext,
  esm: SynthesizedResource,
  fn: SynthesizedResource,
  queue: SynthesizedResource,
): void {
  const timeout: unknown = fn.inputs.timeout ?? DEFAULT_FUNCTION_TIMEOUT;
  const visibility: unknown = queue.inputs.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT;
  if (!ctx.known(fn, "timeout", timeout) || !ctx.known(queue, "visibilityTimeoutSeconds", visibility)) return;
  if (typeof timeout !== "number" || typeof visibility !== "number" || timeout <= visibility) return;
  ctx.violation(
    fn,
    "timeout",
    timeout,
    `the function timeout (${timeout} s) exceeds the visibility timeout (${visibility} s) of queue "${queue.name}", ` +
      `which event source mapping "${esm.name}" reads; Lambda refuses the mapping`,
    LAMBDA_TEXT.visibility(visibility, timeout),
  );
}

/** The execution role must let the pollers receive, delete and read the queue's attributes. */
function checkPollerPermissions(
  ctx: PreflightContext,
  esm: SynthesizedResource,
  fn: SynthesizedResource,
  queueArn: string,
  queue: SynthesizedResource | undefined,
): void {
  const role = functionRole(ctx.stack, fn, ctx.wiring);
  const functionName: unknown = fn.inputs.name ?? fn.state.name;
  const principal = role && typeof functionName === "string" ? functionPrincipal(role, functionName) : undefined;
  if (!role || !principal) {
    ctx.skip(
      esm,
      "eventSourceArn",
      "the function's execution role is not declared in this stack (or its ARN is unknown)",
    );
    return;
  }
  const identity = roleIdentityPolicies(ctx.stack, role, ctx.wiring);
  const queuePolicy = queue ? queueResourcePolicy(ctx.stack, queue, ctx.wiring) : undefined;
  const unavailable = [...identity.unavailable, ...(queuePolicy && !("policy" in queuePolicy) ? [queuePolicy] : [])];
  for (const action of POLLER_ACTIONS) {
    try {
      const decision = evaluate(
        // The pollers call SQS over TLS.
        { principal, action, resource: queueArn, context: { "aws:SecureTransport": "true" } },
        {
          identityPolicies: identity.policies,
          ...(queuePolicy && "policy" in queuePolicy ? { resourcePolicy: queuePolicy } : {}),
        },
      );
      if (decision.decision === "allow") continue;
      if (unavailable.length > 0) {
        const names = unavailable.map((p) => `${p.name} (${p.reason})`).join(", ");
        ctx.skip(esm, "eventSourceArn", `${action} is not allowed by the declared policies; not checked: ${names}`);
        continue;
      }
      ctx.violation(
        esm,
        "eventSourceArn",
        queueArn,
        `the execution role "${role.name}" of function "${fn.name}" must allow ${action} on the queue, ` +
          `which Lambda checks when it creates the mapping: ${decision.message}`,
        action === "sqs:ReceiveMessage" ? LAMBDA_TEXT.receiveMessage : undefined,
      );
    } catch (error) {
      if (!(error instanceof ControlPlaneError)) throw error;
      ctx.skip(esm, "eventSourceArn", `${action}: ${error.message}`);
    }
  }
}

export function checkEventSourceMappings(ctx: PreflightContext): void {
  for (const esm of resourcesOf(ctx.stack, TYPES.eventSourceMapping)) {
    const source: unknown = esm.inputs.eventSourceArn;
    const sourceKnown = !ctx.containsUnknown(source);
    // A preview leaves the queue's ARN unknown; scalingConfig exists only for SQS sources, so it still tells.
    const sqs = sourceKnown ? parseArn(String(source))?.service === "sqs" : esm.inputs.scalingConfig !== undefined;
    if (!sqs) continue;
    // In a preview the ARNs are unknown; the engine's property dependencies still say which queue and function.
    const queue = ctx.find(TYPES.queue, source, { from: esm, field: "eventSourceArn" });
    const fn = ctx.find(TYPES.function, esm.inputs.functionName, { from: esm, field: "functionName" });
    checkBatching(ctx, esm, queue);
    checkMappingOptions(ctx, esm);
    if (fn && queue) checkTimeoutFitsVisibility(ctx, esm, fn, queue);
    if (!sourceKnown || typeof source !== "string") {
      const what = fn && queue ? "the role's permissions" : "the visibility timeout and the role's permissions";
      ctx.skip(esm, "eventSourceArn", `not known before deployment: ${what}`);
      continue;
    }
    if (!fn || !queue) ctx.skip(esm, "functionName", "the function or the queue is not declared in this stack");
    if (fn) checkPollerPermissions(ctx, esm, fn, source, queue);
  }
}
