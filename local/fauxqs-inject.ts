// fauxqs's own SQS actions called through its fastify app's inject(): the same routing, parser, handlers and hooks as
// a request over HTTP, without a socket. The move-task emulation and the event source mapping's pollers both call
// fauxqs this way; each turns a refusal into the error its own callers expect.

import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";

/** fauxqs's answer: the JSON body, or the refusal decoded from the JSON protocol's `__type` and message. */
export type InjectedSqsAnswer<T> =
  | { ok: true; body: T }
  | {
      ok: false;
      /** `__type` as sent, e.g. `com.amazonaws.sqs#QueueDoesNotExist`. */
      type: string;
      /** The error code alone, e.g. `QueueDoesNotExist`. */
      code: string;
      message: string;
      statusCode: number;
    };

/**
 * Who makes an injected call: a principal, whose access key the request carries as a signed request would (the
 * pollers act as the function's execution role, as on AWS), or SQS itself ("internal": a move task's own receives
 * and sends once the task was authorized, an injected fault), which IAM does not judge again.
 */
export type InjectedCaller = { accessKeyId: string; sessionToken?: string; region: string } | "internal";

const INTERNAL_HEADER = "x-embedded-cloud-internal";
/** Known to this process only: a request over HTTP cannot claim to be SQS's own call. */
const INTERNAL_TOKEN = randomUUID();

/** Whether a request is one of SQS's own injected calls. */
export function isInternalCall(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  return headers[INTERNAL_HEADER] === INTERNAL_TOKEN;
}

/** The headers that say who calls: a SigV4 Authorization naming the access key (the signature is not checked). */
function callerHeaders(caller: InjectedCaller): Record<string, string> {
  if (caller === "internal") return { [INTERNAL_HEADER]: INTERNAL_TOKEN };
  const now = new Date().toISOString().replace(/[-:]|\.\d+/g, "");
  return {
    authorization:
      `AWS4-HMAC-SHA256 Credential=${caller.accessKeyId}/${now.slice(0, 8)}/${caller.region}/sqs/aws4_request, ` +
      `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${"0".repeat(64)}`,
    "x-amz-date": now,
    ...(caller.sessionToken ? { "x-amz-security-token": caller.sessionToken } : {}),
  };
}

/** One SQS action, with the host the caller used (fauxqs builds queue URLs from it). */
export async function injectSqsAction<T = unknown>(
  app: FastifyInstance,
  host: string,
  operation: string,
  input: unknown,
  caller: InjectedCaller,
): Promise<InjectedSqsAnswer<T>> {
  const response = await app.inject({
    method: "POST",
    url: "/",
    headers: {
      host,
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `AmazonSQS.${operation}`,
      ...callerHeaders(caller),
    },
    payload: JSON.stringify(input),
  });
  const body = response.body ? JSON.parse(response.body) : {};
  if (response.statusCode === 200) return { ok: true, body };
  const type = String(body.__type ?? "InternalError");
  return {
    ok: false,
    type,
    code: type.slice(type.lastIndexOf("#") + 1),
    message: String(body.message ?? body.Message ?? response.statusCode),
    statusCode: response.statusCode,
  };
}
