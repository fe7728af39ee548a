import type { SynthesizedResource } from "../../contracts";
import type { PreflightContext } from "./report";

export interface IntegerRule {
  min: number;
  max: number;
  /** What AWS uses when the input is absent. */
  fallback: number;
  /** What the number is, for the rule text, e.g. "the function timeout in seconds". */
  what: string;
  awsText?: string;
}

/**
 * The input as a whole number within [min, max] (the fallback when absent), or undefined after recording a
 * violation or an unknown value.
 */
export function integerInRange(
  ctx: PreflightContext,
  resource: SynthesizedResource,
  field: string,
  rule: IntegerRule,
): number | undefined {
  const raw: unknown = field
    .split(".")
    .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], resource.inputs);
  if (!ctx.known(resource, field, raw)) return undefined;
  if (raw === undefined || raw === null) return rule.fallback;
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isInteger(value) || value < rule.min || value > rule.max) {
    ctx.violation(
      resource,
      field,
      raw,
      `${rule.what} must be a whole number from ${rule.min} to ${rule.max}`,
      rule.awsText,
    );
    return undefined;
  }
  return value;
}
