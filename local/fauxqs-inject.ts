// fauxqs's own SQS actions called through its fastify app's inject(): the same routing, parser, handlers and hooks as
// a request over HTTP, without a socket. The move-task emulation and the event source mapping's pollers both call
// fauxqs this way; each turns a refusal into the error its own callers expect.

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

/** One SQS action, with the host the caller used (fauxqs builds queue URLs from it). */
export async function injectSqsAction<T = unknown>(
  app: FastifyInstance,
  host: string,
  operation: string,
  input: unknown,
): Promise<InjectedSqsAnswer<T>> {
  const response = await app.inject({
    method: "POST",
    url: "/",
    headers: { host, "content-type": "application/x-amz-json-1.0", "x-amz-target": `AmazonSQS.${operation}` },
    payload: JSON.stringify(input),
  });
  const body = response.body ? JSON.parse(response.body) : {};
  if (response.statusCode === 200) return { ok: true, body };
  const type = String(body.__type ?? "InternalError");
  return {
    ok: false,
    type,
    code: type.slice(type.lastIndexOf("#") + 1),
    message: String(body.message ?? response.statusCode),
    statusCode: response.statusCode,
  };
}
