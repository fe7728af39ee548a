import type { SynthesizedResource, SynthesizedStack } from "../../contracts";
import { parseArn } from "../iam/arn";
import type { NamedPolicy } from "../iam/evaluate";
import { type PolicyKind, parsePolicy } from "../iam/policy";
import type { IamPrincipal } from "../iam/principals";
import { findByReference, identifiersOf, resourcesOf, TYPES } from "./lookup";

/**
 * The IAM wiring a synthesized stack declares: which identity policies a role holds, which policy a queue has, and
 * the principal a Lambda function runs as. The embedded cloud and the preflight both read policies from here.
 */

export interface WiringOptions {
  /** True for a value not known before deployment (a preview's unknowns); such policies are reported, not parsed. */
  isUnknown?: (value: unknown) => boolean;
  /** The account's partition, for the grammar's Resource check. Default `aws`. */
  partition?: string;
}

/** A policy the stack refers to that cannot be evaluated, and why. */
export interface UnavailablePolicy {
  name: string;
  reason: string;
}

export interface RolePolicies {
  policies: NamedPolicy[];
  /** Attached policies whose documents the stack does not declare (AWS managed ones), malformed or unknown ones. */
  unavailable: UnavailablePolicy[];
}

function named(
  name: string,
  document: unknown,
  kind: PolicyKind,
  options: WiringOptions,
): NamedPolicy | UnavailablePolicy {
  if (options.isUnknown?.(document)) return { name, reason: "its document is not known before deployment" };
  const { policy, violations } = parsePolicy(document, kind, {
    ...(options.partition ? { partition: options.partition } : {}),
  });
  if (!policy)
    return { name, reason: `its document is malformed (${violations.length} violations), so AWS would refuse it` };
  return { name, policy };
}

const isNamed = (p: NamedPolicy | UnavailablePolicy): p is NamedPolicy => "policy" in p;

/** A role's identity policies: its inline RolePolicy resources and inlinePolicies, and attached managed policies. */
export function roleIdentityPolicies(
  stack: SynthesizedStack,
  role: SynthesizedResource,
  options: WiringOptions = {},
): RolePolicies {
  const roleRefs = identifiersOf(role, options.isUnknown);
  const found: (NamedPolicy | UnavailablePolicy)[] = [];
  for (const p of resourcesOf(stack, TYPES.rolePolicy).filter((p) => roleRefs.includes(p.inputs.role)))
    found.push(named(p.name, p.inputs.policy, "identity", options));
  const inline: { name?: string; policy?: unknown }[] = Array.isArray(role.inputs.inlinePolicies)
    ? role.inputs.inlinePolicies
    : [];
  inline.forEach((p, i) => {
    found.push(named(`${role.name}.inlinePolicies[${p.name ?? i}]`, p.policy, "identity", options));
  });
  const attachedArns = [
    ...resourcesOf(stack, TYPES.rolePolicyAttachment)
      .filter((a) => roleRefs.includes(a.inputs.role))
      .map((a) => a.inputs.policyArn as unknown),
    ...(Array.isArray(role.inputs.managedPolicyArns) ? (role.inputs.managedPolicyArns as unknown[]) : []),
  ];
  for (const arn of attachedArns) {
    const declared = findByReference(stack, TYPES.policy, arn, options.isUnknown);
    found.push(
      declared
        ? named(declared.name, declared.inputs.policy, "identity", options)
        : { name: String(arn), reason: "an attached managed policy whose document the stack does not declare" },
    );
  }
  return {
    policies: found.filter(isNamed),
    unavailable: found.filter((p): p is UnavailablePolicy => !isNamed(p)),
  };
}

/** A queue's resource policy: a QueuePolicy naming its URL, else its own `policy` input. */
export function queueResourcePolicy(
  stack: SynthesizedStack,
  queue: SynthesizedResource,
  options: WiringOptions = {},
): NamedPolicy | UnavailablePolicy | undefined {
  const refs = identifiersOf(queue, options.isUnknown);
  const attached = resourcesOf(stack, TYPES.queuePolicy).find((p) => refs.includes(p.inputs.queueUrl));
  if (attached) return named(attached.name, attached.inputs.policy, "resource", options);
  if (queue.inputs.policy !== undefined) return named(`${queue.name}.policy`, queue.inputs.policy, "resource", options);
  return undefined;
}

/** The role a function runs with (its `role` input names the role's ARN). */
export function functionRole(
  stack: SynthesizedStack,
  fn: SynthesizedResource,
  options: Pick<WiringOptions, "isUnknown"> = {},
): SynthesizedResource | undefined {
  return findByReference(stack, TYPES.role, fn.inputs.role, options.isUnknown);
}

/**
 * The principal a function's code and its event source mapping act as: a session of the execution role named
 * after the function, `arn:aws:sts::<account>:assumed-role/<role>/<function>`.
 */
export function functionPrincipal(role: SynthesizedResource, functionName: string): IamPrincipal | undefined {
  const arn = parseArn(String(role.state.arn ?? ""));
  const roleName = arn?.resource.split("/").pop();
  if (!arn || !roleName) return undefined;
  return { arn: `arn:aws:sts::${arn.account}:assumed-role/${roleName}/${functionName}`, accountId: arn.account };
}
