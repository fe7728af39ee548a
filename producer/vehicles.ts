import { base, en, Faker } from "@faker-js/faker";
import type { Vehicle } from "../contracts";

/** The message body the consumer expects: the consumer's own type, so the two cannot drift apart. */
export type VehicleMessage = Vehicle;

/** Vehicle ids count up from here: VH2001, VH2002, ... */
const FIRST_VEHICLE_NUMBER = 2001;
/** Model years before this are rare on the road and make the data look like a museum. */
export const OLDEST_MODEL_YEAR = 1990;
/** Average distance driven per year (US DOT: about 13,500 miles); the spread makes some cars barely driven, some worked hard. */
const MILES_PER_YEAR = { min: 5_000, max: 18_000 };

/**
 * faker's vehicle.manufacturer() and vehicle.model() are drawn independently ("Lamborghini Prius"), so we
 * draw a model from faker's own model list and attach the make that really built it, with the model
 * years it was sold. Models faker lists that are not cars (or not one make's) are left out on purpose:
 * tests check every model faker knows is either here or in IGNORED_FAKER_MODELS, so an upgrade of faker
 * that adds models is noticed rather than silently skipped.
 */
export const MODEL_CATALOG: Readonly<Record<string, { make: string; from: number; to?: number }>> = {
  "911": { make: "Porsche", from: 1964 },
  A4: { make: "Audi", from: 1994 },
  A8: { make: "Audi", from: 1994 },
  ATS: { make: "Cadillac", from: 2013, to: 2019 },
  Accord: { make: "Honda", from: 1976 },
  Altima: { make: "Nissan", from: 1993 },
  Aventador: { make: "Lamborghini", from: 2011, to: 2022 },
  Beetle: { make: "Volkswagen", from: 1938, to: 2019 },
  CTS: { make: "Cadillac", from: 2003, to: 2019 },
  "CX-9": { make: "Mazda", from: 2007, to: 2023 },
  Camaro: { make: "Chevrolet", from: 1967, to: 2024 },
  Camry: { make: "Toyota", from: 1982 },
  Challenger: { make: "Dodge", from: 2008, to: 2023 },
  Charger: { make: "Dodge", from: 2006 },
  Civic: { make: "Honda", from: 1972 },
  Colorado: { make: "Chevrolet", from: 2004 },
  Corvette: { make: "Chevrolet", from: 1953 },
  Cruze: { make: "Chevrolet", from: 2008, to: 2019 },
  Durango: { make: "Dodge", from: 1998 },
  Element: { make: "Honda", from: 2003, to: 2011 },
  Escalade: { make: "Cadillac", from: 1999 },
  Expedition: { make: "Ford", from: 1997 },
  Explorer: { make: "Ford", from: 1991 },
  "F-150": { make: "Ford", from: 1975 },
  Fiesta: { make: "Ford", from: 1976, to: 2023 },
  Focus: { make: "Ford", from: 1998, to: 2025 },
  Fortwo: { make: "Smart", from: 1998, to: 2024 },
  Golf: { make: "Volkswagen", from: 1974 },
  "Grand Caravan": { make: "Dodge", from: 1987, to: 2020 },
  "Grand Cherokee": { make: "Jeep", from: 1993 },
  Impala: { make: "Chevrolet", from: 1958, to: 2020 },
  Jetta: { make: "Volkswagen", from: 1979 },
  "Land Cruiser": { make: "Toyota", from: 1951 },
  LeBaron: { make: "Chrysler", from: 1977, to: 1995 },
  Malibu: { make: "Chevrolet", from: 1964, to: 2025 },
  "Model 3": { make: "Tesla", from: 2017 },
  "Model S": { make: "Tesla", from: 2012 },
  "Model X": { make: "Tesla", from: 2015 },
  "Model Y": { make: "Tesla", from: 2020 },
  Murcielago: { make: "Lamborghini", from: 2001, to: 2010 },
  Mustang: { make: "Ford", from: 1964 },
  "PT Cruiser": { make: "Chrysler", from: 2000, to: 2010 },
  Prius: { make: "Toyota", from: 1997 },
  Roadster: { make: "Tesla", from: 2008, to: 2012 },
  Sentra: { make: "Nissan", from: 1982 },
  Silverado: { make: "Chevrolet", from: 1999 },
  Taurus: { make: "Ford", from: 1986, to: 2019 },
  V90: { make: "Volvo", from: 1997 },
  Volt: { make: "Chevrolet", from: 2011, to: 2019 },
  Wrangler: { make: "Jeep", from: 1987 },
  XC90: { make: "Volvo", from: 2002 },
  XTS: { make: "Cadillac", from: 2013, to: 2019 },
};

/** Models in faker's list we do not generate: series numbers without a make, or names several makes used, or out of production before 1990. */
export const IGNORED_FAKER_MODELS: readonly string[] = [
  "1",
  "2",
  "Alpine",
  "Countach",
  "El Camino",
  "Model T",
  "Ranchero",
  "Spyder",
];

/** The vehicle examples, tests and benchmarks write by hand: the first id a run sends, a common car. */
export const EXAMPLE_VEHICLE: Readonly<VehicleMessage> = {
  vehicleId: "VH2001",
  make: "Honda",
  model: "Civic",
  year: 2020,
  color: "Blue",
  mileage: 15000,
};

/** Seeded generator of realistic vehicles; the same seed yields the same sequence. */
export class VehicleFactory {
  private readonly faker: Faker;
  private readonly models: string[];
  private readonly nextModelYear: number;

  constructor(seed: number, now: Date = new Date()) {
    this.faker = new Faker({ locale: [en, base], seed });
    this.nextModelYear = now.getUTCFullYear() + 1;
    // Keep faker's order (stable across runs) and only the models we can pair with their make.
    this.models = this.faker.definitions.vehicle.model.filter((model) => {
      const entry = MODEL_CATALOG[model];
      return (
        entry !== undefined &&
        Math.max(entry.from, OLDEST_MODEL_YEAR) <= Math.min(entry.to ?? this.nextModelYear, this.nextModelYear)
      );
    });
    if (this.models.length === 0)
      throw new Error("faker's vehicle model list has no model in MODEL_CATALOG: update producer/vehicles.ts");
  }

  /** The vehicle for the index-th message of a run (0-based): vehicleId VH2001 + index. */
  create(index: number): VehicleMessage {
    const f = this.faker;
    const model = f.helpers.arrayElement(this.models);
    const entry = MODEL_CATALOG[model]!;
    const year = f.number.int({
      min: Math.max(entry.from, OLDEST_MODEL_YEAR),
      max: Math.min(entry.to ?? this.nextModelYear, this.nextModelYear),
    });
    // Next year's models are weeks old (delivery and first miles); older cars have driven for whole years plus part of this one.
    const thisYear = this.nextModelYear - 1;
    const ageYears =
      year > thisYear ? f.number.float({ min: 0, max: 0.15 }) : thisYear - year + f.number.float({ min: 0.05, max: 1 });
    const mileage = Math.round(ageYears * f.number.int(MILES_PER_YEAR));
    return {
      vehicleId: vehicleIdFor(index),
      make: entry.make,
      model,
      year,
      color: capitalize(f.vehicle.color()),
      mileage,
    };
  }
}

function vehicleIdFor(index: number): string {
  return `VH${FIRST_VEHICLE_NUMBER + index}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
