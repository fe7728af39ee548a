import { MalformedPolicyError } from "./errors";
import type { NamedPolicy } from "./evaluate";
import { type ParseOptions, type PolicyKind, parsePolicy } from "./policy";

/** A policy document ready for the evaluator, named for decisions; throws MalformedPolicyError listing every violation. */
export function namedPolicy(name: string, document: unknown, kind: PolicyKind, options?: ParseOptions): NamedPolicy {
  const { policy, violations } = parsePolicy(document, kind, options);
  if (!policy) throw new MalformedPolicyError(name, violations);
  return { name, policy };
}
