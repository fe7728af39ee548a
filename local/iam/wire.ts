import { randomUUID } from "node:crypto";
import type { FastifyReply } from "fastify";
import type { WireError } from "../../controlplane";

/** SQS's answers the control plane gives besides IAM's refusals, in the JSON protocol the current SDKs speak. */

function jsonError(statusCode: number, code: string, fault: "Sender" | "Receiver", message: string): WireError {
  const body = JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message });
  return {
    statusCode,
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "content-length": String(Buffer.byteLength(body)),
      "x-amzn-requestid": randomUUID(),
      // The query-compatible code the SDK names the error after.
      "x-amzn-query-error": `${code};${fault}`,
    },
    body,
  };
}

/** A call the control plane could not decide (a policy feature the evaluator lacks): refused, never guessed. */
export function internalFailure(message: string): WireError {
  return jsonError(500, "InternalFailure", "Receiver", message);
}

/** SetQueueAttributes or CreateQueue given an attribute value SQS refuses. */
export function invalidAttribute(code: "InvalidParameterValue" | "InvalidAttributeValue", message: string): WireError {
  return jsonError(400, code, "Sender", message);
}

/** Sends a wire error from a fastify hook; the hook must return what this returns, so fastify runs no handler. */
export function sendWire(reply: FastifyReply, wire: WireError): FastifyReply {
  return reply.code(wire.statusCode).headers(wire.headers).send(wire.body);
}
