import { arnMatch, wildcardMatch } from "./arn";
import { UnsupportedConditionOperatorError, UnsupportedPolicyFeatureError } from "./errors";
import { type ConditionBlock, splitOperator } from "./policy";

/**
 * The Condition element, decided against a request context as IAM documents it
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html and the condition
 * operators page): operators and keys are ANDed, a key's values ORed (NORed for a negated operator), a key missing
 * from the context fails a positive operator and passes a negated one, `...IfExists` passes a missing key.
 * Date*, BinaryEquals, IpAddress and NotIpAddress are not implemented and refuse with a named error.
 */

export type ContextValue = string | number | boolean | readonly (string | number | boolean)[];
/** Condition keys (case-insensitive, as in IAM) -> values; an array is a multivalued key such as aws:TagKeys. */
export type RequestContext = Readonly<Record<string, ContextValue | undefined>>;

interface OperatorSpec {
  /** Does one context value match one policy value (for a negated operator: the match it negates)? */
  match(policyValue: string, contextValue: string): boolean;
  negated: boolean;
}

const numeric =
  (compare: (context: number, policy: number) => boolean) =>
  (policyValue: string, contextValue: string): boolean => {
    const p = Number(policyValue);
    const c = Number(contextValue);
    return contextValue.trim() !== "" && Number.isFinite(p) && Number.isFinite(c) && compare(c, p);
  };

const exact = (p: string, c: string) => p === c;
const ignoringCase = (p: string, c: string) => p.toLowerCase() === c.toLowerCase();
const like = (p: string, c: string) => wildcardMatch(p, c);
const numericEquals = numeric((c, p) => c === p);

const OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  StringEquals: { match: exact, negated: false },
  StringNotEquals: { match: exact, negated: true },
  StringEqualsIgnoreCase: { match: ignoringCase, negated: false },
  StringNotEqualsIgnoreCase: { match: ignoringCase, negated: true },
  StringLike: { match: like, negated: false },
  StringNotLike: { match: like, negated: true },
  NumericEquals: { match: numericEquals, negated: false },
  NumericNotEquals: { match: numericEquals, negated: true },
  NumericLessThan: { match: numeric((c, p) => c < p), negated: false },
  NumericLessThanEquals: { match: numeric((c, p) => c <= p), negated: false },
  NumericGreaterThan: { match: numeric((c, p) => c > p), negated: false },
  NumericGreaterThanEquals: { match: numeric((c, p) => c >= p), negated: false },
  // Bool values are compared as text, ignoring case ("true"/"false").
  Bool: { match: ignoringCase, negated: false },
  // ArnEquals and ArnLike behave the same: both accept wildcards, field by field.
  ArnEquals: { match: arnMatch, negated: false },
  ArnLike: { match: arnMatch, negated: false },
  ArnNotEquals: { match: arnMatch, negated: true },
  ArnNotLike: { match: arnMatch, negated: true },
};

/** The context's values under a key, looked up case-insensitively; undefined when the key is absent. */
function contextValues(context: ReadonlyMap<string, ContextValue>, key: string): string[] | undefined {
  const raw = context.get(key.toLowerCase());
  if (raw === undefined) return undefined;
  return Array.isArray(raw) ? raw.map(String) : [String(raw as string | number | boolean)];
}

function singleValueHolds(spec: OperatorSpec, policyValues: readonly string[], value: string): boolean {
  const matched = policyValues.some((p) => spec.match(p, value));
  return spec.negated ? !matched : matched;
}

/** Null: "true" holds when the key is absent, "false" when it is present. */
function nullHolds(values: string[] | undefined, policyValues: readonly string[]): boolean {
  const absent = values === undefined || values.length === 0;
  return policyValues.some((p) => (p.toLowerCase() === "true" ? absent : p.toLowerCase() === "false" && !absent));
}

function keyHolds(
  operator: string,
  key: string,
  policyValues: readonly string[],
  context: ReadonlyMap<string, ContextValue>,
): boolean {
  const { set, base, ifExists } = splitOperator(operator);
  const values = contextValues(context, key);
  if (base === "Null") {
    if (set || ifExists) throw new UnsupportedConditionOperatorError(operator, key);
    return nullHolds(values, policyValues);
  }
  const spec = OPERATORS[base];
  if (!spec) throw new UnsupportedConditionOperatorError(operator, key);
  if (set === "ForAnyValue") {
    // A missing or empty key gives ForAnyValue nothing to match, IfExists or not (re:Post, "ForAnyValue:
    // StringEqualsIfExists behaving unexpectedly": such a statement did not allow sqs:ListQueues).
    return values?.some((v) => singleValueHolds(spec, policyValues, v)) ?? false;
  }
  if (set === "ForAllValues") {
    // Vacuously true for a missing or empty key, as IAM documents.
    return values === undefined || values.every((v) => singleValueHolds(spec, policyValues, v));
  }
  if (values === undefined) return ifExists || spec.negated;
  if (values.length !== 1) {
    // IAM's result for a plain operator on a multivalued key is not something to guess at.
    throw new UnsupportedPolicyFeatureError(
      `${operator} on the multivalued key ${key} (use ForAnyValue/ForAllValues)`,
      key,
    );
  }
  return singleValueHolds(spec, policyValues, values[0]!);
}

/** Lower-cased keys, so `aws:securetransport` and `aws:SecureTransport` are one key, as in IAM. */
export function normalizeContext(context: RequestContext = {}): ReadonlyMap<string, ContextValue> {
  const map = new Map<string, ContextValue>();
  for (const [key, value] of Object.entries(context)) if (value !== undefined) map.set(key.toLowerCase(), value);
  return map;
}

/**
 * Whether every operator and key of the block holds. Throws UnsupportedConditionOperatorError for an operator it
 * does not implement and UnsupportedPolicyFeatureError for policy variables (`${...}` in a 2012-10-17 policy).
 */
export function conditionsHold(
  block: ConditionBlock,
  context: ReadonlyMap<string, ContextValue>,
  policyVersion: string,
): boolean {
  for (const [operator, keys] of Object.entries(block)) {
    for (const [key, policyValues] of Object.entries(keys)) {
      if (policyVersion === "2012-10-17")
        for (const v of policyValues)
          if (v.includes("${")) throw new UnsupportedPolicyFeatureError("policy variables", v);
      if (!keyHolds(operator, key, policyValues, context)) return false;
    }
  }
  return true;
}
