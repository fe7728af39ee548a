import type { SQSRecord } from "aws-lambda";
import { checkEventId, EVENT_ID_ATTRIBUTE, type EventIdCheck } from "../contracts/event-id";

/**
 * The idempotency key of a record: its `eventId` attribute when present, checked by the contract's rule (refused,
 * never ignored, when unusable); without one, the SQS messageId (unique per SendMessage).
 */
export function readEventId(record: SQSRecord): EventIdCheck {
  const attribute = record.messageAttributes?.[EVENT_ID_ATTRIBUTE];
  if (!attribute) return { ok: true, eventId: record.messageId };
  return checkEventId(attribute.dataType, attribute.stringValue);
}
