// Lambda SQS records built in memory, for the consumer's pure functions (the emulator-backed tests receive real ones).

import type { SQSRecord } from "aws-lambda";

type Attribute = SQSRecord["messageAttributes"][string];

/** The messageId every record built here carries. */
export const RECORD_MESSAGE_ID = "059f36b4-87a3-44ab-83d2-661975830a7d";

/** The attributes a DLQ copy carries first, in this order: why the message is there. */
export const DLQ_REASON_ATTRIBUTES = ["errorCode", "errorReason", "sourceMessageId"] as const;

/** A message attribute as the Lambda event carries it. */
export function stringAttribute(value: string, dataType = "String"): Attribute {
  return { dataType, stringValue: value, stringListValues: [], binaryListValues: [] };
}

/** A first delivery of `body` from the vehicles queue, sent at 2026-11-28T01:30:00.000Z. */
export function sqsRecord(body: string, messageAttributes: SQSRecord["messageAttributes"] = {}): SQSRecord {
  return {
    messageId: RECORD_MESSAGE_ID,
    receiptHandle: "r",
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1795829400000",
      SenderId: "AIDAIENQZJOLO23YVJ4VO",
      ApproximateFirstReceiveTimestamp: "1795829400500",
    },
    messageAttributes,
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:vehicles",
    awsRegion: "us-east-1",
  };
}
