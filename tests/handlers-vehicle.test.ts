// parseVehicleMessage: every rule, its boundaries, and the exact sentence each problem produces
// (that sentence is what an operator reads in the DLQ's errorReason attribute).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { REJECTION_CODES, VALIDATION_CODES } from "../contracts";
import { parseVehicleMessage } from "../handlers/vehicle";

const NOW = new Date("2026-11-28T00:00:00Z"); // max year 2027
const VALID = { vehicleId: "VH2001", make: "Honda", model: "Civic", year: 2020, color: "Blue", mileage: 15000 };

function parse(value: unknown, now = NOW) {
  return parseVehicleMessage(typeof value === "string" ? value : JSON.stringify(value), now);
}
function rejected(value: unknown, now = NOW) {
  const result = parse(value, now);
  if (result.ok)
    throw new assert.Assertion({
      message: `expected ${JSON.stringify(value)} to be rejected`,
      operator: "rejected",
      expects: "rejection",
      actual: result,
      generated: false,
    });
  return result;
}
function accepted(value: unknown, now = NOW) {
  const result = parse(value, now);
  if (!result.ok)
    throw new assert.Assertion({
      message: `expected acceptance, got ${result.code}: ${result.reason}`,
      operator: "accepted",
      expects: "vehicle",
      actual: result,
      generated: false,
    });
  return result.vehicle;
}

test("the contract's example is accepted as is", () => {
  assert.equal(accepted(VALID), VALID);
});

test("strings are trimmed", () => {
  const vehicle = accepted({ ...VALID, vehicleId: " VH2001 ", make: "  Honda", model: "Civic  ", color: "\tBlue\n" });
  assert.equal(vehicle, VALID);
});

test("INVALID_JSON carries the parser's message", () => {
  assert.equal(rejected('{"vehicleId":'), {
    ok: false,
    code: "INVALID_JSON",
    reason: "body is not valid JSON: Unexpected end of JSON input",
  });
  assert.equal(rejected(""), {
    ok: false,
    code: "INVALID_JSON",
    reason: "body is not valid JSON: Unexpected end of JSON input",
  });
  const result = rejected("vehicle VH2001");
  assert.is(result.code, "INVALID_JSON");
  assert.match(result.reason, /^body is not valid JSON: Unexpected token 'v'/);
});

test("NOT_AN_OBJECT names what the body was", () => {
  for (const [body, kind] of [
    ["[]", "array"],
    ["null", "null"],
    ["42", "number"],
    ['"VH2001"', "string"],
    ["true", "boolean"],
  ] as const) {
    assert.equal(rejected(body), {
      ok: false,
      code: "NOT_AN_OBJECT",
      reason: `body must be a JSON object, got ${kind}`,
    });
  }
});

test("MISSING_FIELD for each field, in schema order", () => {
  for (const field of Object.keys(VALID)) {
    const { [field as keyof typeof VALID]: _dropped, ...rest } = VALID;
    assert.equal(rejected(rest), { ok: false, code: "MISSING_FIELD", reason: `missing field "${field}"` }, field);
  }
  assert.equal(rejected({}), { ok: false, code: "MISSING_FIELD", reason: 'missing field "vehicleId"' });
});

test("WRONG_TYPE for each field, quoting the value", () => {
  assert.equal(rejected({ ...VALID, vehicleId: 2001 }), {
    ok: false,
    code: "WRONG_TYPE",
    reason: 'field "vehicleId" must be a string, got number 2001',
  });
  assert.equal(rejected({ ...VALID, make: null }), {
    ok: false,
    code: "WRONG_TYPE",
    reason: 'field "make" must be a string, got null null',
  });
  assert.equal(rejected({ ...VALID, model: ["Civic"] }), {
    ok: false,
    code: "WRONG_TYPE",
    reason: 'field "model" must be a string, got array ["Civic"]',
  });
  assert.equal(rejected({ ...VALID, year: "2020" }), {
    ok: false,
    code: "WRONG_TYPE",
    reason: 'field "year" must be a number, got string "2020"',
  });
  assert.equal(rejected({ ...VALID, color: true }), {
    ok: false,
    code: "WRONG_TYPE",
    reason: 'field "color" must be a string, got boolean true',
  });
  assert.equal(rejected({ ...VALID, mileage: { km: 1 } }), {
    ok: false,
    code: "WRONG_TYPE",
    reason: 'field "mileage" must be a number, got object {"km":1}',
  });
});

