import { parseArn, wildcardMatch } from "./arn";
import { type ContextValue, conditionsHold, normalizeContext, type RequestContext } from "./conditions";
import { ControlPlaneError, UnsupportedPolicyFeatureError } from "./errors";
import { denialMessage, type PolicyType } from "./messages";
import type { Policy, Statement } from "./policy";
import {
  isServicePrincipal,
  type PrincipalMatch,
  principalMatch,
  principalName,
  type RequestPrincipal,
} from "./principals";

/**
 * IAM's decision for one request, for the policy types this stack uses: identity-based policies and one
 * resource-based policy (the queue's, or a role's trust policy). No SCPs, permissions boundaries or session
 * policies. Same account: an explicit Deny anywhere wins, otherwise the identity policy or the resource policy may
 * allow. Across accounts both must allow.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */

export interface NamedPolicy {
  /** How decisions name the policy, e.g. the Pulumi resource name `consumer-policy`. */
  name: string;
  policy: Policy;
}

export interface PolicySet {
  identityPolicies: readonly NamedPolicy[];
  resourcePolicy?: NamedPolicy;
}

export interface AuthorizationRequest {
  principal: RequestPrincipal;
  /** An IAM action such as `sqs:SendMessage` (actions.ts maps API operations to these). */
  action: string;
  /** The resource's ARN, or `*` for actions that take none. */
  resource: string;
  /** Condition keys, e.g. `{ "aws:SecureTransport": "true" }`. */
  context?: RequestContext;
}

/** The statement that decided. */
export interface DecidingStatement {
  policy: string;
  policyType: PolicyType;
  /** Index in the policy's Statement list. */
  statement: number;
  sid?: string;
}

export type Decision =
  | { decision: "allow"; by: DecidingStatement }
  | { decision: "implicitDeny"; missing: PolicyType; message: string }
  | { decision: "explicitDeny"; by: DecidingStatement; message: string };

export type Denial = Exclude<Decision, { decision: "allow" }>;

function checkNoPolicyVariables(policy: Policy, pattern: string): void {
  if (policy.version === "2012-10-17" && pattern.includes("${"))
    throw new UnsupportedPolicyFeatureError("policy variables", pattern);
}

/** Action, Resource and Principal (for resource policies) of one statement, before its conditions. */
function statementCovers(
  policy: Policy,
  s: Statement,
  request: AuthorizationRequest,
  principalOf: (s: Statement) => PrincipalMatch,
): PrincipalMatch {
  // Action names are case-insensitive in IAM; resource ARNs are not.
  const actionMatches = (patterns: readonly string[]) =>
    patterns.some((p) => wildcardMatch(p, request.action, { ignoreCase: true }));
  if (s.action && !actionMatches(s.action)) return "none";
  if (s.notAction && actionMatches(s.notAction)) return "none";
  const resourceMatches = (patterns: readonly string[]) =>
    patterns.some((p) => {
      checkNoPolicyVariables(policy, p);
      return wildcardMatch(p, request.resource);
    });
  if (s.resource && !resourceMatches(s.resource)) return "none";
  if (s.notResource && resourceMatches(s.notResource)) return "none";
  return principalOf(s);
}

interface Found {
  statement: DecidingStatement;
  match: PrincipalMatch;
}

/**
 * The first statement of `effect` that applies, at the strongest principal match. A statement whose condition
 * cannot be evaluated is remembered: it is rethrown only when no other statement settles the question.
 */
