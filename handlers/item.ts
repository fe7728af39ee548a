import type { SQSRecord } from "aws-lambda";
import { EVENT_ID_ATTRIBUTE } from "../contracts/event-id";
import type { Vehicle } from "../contracts/vehicle";

/** One stored message: the table's partition key is vehicleId and its sort key eventId, so a vehicle's history reads in time order. */
export interface VehicleItem extends Vehicle {
  /** The producer's UUIDv7 (time-ordered, stable across retries), or the SQS messageId for other senders. */
  eventId: string;
  messageId: string;
  /** When SQS accepted the message (SentTimestamp), ISO 8601. */
  sentAt: string;
  /** When this consumer wrote the item, ISO 8601. */
  storedAt: string;
  /** ApproximateReceiveCount: above 1 means SQS delivered it again after a failure or timeout. */
  receiveCount: number;
}

/** The eventId a record names, for logs only (cut short; readEventId decides whether it is usable). */
export function eventIdOf(record: SQSRecord): string {
  const fromProducer = record.messageAttributes?.[EVENT_ID_ATTRIBUTE]?.stringValue?.trim();
  return fromProducer ? fromProducer.slice(0, 64) : record.messageId;
}

/** The item for a valid vehicle; eventId as readEventId accepted it. */
export function buildVehicleItem(vehicle: Vehicle, record: SQSRecord, eventId: string, now: Date): VehicleItem {
  return {
    ...vehicle,
    eventId,
    messageId: record.messageId,
    sentAt: new Date(Number(record.attributes.SentTimestamp)).toISOString(),
    storedAt: now.toISOString(),
    receiveCount: Number(record.attributes.ApproximateReceiveCount),
  };
}
