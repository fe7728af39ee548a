/**
 * The idempotency key a sender attaches to a message: the `eventId` message attribute (the producer's UUIDv7,
 * unchanged on retries), the table's sort key. Serialized into the Lambda archive with the consumer: pure code only.
 */
export const EVENT_ID_ATTRIBUTE = "eventId";

/** DynamoDB's limit for a sort key value, in UTF-8 bytes; eventId is the table's sort key. */
export const MAX_EVENT_ID_BYTES = 1024;

export type EventIdCheck = { ok: true; eventId: string } | { ok: false; reason: string };

/**
 * An `eventId` attribute must be a String (or a custom String.* type), non-empty after trimming, and at most
 * MAX_EVENT_ID_BYTES: anything else is refused rather than ignored, since ignoring it would store a sender's retries
 * as separate items.
 */
export function checkEventId(dataType: string | undefined, value: string | undefined): EventIdCheck {
  const type = dataType ?? "";
  if (type !== "String" && !type.startsWith("String.")) {
    return { ok: false, reason: `eventId attribute has DataType ${JSON.stringify(type)}: it must be a String` };
  }
  const eventId = (value ?? "").trim();
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
