import { base, en, Faker } from "@faker-js/faker";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { INVALID_KIND_CODES, INVALID_KINDS } from "../contracts";
import { parseVehicleMessage } from "../handlers/vehicle";
import { invalidKindAt, isInvalidAt, malformedBody } from "../producer/invalid";
import { batchesOf, MessageTooLargeError, sizeOf } from "../producer/message-size";
import { invalidCountBefore, VehicleMessageSource } from "../producer/messages";
import { IGNORED_FAKER_MODELS, MODEL_CATALOG, OLDEST_MODEL_YEAR, VehicleFactory } from "../producer/vehicles";

const messages = suite("producer messages");
const NOW = new Date("2026-11-28T00:00:00Z");
const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

messages("vehicles are realistic and pass the consumer's parser", () => {
  const factory = new VehicleFactory(42, NOW);
  for (let i = 0; i < 2000; i++) {
    const vehicle = factory.create(i);
    assert.is(vehicle.vehicleId, `VH${2001 + i}`);
    const entry = MODEL_CATALOG[vehicle.model];
    assert.ok(entry, `unknown model ${vehicle.model}`);
    assert.is(vehicle.make, entry!.make, `${vehicle.model} is made by ${entry!.make}`);
    assert.ok(
      vehicle.year >= Math.max(OLDEST_MODEL_YEAR, entry!.from) && vehicle.year <= Math.min(entry!.to ?? 2027, 2027),
      `${vehicle.model} ${vehicle.year}`,
    );
    assert.ok(
      Number.isInteger(vehicle.mileage) &&
        vehicle.mileage >= 0 &&
        vehicle.mileage <= Math.max(1, 2027 - vehicle.year) * 18_000,
      `mileage ${vehicle.mileage} for ${vehicle.year}`,
    );
    assert.match(vehicle.color, /^[A-Z][a-z ]+$/);
    const parsed = parseVehicleMessage(JSON.stringify(vehicle), NOW);
    assert.ok(parsed.ok, JSON.stringify(parsed));
  }
});

messages("the same seed gives the same vehicles; another seed does not", () => {
  const a = new VehicleFactory(7, NOW);
  const b = new VehicleFactory(7, NOW);
  const c = new VehicleFactory(8, NOW);
  const first = Array.from({ length: 20 }, (_, i) => a.create(i));
  assert.equal(
    Array.from({ length: 20 }, (_, i) => b.create(i)),
    first,
  );
  assert.not.equal(
    Array.from({ length: 20 }, (_, i) => c.create(i)),
    first,
  );
});

messages("every model faker knows is paired with its make or deliberately left out", () => {
  const faker = new Faker({ locale: [en, base] });
  for (const model of faker.definitions.vehicle.model) {
    assert.ok(
      model in MODEL_CATALOG || IGNORED_FAKER_MODELS.includes(model),
      `faker model ${JSON.stringify(model)} is in neither list`,
    );
  }
});

messages("invalid messages are spread exactly at the ratio and take turns by kind", () => {
  const flags = Array.from({ length: 1000 }, (_, i) => isInvalidAt(i, 0.05));
  assert.is(flags.filter(Boolean).length, 50);
  assert.is(Array.from({ length: 137 }, (_, i) => isInvalidAt(i, 0.1)).filter(Boolean).length, 13);
  assert.is(Array.from({ length: 10 }, (_, i) => isInvalidAt(i, 1)).filter(Boolean).length, 10);
  assert.is(Array.from({ length: 10 }, (_, i) => isInvalidAt(i, 0)).filter(Boolean).length, 0);
  assert.equal([0, 1, 2, 3, 4].map(invalidKindAt), [
    "invalid-json",
    "missing-field",
    "wrong-type",
    "out-of-range",
    "invalid-json",
  ]);
  // invalidCountBefore agrees with counting isInvalidAt.
  let seen = 0;
  for (let i = 0; i < 500; i++) {
    assert.is(invalidCountBefore(i, 0.3), seen);
    if (isInvalidAt(i, 0.3)) seen++;
  }
});

messages("each malformed kind is rejected by the consumer with the code the contract names", () => {
  const faker = new Faker({ locale: [en, base], seed: 3 });
  const factory = new VehicleFactory(3, NOW);
  for (const kind of INVALID_KINDS) {
    for (let i = 0; i < 200; i++) {
      const body = malformedBody(kind, factory.create(i), faker, 2027);
      const parsed = parseVehicleMessage(body, NOW);
      assert.is(parsed.ok, false, `${kind}: ${body}`);
      if (!parsed.ok) assert.is(parsed.code, INVALID_KIND_CODES[kind], `${kind}: ${body} -> ${parsed.reason}`);
    }
  }
});

messages(
  "the message source mixes kinds at the ratio, with UUIDv7 eventIds, and valid ones do not depend on the ratio",
  () => {
    const mixed = new VehicleMessageSource({ seed: 11, invalidRatio: 0.25, now: NOW });
    const clean = new VehicleMessageSource({ seed: 11, invalidRatio: 0, now: NOW });
    const counts: Record<string, number> = {};
    const eventIds = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const message = mixed.create(i);
      const reference = clean.create(i);
      counts[message.kind] = (counts[message.kind] ?? 0) + 1;
      assert.match(message.eventId, UUIDV7);
      eventIds.add(message.eventId);
      assert.is(message.vehicleId, `VH${2001 + i}`);
      const parsed = parseVehicleMessage(message.body, NOW);
      if (message.kind === "valid") {
        assert.ok(parsed.ok);
        assert.is(message.body, reference.body);
      } else {
        assert.is(parsed.ok, false);
        if (!parsed.ok) assert.is(parsed.code, INVALID_KIND_CODES[message.kind]);
      }
    }
    assert.equal(counts, { valid: 300, "invalid-json": 25, "missing-field": 25, "wrong-type": 25, "out-of-range": 25 });
    assert.is(eventIds.size, 400);
  },
);

messages("batches are cut at the batch size and the payload limit; an oversized message is refused", () => {
  const make = (i: number, size: number) => ({
    eventId: `e${i}`,
    body: "x".repeat(size),
    kind: "valid" as const,
    vehicleId: `VH${2001 + i}`,
  });
  const limit = { bytes: 1000, source: "test" };
  const small = Array.from({ length: 25 }, (_, i) => make(i, 10));
  assert.equal(
    batchesOf(small, 10, limit).map((b) => b.length),
    [10, 10, 5],
  );
  assert.equal(
    batchesOf(small, 3, limit).map((b) => b.length),
    [3, 3, 3, 3, 3, 3, 3, 3, 1],
  );
  const big = Array.from({ length: 5 }, (_, i) => make(i, 900));
  assert.equal(
    batchesOf(big, 10, limit, 2000).map((b) => b.length),
    [2, 2, 1],
  );
  assert.is(sizeOf(make(0, 10)), 10 + "eventId".length + "String".length + 2);
  try {
    batchesOf([make(0, 10), make(1, 990)], 10, limit);
    assert.unreachable("should refuse");
  } catch (error) {
    assert.instance(error, MessageTooLargeError);
    assert.is(
      (error as Error).message,
      "message e1 is 1005 bytes (body plus attributes), above the queue's limit of 1000 bytes (test); nothing more was sent",
    );
  }
});

messages.run();