test("a huge offending value is quoted cut short", () => {
  const reason = rejected({ ...VALID, make: ["x".repeat(10_000)] }).reason;
  assert.is(reason, `field "make" must be a string, got array ["${"x".repeat(75)}...`);
});

test("year: 1886 to next year inclusive, integers only", () => {
  assert.is(accepted({ ...VALID, year: 1886 }).year, 1886);
  assert.is(accepted({ ...VALID, year: 2027 }).year, 2027);
  assert.equal(rejected({ ...VALID, year: 1885 }), {
    ok: false,
    code: "OUT_OF_RANGE",
    reason: "year 1885 is out of range: must be an integer from 1886 to 2027",
  });
  assert.equal(rejected({ ...VALID, year: 2028 }), {
    ok: false,
    code: "OUT_OF_RANGE",
    reason: "year 2028 is out of range: must be an integer from 1886 to 2027",
  });
  assert.equal(rejected({ ...VALID, year: 1700 }), {
    ok: false,
    code: "OUT_OF_RANGE",
    reason: "year 1700 is out of range: must be an integer from 1886 to 2027",
  });
  assert.equal(rejected({ ...VALID, year: 2020.5 }), {
    ok: false,
    code: "OUT_OF_RANGE",
    reason: "year 2020.5 is out of range: must be an integer from 1886 to 2027",
  });
});

test("the year bound follows the clock (UTC)", () => {
  assert.is(accepted({ ...VALID, year: 2028 }, new Date("2027-01-01T00:00:00Z")).year, 2028);
  assert.is(rejected({ ...VALID, year: 2028 }, new Date("2026-12-31T23:59:59Z")).code, "OUT_OF_RANGE");
});

test("mileage: a number from 0 to 2,000,000 inclusive", () => {
  assert.is(accepted({ ...VALID, mileage: 0 }).mileage, 0);
  assert.is(accepted({ ...VALID, mileage: 2_000_000 }).mileage, 2_000_000);
  assert.is(accepted({ ...VALID, mileage: 12.5 }).mileage, 12.5);
  assert.equal(rejected({ ...VALID, mileage: -1 }), {
    ok: false,
    code: "OUT_OF_RANGE",
    reason: "mileage -1 is out of range: must be a finite number from 0 to 2000000",
  });
  assert.equal(rejected({ ...VALID, mileage: 2_000_001 }), {
    ok: false,
    code: "OUT_OF_RANGE",
    reason: "mileage 2000001 is out of range: must be a finite number from 0 to 2000000",
  });
  // JSON has no Infinity, but 1e999 parses to it.
  assert.equal(
    rejected('{"vehicleId":"VH2001","make":"Honda","model":"Civic","year":2020,"color":"Blue","mileage":1e999}'),
    {
      ok: false,
      code: "OUT_OF_RANGE",
      reason: "mileage Infinity is out of range: must be a finite number from 0 to 2000000",
    },
  );
});

test("vehicleId: VH then 4 to 8 digits", () => {
  assert.is(accepted({ ...VALID, vehicleId: "VH0000" }).vehicleId, "VH0000");
  assert.is(accepted({ ...VALID, vehicleId: "VH12345678" }).vehicleId, "VH12345678");
  for (const bad of ["VH123", "VH123456789", "vh2001", "VX2001", "VH20O1", "VH 2001", ""]) {
    assert.equal(
      rejected({ ...VALID, vehicleId: bad }),
      {
        ok: false,
        code: "BAD_FORMAT",
        reason: `vehicleId ${JSON.stringify(bad)} does not match ^VH\\d{4,8}$ (e.g. "VH2001")`,
      },
      bad,
    );
  }
});

test("make, model, color: non-empty after trimming, at most 64 characters", () => {
  for (const field of ["make", "model", "color"]) {
    assert.is(accepted({ ...VALID, [field]: "x".repeat(64) })[field as "make"], "x".repeat(64));
    assert.is(
      accepted({ ...VALID, [field]: ` ${"x".repeat(64)} ` })[field as "make"].length,
      64,
      "length counts after trimming",
    );
    assert.equal(rejected({ ...VALID, [field]: "x".repeat(65) }), {
      ok: false,
      code: "BAD_FORMAT",
      reason: `${field} is 65 characters long: at most 64 allowed`,
    });
    for (const empty of ["", "   ", "\t\n"]) {
      assert.equal(rejected({ ...VALID, [field]: empty }), {
        ok: false,
        code: "BAD_FORMAT",
        reason: `${field} is empty after trimming: it must name something`,
      });
    }
  }
});

