import type { SynthesizedResource } from "../../contracts";
import { type PolicyKind, parsePolicy } from "../iam/policy";
import { resourcesOf, TYPES } from "../stack/lookup";
import type { PreflightContext } from "./report";

/** Every policy document the stack declares, through the IAM grammar for its kind. */

interface Document {
  resource: SynthesizedResource;
  field: string;
  document: unknown;
  kind: PolicyKind;
}

function documents(ctx: PreflightContext): Document[] {
  const of = (type: string, field: string, kind: PolicyKind): Document[] =>
    resourcesOf(ctx.stack, type)
      .filter((r) => r.inputs[field] !== undefined)
      .map((resource) => ({ resource, field, document: resource.inputs[field] as unknown, kind }));
  const inline = resourcesOf(ctx.stack, TYPES.role).flatMap((role) =>
    (Array.isArray(role.inputs.inlinePolicies) ? role.inputs.inlinePolicies : []).map(
      (p: { policy?: unknown }, i: number) => ({
        resource: role,
        field: `inlinePolicies[${i}].policy`,
        document: p.policy,
        kind: "identity" as const,
      }),
    ),
  );
  return [
    ...of(TYPES.role, "assumeRolePolicy", "trust"),
    ...inline,
    ...of(TYPES.rolePolicy, "policy", "identity"),
    ...of(TYPES.policy, "policy", "identity"),
    ...of(TYPES.queuePolicy, "policy", "resource"),
    ...of(TYPES.queue, "policy", "resource"),
  ];
}

export function checkPolicyGrammar(ctx: PreflightContext): void {
  for (const { resource, field, document, kind } of documents(ctx)) {
    if (!ctx.known(resource, field, document)) continue;
    for (const v of parsePolicy(document, kind, { partition: ctx.partition }).violations) {
      const statement = v.sid ? ` (statement ${v.sid})` : "";
      ctx.violation(resource, `${field}: ${v.field}`, v.value, `${kind} policy: ${v.rule}${statement}`, v.awsText);
    }
  }
}
