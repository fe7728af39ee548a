import { LOCAL_CREDENTIALS, type SynthesizedStack } from "../../contracts";
import {
  findByReference,
  functionPrincipal,
  functionRole,
  type NamedPolicy,
  parsePolicy,
  roleIdentityPolicies,
  roleSessionIdentity,
  TYPES,
  userIdentity,
} from "../../controlplane";
import { ADMINISTRATOR_POLICY, type CloudPrincipal } from "./cloud-iam";

/**
 * The principals the embedded cloud creates: the administrator (every action; `npm run dlq`, the dashboard, tests,
 * the AWS CLI and boto3), the producer (an IAM user holding exactly the policy behind the `producerPolicyArn` output)
 * and a session of each function's execution role, named after the function as Lambda names it. Each gets keys in
 * AWS's shapes, fresh for every cloud; the administrator also keeps the well-known test keys
 * (contracts/local-endpoints.ts), so a shell or script set up for the emulators keeps working.
 */

const ADMINISTRATOR_USER = "embedded-cloud-administrator";
const PRODUCER_USER = "vehicle-producer";

export function administrator(accountId: string): CloudPrincipal {
  return {
    role: "administrator",
    identity: userIdentity({ accountId, userName: ADMINISTRATOR_USER, identityPolicies: [ADMINISTRATOR_POLICY] }),
    aliases: [LOCAL_CREDENTIALS.accessKeyId],
  };
}

export interface StackPrincipals {
  /** The execution role's session of each function, by the function's physical name. */
  functions: Map<string, CloudPrincipal>;
  producer?: CloudPrincipal;
  /** What the stack declares that the principals cannot hold (an attached policy whose document is not declared). */
  notes: string[];
}

/**
 * The stack's principals, from a stack whose ARNs are already the emulators' (deploy.ts rewrites the engine's), so
 * their policies name the resources the calls will name.
 */
export function stackPrincipals(stack: SynthesizedStack, accountId: string): StackPrincipals {
  const found: StackPrincipals = { functions: new Map(), notes: [] };
  for (const fn of stack.resources.filter((r) => r.type === TYPES.function)) {
    const name = String(fn.state.name ?? fn.inputs.name ?? fn.name);
    const role = functionRole(stack, fn);
    const principal = role && functionPrincipal(role, name);
    if (!role || !principal) {
      found.notes.push(`function ${name}: its execution role is not declared in this stack, so it holds no permission`);
      continue;
    }
    const { policies, unavailable } = roleIdentityPolicies(stack, role);
    for (const p of unavailable) found.notes.push(`role ${role.name}: ${p.name} is not granted locally: ${p.reason}`);
    const roleName = principal.arn.split("/")[1]!;
    found.functions.set(name, {
      role: `function ${name}`,
      identity: roleSessionIdentity({ accountId, roleName, sessionName: name, identityPolicies: policies }),
      aliases: [],
    });
  }
  const producerPolicy = findByReference(stack, TYPES.policy, stack.outputs.producerPolicyArn);
  if (producerPolicy) {
    const { policy } = parsePolicy(producerPolicy.inputs.policy, "identity");
    if (policy) {
      const named: NamedPolicy = { name: producerPolicy.name, policy };
      found.producer = {
        role: "producer",
        identity: userIdentity({ accountId, userName: PRODUCER_USER, identityPolicies: [named] }),
        aliases: [],
      };
    } else found.notes.push(`${producerPolicy.name}: its document is malformed, so no producer user holds it`);
  }
  return found;
}

/** What a principal may do, one line per Allow statement: `sqs:SendMessage, ... on <resource>`. */
export function permissionLines(principal: CloudPrincipal): string[] {
  return principal.identity.identityPolicies.flatMap(({ policy }) =>
    policy.statements
      .filter((s) => s.effect === "Allow")
      .map((s) => {
        const actions = s.action ? s.action.join(", ") : `everything but ${s.notAction?.join(", ")}`;
        const resources = s.resource ? s.resource.join(", ") : `everything but ${s.notResource?.join(", ")}`;
        return actions === "*" && resources === "*" ? "every action on every resource" : `${actions} on ${resources}`;
      }),
  );
}
