import type { SQSRecord } from "aws-lambda";

/** DynamoDB's limit for a sort key value, in UTF-8 bytes; eventId is the table's sort key. */
export const MAX_EVENT_ID_BYTES = 1024;

export type EventIdResult = { ok: true; eventId: string } | { ok: false; reason: string };

/**
 * The idempotency key of a record. An `eventId` attribute, when present, must be a String (or a custom String.*
 * type), non-empty after trimming, and at most MAX_EVENT_ID_BYTES: anything else is refused rather than ignored,
 * since ignoring it would store a sender's retries as separate items. Without the attribute, the SQS messageId
 * (unique per SendMessage) is the key.
 */
export function readEventId(record: SQSRecord): EventIdResult {
  const attribute = record.messageAttributes?.eventId;
  if (!attribute) return { ok: true, eventId: record.messageId };
  const type = attribute.dataType ?? "";
  if (type !== "String" && !type.startsWith("String.")) {
    return { ok: false, reason: `eventId attribute has DataType ${JSON.stringify(type)}: it must be a String` };
  }
  const eventId = (attribute.stringValue ?? "").trim();
  if (!eventId) return { ok: false, reason: "eventId attribute is empty: it must name the event" };
  const bytes = Buffer.byteLength(eventId, "utf8");
  if (bytes > MAX_EVENT_ID_BYTES) {
    return {
      ok: false,
      reason: `eventId attribute is ${bytes} bytes long: at most ${MAX_EVENT_ID_BYTES} (DynamoDB's sort key limit)`,
    };
  }
  return { ok: true, eventId };
}
