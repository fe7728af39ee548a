import type { BaseIssue } from "valibot";
import { check, maxLength, nonEmpty, number, pipe, regex, safeParse, strictObject, string, trim } from "valibot";
import type { RejectionCode } from "../contracts/rejection-codes";
import {
  MAX_MILEAGE,
  MAX_TEXT_LENGTH,
  MIN_MODEL_YEAR,
  maxModelYear,
  VEHICLE_ID_PATTERN,
  VEHICLE_TEXT_FIELDS,
  type Vehicle,
} from "../contracts/vehicle";
import { MAX_JSON_DEPTH, scanJsonStructure } from "./json-structure";

export type VehicleParseResult = { ok: true; vehicle: Vehicle } | { ok: false; code: RejectionCode; reason: string };

// Named imports only (no `import * as v`): Pulumi's closure serializer turns a captured module object
// into a `require("valibot")`, but fails on the wrapper object a namespace import compiles to.

/**
 * The schema is built per call, not at module scope: its upper year bound moves with the clock, and a
 * schema captured at module scope would be serialized into the Lambda text by value.
 */
function vehicleSchema(maxYear: number) {
  const text = (field: string) =>
    pipe(
      string(),
      trim(),
      nonEmpty(`${field} is empty after trimming: it must name something`),
      maxLength(
        MAX_TEXT_LENGTH,
        (issue) => `${field} is ${String(issue.input.length)} characters long: at most ${MAX_TEXT_LENGTH} allowed`,
      ),
    );
  return strictObject({
    vehicleId: pipe(
      string(),
      trim(),
      regex(
        VEHICLE_ID_PATTERN,
        (issue) => `vehicleId ${preview(issue.input)} does not match ${VEHICLE_ID_PATTERN.source} (e.g. "VH2001")`,
      ),
    ),
    make: text("make"),
    model: text("model"),
    year: pipe(
      number(),
      check(
        (year) => Number.isInteger(year) && year >= MIN_MODEL_YEAR && year <= maxYear,
        (issue) =>
          `year ${String(issue.input)} is out of range: must be an integer from ${MIN_MODEL_YEAR} to ${maxYear}`,
      ),
    ),
    color: text("color"),
    mileage: pipe(
      number(),
      check(
        (mileage) => Number.isFinite(mileage) && mileage >= 0 && mileage <= MAX_MILEAGE,
        (issue) => `mileage ${String(issue.input)} is out of range: must be a finite number from 0 to ${MAX_MILEAGE}`,
      ),
    ),
  });
}

/**
 * Parse and validate one SQS message body. Never throws: every problem becomes a code and a sentence
 * that names the field and the rule, because that sentence is all an operator sees in the DLQ.
 * Unknown fields are rejected, not dropped: dropping them would silently lose the sender's data.
 */
export function parseVehicleMessage(body: string, now: Date = new Date()): VehicleParseResult {
  const structure = scanJsonStructure(body);
  if (structure.tooDeepAt !== undefined) {
    return {
      ok: false,
      code: "NESTING_TOO_DEEP",
      reason: `body nests deeper than ${MAX_JSON_DEPTH} levels (at character ${structure.tooDeepAt})`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, code: "INVALID_JSON", reason: `body is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { ok: false, code: "NOT_AN_OBJECT", reason: `body must be a JSON object, got ${jsonKind(json)}` };
  }
  if (structure.duplicateKey) {
    const { key, path } = structure.duplicateKey;
    const where = path.length ? ` in ${path.map((k) => JSON.stringify(k)).join(".")}` : "";
    return {
      ok: false,
      code: "DUPLICATE_KEY",
      reason: `key ${preview(key)} appears more than once${where}: which value was meant is unknown`,
    };
  }
  const result = safeParse(vehicleSchema(maxModelYear(now)), json);
  if (result.success) return unprintableText(result.output) ?? { ok: true, vehicle: result.output };
  // The first issue decides: valibot reports fields in schema order, unknown fields last.
  return describeIssue(result.issues[0]);
}

/**
 * Text fields hold names people read: a control character (NUL, escape, line break, a lone surrogate) has no
 * place in one, and a value made only of invisible characters (zero-width space, joiners, marks) names nothing.
 * Format characters are allowed beside visible ones (a zero-width joiner inside an emoji sequence is legitimate).
 */
function unprintableText(vehicle: Vehicle): { ok: false; code: RejectionCode; reason: string } | undefined {
  // Control and format characters, separators, combining marks and lone surrogates: none shows on its own.
  const invisible = /[\p{Cc}\p{Cf}\p{Z}\p{M}\p{Cs}\s]/gu;
  for (const field of VEHICLE_TEXT_FIELDS) {
    const value = vehicle[field];
    if (/[\p{Cc}\p{Cs}]/u.test(value)) {
      return { ok: false, code: "UNPRINTABLE_TEXT", reason: `${field} ${preview(value)} contains a control character` };
    }
    if (value.replace(invisible, "") === "") {
      return {
        ok: false,
        code: "UNPRINTABLE_TEXT",
        reason: `${field} ${preview(value)} has nothing visible in it: it must name something`,
      };
    }
  }
  return undefined;
}

function describeIssue(issue: BaseIssue<unknown>): { ok: false; code: RejectionCode; reason: string } {
  const field = String(issue.path?.[issue.path.length - 1]?.key ?? "?");
  if (issue.type === "strict_object" && issue.expected === "never") {
    return {
      ok: false,
      code: "UNKNOWN_FIELD",
      reason: `unknown field "${field}": the schema does not allow extra fields`,
    };
  }
  if (issue.type === "strict_object") {
    return { ok: false, code: "MISSING_FIELD", reason: `missing field "${field}"` };
  }
  if (issue.kind === "schema") {
    return {
      ok: false,
      code: "WRONG_TYPE",
      reason: `field "${field}" must be a ${issue.expected}, got ${jsonKind(issue.input)} ${preview(issue.input)}`,
    };
  }
  // Validation actions: `check` carries the range rules, the others (regex, non_empty, max_length) the format rules.
  return { ok: false, code: issue.type === "check" ? "OUT_OF_RANGE" : "BAD_FORMAT", reason: issue.message };
}

function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** The offending value as JSON, cut short: reasons end up in logs and DLQ attributes, not the whole payload. */
function preview(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
