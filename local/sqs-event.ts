import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSMessageAttribute, SQSRecord } from "aws-lambda";

/**
 * Turns messages from ReceiveMessage (AttributeNames All, MessageAttributeNames All) into the event Lambda gives an
 * SQS-triggered function: lower-camel record fields, string attributes, message attributes in Lambda's shape with
 * empty list values, and the queue's ARN and region.
 */
export function buildSqsEvent(messages: readonly Message[], eventSourceARN: string, awsRegion: string): SQSEvent {
  return { Records: messages.map((message) => toRecord(message, eventSourceARN, awsRegion)) };
}

function toRecord(message: Message, eventSourceARN: string, awsRegion: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const record: SQSRecord = {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? "",
      SenderId: attributes.SenderId ?? "",
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? attributes.SentTimestamp ?? "",
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, toLambdaAttribute(value)]),
    ),
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN,
    awsRegion,
  };
  if (message.MD5OfMessageAttributes)
    (record as SQSRecord & { md5OfMessageAttributes?: string }).md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

function toLambdaAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  const attribute: SQSMessageAttribute = {
    stringListValues: [],
    binaryListValues: [],
    dataType: value.DataType ?? "String",
  };
  if (value.StringValue !== undefined) attribute.stringValue = value.StringValue;
  if (value.BinaryValue !== undefined) attribute.binaryValue = Buffer.from(value.BinaryValue).toString("base64");
  return attribute;
}

/** What Lambda does with a function's answer to an SQS batch. */
export type BatchVerdict =
  /** Delete these receipt handles (all of them on full success). */
  | { kind: "delete"; messageIds: string[]; failedIds: string[] }
  /** Delete nothing: the whole batch returns after the visibility timeout. */
  | { kind: "retry-all"; reason: string };

/**
 * Lambda's rules for a successful invocation: without ReportBatchItemFailures the batch succeeded whatever the
 * response; with it, an empty or missing batchItemFailures means all succeeded, listed ids failed, and an id that is
 * empty or not in the batch makes the whole batch a failure (Lambda's "invalid response" case).
 */
export function judgeBatchResponse(
  batchIds: readonly string[],
  response: unknown,
  reportBatchItemFailures: boolean,
): BatchVerdict {
  if (!reportBatchItemFailures) return { kind: "delete", messageIds: [...batchIds], failedIds: [] };
  const failures = (response as SQSBatchResponse | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return { kind: "delete", messageIds: [...batchIds], failedIds: [] };
  if (!Array.isArray(failures)) return { kind: "retry-all", reason: "batchItemFailures is not a list" };
  const inBatch = new Set(batchIds);
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = failure?.itemIdentifier;
    if (typeof id !== "string" || id === "" || !inBatch.has(id))
      return { kind: "retry-all", reason: `batchItemFailures names ${JSON.stringify(id)}, which is not in the batch` };
    failed.add(id);
  }
  return { kind: "delete", messageIds: batchIds.filter((id) => !failed.has(id)), failedIds: [...failed] };
}