test("UNKNOWN_FIELD rejects extra fields rather than dropping them", () => {
  assert.equal(rejected({ ...VALID, owner: "Ann" }), {
    ok: false,
    code: "UNKNOWN_FIELD",
    reason: 'unknown field "owner": the schema does not allow extra fields',
  });
  assert.equal(rejected({ ...VALID, vin: null }), {
    ok: false,
    code: "UNKNOWN_FIELD",
    reason: 'unknown field "vin": the schema does not allow extra fields',
  });
});

test("with several problems the first field in schema order decides, and extra fields come last", () => {
  assert.is(
    rejected({ ...VALID, year: 1, mileage: -1 }).reason,
    "year 1 is out of range: must be an integer from 1886 to 2027",
  );
  assert.is(rejected({ ...VALID, make: undefined, owner: "x" }).code, "MISSING_FIELD");
});

test("nesting is bounded before JSON.parse: 20,000 levels are refused with their own code, not a stack overflow", () => {
  const body = `{"vehicleId":"VH1","make":${"[".repeat(20_000)}${"]".repeat(20_000)},"model":"m","year":2020,"color":"c","mileage":1}`;
  const result = rejected(body);
  assert.is(result.code, "NESTING_TOO_DEEP");
  assert.match(result.reason, /deeper than 32 levels/);
  assert.is(rejected({ ...VALID, make: [[[[1]]]] }).code, "WRONG_TYPE", "shallow nesting reaches the schema");
});

test("a key repeated in the body is refused, not resolved by keeping the last", () => {
  const body =
    '{"vehicleId":"VH900015","vehicleId":"VH900115","make":"Honda","model":"Civic","year":2020,"color":"Blue","mileage":1}';
  const result = rejected(body);
  assert.is(result.code, "DUPLICATE_KEY");
  assert.match(result.reason, /"vehicleId" appears more than once/);
  assert.is(rejected('{"vehicleId":"VH1","vehicleId":').code, "INVALID_JSON", "invalid JSON is reported as such");
});

test("text fields refuse control characters and values with nothing visible in them", () => {
  for (const make of ["\u0000", "Hon\u0000da", "Hon\nda", "\u200b", "\u200b\u200d", "\u0301", "\ud800x"]) {
    // JSON.stringify writes control characters as escapes (\u0000), as a sender's JSON would.
    assert.is(rejected({ ...VALID, make }).code, "UNPRINTABLE_TEXT", JSON.stringify(make));
  }
  for (const make of ["Škoda", "日産", "Citro\u00ebn", "👨\u200d🔧 Garage", "A\u00a0B"]) {
    assert.ok(parse({ ...VALID, make }).ok, make);
  }
});

test("every code the parser returns is a validation code, and each parser code is reachable", () => {
  const bodies = [
    "{",
    "[]",
    {},
    { ...VALID, year: "x" },
    { ...VALID, year: 1 },
    { ...VALID, vehicleId: "x" },
    { ...VALID, extra: 1 },
    `{"make":${"[".repeat(40)}`,
    '{"a":1,"a":2}',
    { ...VALID, make: "\u0000" },
  ];
  const codes = bodies.map((b) => rejected(b).code);
  // The rest are decided by the consumer, not the body: eventId, conflicts, and failures of the write itself.
  const consumerCodes = ["BAD_EVENT_ID", "EVENT_ID_CONFLICT", "STORE_REJECTED", "CONSUMER_ERROR"];
  assert.equal([...codes, ...consumerCodes].sort(), [...REJECTION_CODES].sort());
  assert.ok(
    codes.every((code) => VALIDATION_CODES.includes(code)),
    "what the body decides counts as a validation failure",
  );
  assert.not.ok(VALIDATION_CODES.includes("STORE_REJECTED") || VALIDATION_CODES.includes("CONSUMER_ERROR"));
});

test.run();
