import { base, en, Faker } from "@faker-js/faker";
import { uuidv7 } from "uuidv7";
import { INVALID_KINDS, type InvalidKind, invalidKindAt, isInvalidAt, malformedBody } from "./invalid";
import { VehicleFactory } from "./vehicles";

export type MessageKind = "valid" | InvalidKind;
export const MESSAGE_KINDS: readonly MessageKind[] = ["valid", ...INVALID_KINDS];

/**
 * One logical message of a run, from the source that makes it to the summary that lists it once the queue accepted
 * it: its eventId is made once and travels unchanged through every retry, and SQS's messageId is added on acceptance.
 */
export interface OutgoingMessage {
  /** UUIDv7, time-ordered; sent as the `eventId` message attribute. */
  eventId: string;
  body: string;
  kind: MessageKind;
  /** The vehicle the body describes (also set for malformed bodies, where the consumer may not be able to read it). */
  vehicleId: string;
  /** SQS's id for it, once the queue accepted it. */
  messageId?: string;
}

/** The message attributes an outgoing message carries: its eventId, so the consumer stores each message once. */
export function messageAttributesOf(message: Pick<OutgoingMessage, "eventId">): {
  eventId: { DataType: "String"; StringValue: string };
} {
  return { eventId: { DataType: "String", StringValue: message.eventId } };
}

/** Makes the index-th message of a run. The producer's default is VehicleMessageSource; tests pass their own. */
export interface MessageSource {
  create(index: number): OutgoingMessage;
}

export interface VehicleMessageSourceOptions {
  seed: number;
  /** Share of malformed messages, 0 to 1. */
  invalidRatio?: number;
  now?: Date;
}

/** Realistic vehicles from a seeded faker, with malformed ones mixed in at `invalidRatio`. */
export class VehicleMessageSource implements MessageSource {
  private readonly vehicles: VehicleFactory;
  /** A second seeded stream for breaking messages, so the vehicles of a seed do not depend on the invalid ratio. */
  private readonly breaker: Faker;
  private readonly invalidRatio: number;
  private readonly maxYear: number;

  constructor(options: VehicleMessageSourceOptions) {
    const now = options.now ?? new Date();
    this.vehicles = new VehicleFactory(options.seed, now);
    this.breaker = new Faker({ locale: [en, base], seed: options.seed + 1 });
    this.invalidRatio = options.invalidRatio ?? 0;
    this.maxYear = now.getUTCFullYear() + 1;
  }

  create(index: number): OutgoingMessage {
    const vehicle = this.vehicles.create(index);
    const eventId = uuidv7();
    if (!isInvalidAt(index, this.invalidRatio)) {
      return { eventId, body: JSON.stringify(vehicle), kind: "valid", vehicleId: vehicle.vehicleId };
    }
    const kind = invalidKindAt(invalidCountBefore(index, this.invalidRatio));
    return {
      eventId,
      body: malformedBody(kind, vehicle, this.breaker, this.maxYear),
      kind,
      vehicleId: vehicle.vehicleId,
    };
  }
}

/** How many malformed messages come before the index-th one (the running count isInvalidAt implies). */
export function invalidCountBefore(index: number, ratio: number): number {
  if (ratio <= 0) return 0;
  if (ratio >= 1) return index;
  return Math.floor(index * ratio + 1e-9);
}