function findApplying(
  sources: readonly { named: NamedPolicy; policyType: PolicyType }[],
  effect: "Allow" | "Deny",
  request: AuthorizationRequest,
  context: ReadonlyMap<string, ContextValue>,
): { found?: Found; error?: unknown } {
  let best: Found | undefined;
  let error: unknown;
  for (const { named, policyType } of sources) {
    const principalOf = (s: Statement): PrincipalMatch => {
      if (policyType === "identity-based") return "principal";
      if (s.principal) return principalMatch(s.principal, request.principal);
      return s.notPrincipal && principalMatch(s.notPrincipal, request.principal) === "none" ? "principal" : "none";
    };
    for (const s of named.policy.statements) {
      if (s.effect !== effect) continue;
      try {
        const match = statementCovers(named.policy, s, request, principalOf);
        if (match === "none") continue;
        if (s.condition && !conditionsHold(s.condition, context, named.policy.version)) continue;
        const statement = { policy: named.name, policyType, statement: s.index, ...(s.sid ? { sid: s.sid } : {}) };
        if (match === "principal") return { found: { statement, match } };
        best ??= { statement, match };
      } catch (caught) {
        if (!(caught instanceof ControlPlaneError)) throw caught;
        error ??= caught;
      }
    }
  }
  return { ...(best ? { found: best } : {}), ...(error !== undefined ? { error } : {}) };
}

function resourceAccount(resource: string): string | undefined {
  const account = parseArn(resource)?.account;
  return account ? account : undefined;
}

/** IAM's decision for one request against the principal's identity policies and the resource's policy. */
export function evaluate(request: AuthorizationRequest, policies: PolicySet): Decision {
  const context = normalizeContext(request.context);
  const identity = policies.identityPolicies.map((named) => ({ named, policyType: "identity-based" as const }));
  const resource = policies.resourcePolicy
    ? [{ named: policies.resourcePolicy, policyType: "resource-based" as const }]
    : [];
  const name = principalName(request.principal);
  const message = (explicit: boolean, policyType: PolicyType) =>
    denialMessage(name, request.action, request.resource, { explicit, policyType });

  const deny = findApplying([...identity, ...resource], "Deny", request, context);
  if (deny.found) {
    const by = deny.found.statement;
    return { decision: "explicitDeny", by, message: message(true, by.policyType) };
  }
  if (deny.error !== undefined) throw deny.error;

  const identityAllow = findApplying(identity, "Allow", request, context);
  const resourceAllow = findApplying(resource, "Allow", request, context);
  const caller = request.principal;
  const service = isServicePrincipal(caller);
  const sameAccount =
    !isServicePrincipal(caller) && (resourceAccount(request.resource) ?? caller.accountId) === caller.accountId;
  if (sameAccount) {
    // Either side may allow; a resource policy naming only the account delegates to the identity policies.
    if (identityAllow.found) return { decision: "allow", by: identityAllow.found.statement };
    if (resourceAllow.found?.match === "principal") return { decision: "allow", by: resourceAllow.found.statement };
  } else if (resourceAllow.found && (service || identityAllow.found)) {
    // Across accounts both sides must allow; a service (no identity policies here) needs the resource policy alone.
    return { decision: "allow", by: (identityAllow.found ?? resourceAllow.found).statement };
  }

  // An allow that could not be evaluated might have decided otherwise: refuse rather than guess a deny.
  for (const unsettled of [identityAllow.error, resourceAllow.error]) if (unsettled !== undefined) throw unsettled;
  const missing: PolicyType = !sameAccount && (service || identityAllow.found) ? "resource-based" : "identity-based";
  return { decision: "implicitDeny", missing, message: message(false, missing) };
}

/** A permission a call needs: an action on a resource (see requiredPermissions in actions.ts). */
export interface Permission {
  action: string;
  resource: string;
}

/**
 * Authorizes a call that needs several permissions (a BatchWriteItem over two tables, a StartMessageMoveTask):
 * the first denial, in the given order, or allowed. `policiesFor` gives the policies for each resource.
 */
export function authorize(
  principal: RequestPrincipal,
  permissions: readonly Permission[],
  policiesFor: (resource: string) => PolicySet,
  context?: RequestContext,
): { allowed: true } | { allowed: false; permission: Permission; denial: Denial } {
  for (const permission of permissions) {
    const decision = evaluate(
      { principal, ...permission, ...(context ? { context } : {}) },
      policiesFor(permission.resource),
    );
    if (decision.decision !== "allow") return { allowed: false, permission, denial: decision };
  }
  return { allowed: true };
}
