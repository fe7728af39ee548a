import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  accessKeyFromAuthorization,
  accessKeyFromPresignedQuery,
  type NamedPolicy,
  parsePolicy,
  parseRedriveAllowPolicy,
  type RedriveAllowPolicy,
  redriveAllowed,
} from "../../controlplane";
import { isInternalCall } from "../fauxqs-inject";
import type { CallCredentials, CloudIam, PermissionLookups } from "./cloud-iam";
import { invalidAttribute, sendWire } from "./wire";

/**
 * IAM and SQS's policy attributes in fauxqs's request path. A preValidation hook runs after the body is parsed and
 * before every preHandler (the move tasks, the attribute rules, the injected faults), so no call reaches anything
 * before it is authorized. It also keeps what fauxqs cannot: the queues' Policy, evaluated on every call, and their
 * RedriveAllowPolicy, checked whenever a RedrivePolicy is set and answered in GetQueueAttributes.
 * Only SQS's JSON protocol is judged: fauxqs also serves SNS, S3 and STS on its port, which are no part of this cloud.
 */

type Body = Record<string, unknown>;

/** Attribute changes of an accepted request, applied once fauxqs has answered it with 200. */
interface PendingAttributes {
  queueArn: string;
  policy?: NamedPolicy | null;
  redriveAllow?: { policy: RedriveAllowPolicy; text: string } | null;
}

const PENDING = Symbol("pendingQueueAttributes");

const isObject = (value: unknown): value is Body =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The access key and session token a request names, in its Authorization header or a presigned query. */
function credentialsOf(request: FastifyRequest): CallCredentials {
  const header = request.headers.authorization;
  // Parsed only when there is a query: SDK requests sign in the header.
  const query = new URLSearchParams(request.url.includes("?") ? request.url.slice(request.url.indexOf("?")) : "");
  const token = request.headers["x-amz-security-token"] ?? query.get("X-Amz-Security-Token") ?? undefined;
  return {
    accessKeyId:
      accessKeyFromAuthorization(typeof header === "string" ? header : undefined) ?? accessKeyFromPresignedQuery(query),
    ...(typeof token === "string" ? { sessionToken: token } : {}),
  };
}

export interface SqsIamOptions {
  iam: CloudIam;
  /** The queues whose RedrivePolicy names a dead-letter queue (ARNs), from fauxqs's store. */
  redriveSources: (deadLetterQueueArn: string) => readonly string[];
  /** A move task's source queue ARN by its handle. */
  taskSource: (taskHandle: string) => string | undefined;
}

export function registerSqsIam(app: FastifyInstance, options: SqsIamOptions): void {
  const { iam } = options;
  const redriveTexts = new Map<string, string>();
  const lookups: PermissionLookups = { redriveSources: options.redriveSources, taskSource: options.taskSource };
  const arnOf = (name: string) => `arn:aws:sqs:${iam.options.region}:${iam.options.accountId}:${name}`;
  const arnOfUrl = (url: unknown) => (typeof url === "string" ? arnOf(url.slice(url.lastIndexOf("/") + 1)) : undefined);

  app.addHook("preValidation", async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== "POST") return;
    const target = String(request.headers["x-amz-target"] ?? "");
    if (!target.startsWith("AmazonSQS.") || isInternalCall(request.headers)) return;
    const operation = target.slice("AmazonSQS.".length);
    const body = isObject(request.body) ? request.body : {};
    const verdict = iam.authorize("sqs", operation, body, credentialsOf(request), lookups);
    if (!verdict.allowed) return sendWire(reply, verdict.wire);
    if (operation !== "SetQueueAttributes" && operation !== "CreateQueue") return;
    const queueArn = operation === "CreateQueue" ? arnOf(String(body.QueueName ?? "")) : arnOfUrl(body.QueueUrl);
    if (!queueArn || !isObject(body.Attributes)) return;
    const answer = takePolicyAttributes(iam, queueArn, body.Attributes);
    if ("refusal" in answer) return sendWire(reply, answer.refusal);
    (request as unknown as Record<symbol, PendingAttributes>)[PENDING] = answer.pending;
  });

  app.addHook("onSend", async (request, reply, payload) => {
    if (reply.statusCode !== 200) return payload;
    const pending = (request as unknown as Record<symbol, PendingAttributes | undefined>)[PENDING];
    if (pending) {
      if (pending.policy !== undefined) iam.setQueuePolicy(pending.queueArn, pending.policy ?? undefined);
      if (pending.redriveAllow !== undefined) {
        iam.setRedriveAllowPolicy(pending.queueArn, pending.redriveAllow?.policy);
        if (pending.redriveAllow) redriveTexts.set(pending.queueArn, pending.redriveAllow.text);
        else redriveTexts.delete(pending.queueArn);
      }
      return payload;
    }
    const target = String(request.headers["x-amz-target"] ?? "");
    const body = isObject(request.body) ? request.body : {};
    if (target === "AmazonSQS.DeleteQueue") {
      const arn = arnOfUrl(body.QueueUrl);
      if (arn) {
        iam.setQueuePolicy(arn, undefined);
        iam.setRedriveAllowPolicy(arn, undefined);
        redriveTexts.delete(arn);
      }
    }
    if (target === "AmazonSQS.GetQueueAttributes" && typeof payload === "string") {
      const names = Array.isArray(body.AttributeNames) ? body.AttributeNames : [];
      const text = redriveTexts.get(arnOfUrl(body.QueueUrl) ?? "");
      if (text && (names.includes("All") || names.includes("RedriveAllowPolicy"))) {
        const answer = JSON.parse(payload) as { Attributes?: Record<string, string> };
        answer.Attributes = { ...answer.Attributes, RedriveAllowPolicy: text };
        return JSON.stringify(answer);
      }
    }
    return payload;
  });
}

