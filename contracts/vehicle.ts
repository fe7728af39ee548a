/**
 * The vehicle message: the body the producer sends and the consumer validates and stores. Its rules are shared by the
 * consumer's schema (handlers/), the producer's valid and deliberately malformed vehicles (producer/), and the
 * embedded cloud's verification. Serialized into the Lambda archive with the consumer: plain values only.
 */

/** One vehicle as the producer sends it, after trimming. */
export interface Vehicle {
  vehicleId: string;
  make: string;
  model: string;
  year: number;
  color: string;
  mileage: number;
}

/** The fields that make two messages the same vehicle event; a stored item carries them unchanged from the body. */
export const VEHICLE_FIELDS: readonly (keyof Vehicle)[] = ["vehicleId", "make", "model", "year", "color", "mileage"];

/** The text fields: names people read, so control characters and invisible-only values are refused. */
export const VEHICLE_TEXT_FIELDS = ["make", "model", "color"] as const;

/** `VH` and 4 to 8 digits, e.g. VH2001. */
export const VEHICLE_ID_PATTERN = /^VH\d{4,8}$/;
/** The first car (Benz Patent-Motorwagen) is from 1886; next year's models are on sale this year. */
export const MIN_MODEL_YEAR = 1886;
/** Beyond any real odometer; larger values are typos or unit mix-ups. */
export const MAX_MILEAGE = 2_000_000;
/** Keeps items small and dashboards readable; no real make, model or colour name is longer. */
export const MAX_TEXT_LENGTH = 64;

/** The latest model year accepted at `now`: next year's models are on sale this year. */
export function maxModelYear(now: Date): number {
  return now.getUTCFullYear() + 1;
}
