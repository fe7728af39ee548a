// fauxqs accepts message attributes that SQS refuses (more than ten, empty values, reserved or malformed names, ...).
// This hook answers those requests the way SQS does, before fauxqs sees them: SendMessage fails with
// InvalidParameterValue; in SendMessageBatch each offending entry fails on its own in `Failed` (SenderFault) and the
// others go through. Only the JSON protocol is checked (every current SDK and CLI v2 use it).

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { MAX_MESSAGE_ATTRIBUTES } from "../contracts";

/** SQS's limit on an attribute name and on a data type, in characters. */
const MAX_NAME_LENGTH = 256;
/** Whether SQS refuses this text in a String value: only XML 1.0's characters are allowed. */
function hasInvalidCharacter(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const allowed =
      code === 0x09 ||
      code === 0x0a ||
      code === 0x0d ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      code >= 0x10000;
    if (!allowed) return true;
  }
  return false;
}
const VALID_NAME = /^[A-Za-z0-9_.-]+$/;
const BASE_TYPES = ["String", "Number", "Binary"] as const;

interface AttributeValue {
  DataType?: unknown;
  StringValue?: unknown;
  BinaryValue?: unknown;
}

function invalidName(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH)
    return `Message (user) attribute name must be between 1 and ${MAX_NAME_LENGTH} characters long.`;
  if (/^(aws\.|amazon\.)/i.test(name)) return `Message (user) attribute name '${name}' is reserved for use by AWS.`;
  if (!VALID_NAME.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes(".."))
    return `Message (user) attribute name '${name}' contains invalid characters or periods in the wrong place.`;
  return undefined;
}

function invalidValue(name: string, value: AttributeValue): string | undefined {
  const dataType = typeof value?.DataType === "string" ? value.DataType : "";
  const base = BASE_TYPES.find((type) => dataType === type || dataType.startsWith(`${type}.`));
  if (!base || dataType.length > MAX_NAME_LENGTH)
    return `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`;
  const raw = base === "Binary" ? value.BinaryValue : value.StringValue;
  if (raw === undefined || raw === null || raw === "")
    return `Message (user) attribute '${name}' must contain a non-empty value of type '${base}'.`;
  if (base === "String" && typeof raw === "string" && hasInvalidCharacter(raw))
    return `Message (user) attribute '${name}' contains invalid characters in its value.`;
  if (base === "Number" && (typeof raw !== "string" || !Number.isFinite(Number(raw))))
    return `Value '${String(raw)}' for message (user) attribute '${name}' of type 'Number' is not a valid number.`;
  return undefined;
}

/** Why SQS would refuse these message attributes, in its words, or undefined when it would take them. */
function messageAttributesProblem(attributes: unknown): string | undefined {
  if (attributes === undefined || attributes === null || typeof attributes !== "object") return undefined;
  const entries = Object.entries(attributes as Record<string, AttributeValue>);
  if (entries.length > MAX_MESSAGE_ATTRIBUTES)
    return `Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`;
  for (const [name, value] of entries) {
    const problem = invalidName(name) ?? invalidValue(name, value);
    if (problem) return problem;
  }
  return undefined;
}

const INVALID_PARAMETER = "InvalidParameterValue";

/** The error shape fauxqs gives its own validation errors, with SQS's query-protocol code (what the SDKs name it). */
function refuse(reply: FastifyReply, message: string): FastifyReply {
  return reply
    .status(400)
    .header("content-type", "application/x-amz-json-1.0")
    .header("x-amzn-query-error", `${INVALID_PARAMETER};Sender`)
    .send({ __type: `com.amazonaws.sqs#${INVALID_PARAMETER}`, message });
}

interface BatchEntry {
  Id?: string;
  MessageAttributes?: unknown;
}
type Refused = Array<{ Id: string; SenderFault: true; Code: string; Message: string }>;
const REFUSED_ENTRIES = Symbol("refusedEntries");

// An async hook that has answered must return the reply, or fastify runs the handler as well.
async function checkRequest(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const target = String(request.headers["x-amz-target"] ?? "");
  const body = request.body as { MessageAttributes?: unknown; Entries?: BatchEntry[] } | undefined;
  if (!body || typeof body !== "object") return undefined;
  if (target === "AmazonSQS.SendMessage") {
    const problem = messageAttributesProblem(body.MessageAttributes);
    if (problem) return refuse(reply, problem);
  } else if (target === "AmazonSQS.SendMessageBatch" && Array.isArray(body.Entries)) {
    const refused: Refused = [];
    const kept = body.Entries.filter((entry) => {
      const problem = messageAttributesProblem(entry?.MessageAttributes);
      if (problem) refused.push({ Id: String(entry.Id), SenderFault: true, Code: INVALID_PARAMETER, Message: problem });
      return !problem;
    });
    if (refused.length === 0) return undefined;
    if (kept.length === 0)
      return reply.header("content-type", "application/x-amz-json-1.0").send({ Successful: [], Failed: refused });
    body.Entries = kept;
    (request as unknown as Record<symbol, Refused>)[REFUSED_ENTRIES] = refused;
  }
  return undefined;
}

/** Adds the entries refused before fauxqs saw the batch to its answer's `Failed`. */
async function addRefusedEntries(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const refused = (request as unknown as Record<symbol, Refused | undefined>)[REFUSED_ENTRIES];
  if (!refused || reply.statusCode !== 200 || typeof payload !== "string") return payload;
  const answer = JSON.parse(payload) as { Successful?: unknown[]; Failed?: Refused };
  answer.Failed = [...(answer.Failed ?? []), ...refused];
  return JSON.stringify(answer);
}

/** Makes fauxqs refuse the message attributes SQS refuses. Register before any other onSend hook. */
export function enforceSqsMessageRules(app: FastifyInstance): void {
  app.addHook("preHandler", checkRequest);
  app.addHook("onSend", addRefusedEntries);
}