/**
 * Checks the Policy, RedriveAllowPolicy and RedrivePolicy attributes of a request, as SQS checks them before storing
 * any, and takes RedriveAllowPolicy out of the request (fauxqs refuses the attribute; the cloud keeps it).
 */
function takePolicyAttributes(
  iam: CloudIam,
  queueArn: string,
  attributes: Body,
): { pending: PendingAttributes } | { refusal: ReturnType<typeof invalidAttribute> } {
  const pending: PendingAttributes = { queueArn };
  if ("Policy" in attributes) {
    const text = String(attributes.Policy ?? "");
    if (text === "") pending.policy = null;
    else {
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch {
        document = text;
      }
      const { policy, violations } = parsePolicy(document, "resource");
      if (!policy)
        return { refusal: invalidAttribute("InvalidAttributeValue", violations[0]!.awsText ?? violations[0]!.rule) };
      pending.policy = { name: `${queueArn.slice(queueArn.lastIndexOf(":") + 1)} Policy`, policy };
    }
  }
  if ("RedriveAllowPolicy" in attributes) {
    const text = String(attributes.RedriveAllowPolicy ?? "");
    delete attributes.RedriveAllowPolicy;
    if (text === "") pending.redriveAllow = null;
    else {
      const parsed = parseRedriveAllowPolicy(text);
      // SQS's "Value ... for parameter ... is invalid. Reason: ..." form; the reason is in this project's words.
      if ("problem" in parsed)
        return {
          refusal: invalidAttribute(
            "InvalidParameterValue",
            `Value ${text} for parameter RedriveAllowPolicy is invalid. Reason: ${parsed.problem}.`,
          ),
        };
      pending.redriveAllow = { policy: parsed.policy, text };
    }
  }
  if (typeof attributes.RedrivePolicy === "string" && attributes.RedrivePolicy !== "") {
    let deadLetterArn: unknown;
    try {
      deadLetterArn = JSON.parse(attributes.RedrivePolicy).deadLetterTargetArn;
    } catch {
      deadLetterArn = undefined; // fauxqs answers a malformed RedrivePolicy itself
    }
    const allow = deadLetterArn === queueArn && pending.redriveAllow ? pending.redriveAllow.policy : undefined;
    if (typeof deadLetterArn === "string" && !redriveAllowed(allow ?? iam.redriveAllowPolicy(deadLetterArn), queueArn))
      return {
        refusal: invalidAttribute(
          "InvalidParameterValue",
          `Value ${attributes.RedrivePolicy} for parameter RedrivePolicy is invalid. Reason: the RedriveAllowPolicy of ` +
            `${deadLetterArn} does not allow ${queueArn} to use it as a dead-letter queue.`,
        ),
      };
  }
  return { pending };
}
