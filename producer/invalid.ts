import type { Faker } from "@faker-js/faker";
import { INVALID_KINDS, type InvalidKind, MAX_MILEAGE, MIN_MODEL_YEAR, VEHICLE_FIELDS } from "../contracts";
import type { VehicleMessage } from "./vehicles";

// The malformed kinds and the code the consumer must give each live in the contracts; this module builds their bodies.
export { INVALID_KINDS, type InvalidKind } from "../contracts";

/** Builds the body of a malformed message of `kind` from a valid vehicle, varying how it is broken. */
export function malformedBody(kind: InvalidKind, vehicle: VehicleMessage, faker: Faker, maxYear: number): string {
  switch (kind) {
    case "invalid-json": {
      const json = JSON.stringify(vehicle);
      return faker.helpers.arrayElement([
        // A body cut short, as a truncated write would leave it.
        json.slice(0, faker.number.int({ min: 1, max: json.length - 1 })),
        // JavaScript-ish object literal, a common hand-written mistake.
        json.replace(/"(\w+)":/g, "$1:"),
        // A trailing comma.
        `${json.slice(0, -1)},}`,
      ]);
    }
    case "missing-field": {
      const missing = faker.helpers.arrayElement(VEHICLE_FIELDS);
      const { [missing]: _dropped, ...rest } = vehicle;
      return JSON.stringify(rest);
    }
    case "wrong-type": {
      const field = faker.helpers.arrayElement(VEHICLE_FIELDS);
      const value = vehicle[field];
      // Numbers become strings ("2020"), strings become numbers: both are type errors, never coerced.
      const wrong = typeof value === "number" ? String(value) : faker.number.int({ min: 1, max: 9999 });
      return JSON.stringify({ ...vehicle, [field]: wrong });
    }
    case "out-of-range": {
      return JSON.stringify(
        faker.helpers.arrayElement([
          { ...vehicle, year: faker.number.int({ min: 1700, max: MIN_MODEL_YEAR - 1 }) },
          { ...vehicle, year: maxYear + faker.number.int({ min: 1, max: 50 }) },
          { ...vehicle, mileage: -faker.number.int({ min: 1, max: 100_000 }) },
          { ...vehicle, mileage: faker.number.int({ min: MAX_MILEAGE + 1, max: 9_999_999 }) },
        ]),
      );
    }
  }
}

/**
 * Whether the index-th message is a malformed one. Spread evenly and exactly rather than at random:
 * 1,000 messages at 0.05 gives exactly 50 malformed ones, so a test or a verification can predict them.
 */
export function isInvalidAt(index: number, ratio: number): boolean {
  if (ratio <= 0) return false;
  if (ratio >= 1) return true;
  return Math.floor((index + 1) * ratio + 1e-9) > Math.floor(index * ratio + 1e-9);
}

/** The kind of the n-th malformed message (0-based): the kinds take turns so each is exercised. */
export function invalidKindAt(invalidIndex: number): InvalidKind {
  return INVALID_KINDS[invalidIndex % INVALID_KINDS.length]!;
}
