import { randomUUID } from "node:crypto";
import type { Denial } from "./evaluate";

/**
 * The HTTP answers AWS gives when it refuses a call, ready to send, in the AWS JSON 1.0 protocol the current SDK
 * clients speak to SQS and DynamoDB.
 *
 * SQS is "query-compatible": its JSON errors carry `x-amzn-query-error: <Code>;<Sender|Receiver>`, and the SDK
 * names the error after that header's code (@aws-sdk/core's AwsJsonRpcProtocol.handleError, queryCompat), so a
 * client sees `AccessDenied` as with the old Query protocol. The AccessDenied shape (403, that header,
 * `__type` com.amazon.coral.service#AccessDeniedException and a `Message`) is the one floci-io/floci measured on
 * AWS in its design note on resource policy enforcement.
 */

export interface WireError {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_CONTENT_TYPE = "application/x-amz-json-1.0";

function jsonError(
  statusCode: number,
  body: Record<string, string>,
  requestId: string,
  extraHeaders: Record<string, string> = {},
): WireError {
  const text = JSON.stringify(body);
  return {
    statusCode,
    headers: {
      "content-type": JSON_CONTENT_TYPE,
      "content-length": String(Buffer.byteLength(text)),
      "x-amzn-requestid": requestId,
      ...extraHeaders,
    },
    body: text,
  };
}

/** SQS refusing a call IAM denied; `message` is the evaluator's denial message. */
export function sqsAccessDenied(message: string, requestId: string = randomUUID()): WireError {
  return jsonError(403, { __type: "com.amazon.coral.service#AccessDeniedException", Message: message }, requestId, {
    "x-amzn-query-error": "AccessDenied;Sender",
  });
}

/**
 * SQS refusing an access key it does not know. Code, 403 and text as SQS answers over the Query protocol
 * (aws/aws-sdk-php-symfony#41); over JSON the header carries the code, and the `__type` below is an assumption
 * the SDK does not read when the header is present.
 */
export function sqsInvalidClientTokenId(requestId: string = randomUUID()): WireError {
  return jsonError(
    403,
    {
      __type: "com.amazon.coral.service#InvalidClientTokenId",
      message: "The security token included in the request is invalid.",
    },
    requestId,
    { "x-amzn-query-error": "InvalidClientTokenId;Sender" },
  );
}

/** DynamoDB refusing a call IAM denied: 400 with `Message` (aws/aws-sdk-php#1292 shows AWS's body). */
export function dynamodbAccessDenied(message: string, requestId: string = randomUUID()): WireError {
  return jsonError(400, { __type: "com.amazon.coral.service#AccessDeniedException", Message: message }, requestId);
}

/** DynamoDB refusing an access key it does not know (baopham/laravel-dynamodb#228 shows AWS's body). */
export function dynamodbUnrecognizedClient(requestId: string = randomUUID()): WireError {
  return jsonError(
    400,
    {
      __type: "com.amazon.coral.service#UnrecognizedClientException",
      message: "The security token included in the request is invalid.",
    },
    requestId,
  );
}

/** The access-denied answer of a service for an evaluator denial. */
export function accessDeniedResponse(service: "sqs" | "dynamodb", denial: Denial, requestId?: string): WireError {
  return service === "sqs"
    ? sqsAccessDenied(denial.message, requestId)
    : dynamodbAccessDenied(denial.message, requestId);
}
