import type { AccessDenial, DenialSummary, IamRunSummary } from "../../contracts";
import {
  accessDeniedResponse,
  authorize,
  ControlPlaneError,
  dynamodbUnrecognizedClient,
  type Identity,
  type NamedPolicy,
  namedPolicy,
  type Permission,
  type RedriveAllowPolicy,
  requiredPermissions,
  type Service,
  sqsInvalidClientTokenId,
  UnknownOperationError,
  UnresolvableResourceError,
  type WireError,
} from "../../controlplane";
import { internalFailure } from "./wire";

/**
 * The embedded cloud's IAM: who holds which access key, which policies a queue carries, and the decision for every
 * SQS and DynamoDB call the emulators serve (identity policies, the queue's resource policy, explicit deny wins).
 * Signatures are not verified: the access key alone says who calls, which exercises authorization and is no
 * authentication. Refusals and the permissions calls used are recorded for the run.
 */

/** What a request says about its caller. */
export interface CallCredentials {
  accessKeyId: string | undefined;
  sessionToken?: string;
}

export type Verdict = { allowed: true } | { allowed: false; wire: WireError; denial: AccessDenial };

/** Lookups requiredPermissions needs for the move-task operations. */
export interface PermissionLookups {
  redriveSources?: (deadLetterQueueArn: string) => readonly string[];
  taskSource?: (taskHandle: string) => string | undefined;
}

/** A principal as `up` lists it: what it is for and its keys. */
export interface CloudPrincipal {
  role: string;
  identity: Identity;
  /** Further access keys of the same principal (the administrator's well-known test keys). */
  aliases: string[];
}

/** Every action on every resource: the administrator's one policy. */
export const ADMINISTRATOR_POLICY: NamedPolicy = namedPolicy(
  "embedded-cloud-administrator",
  { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
  "identity",
);

/**
 * Condition keys the cloud supplies with every call. All traffic is plain HTTP on loopback, standing in for AWS's TLS
 * endpoints, so aws:SecureTransport is true (the SDKs and Lambda reach AWS over TLS). Keys not listed here are absent,
 * so a decision depends on the caller, the action and the resource alone, and can be cached until a policy changes.
 */
const CONTEXT = { "aws:SecureTransport": "true" } as const;

const keyOf = (...parts: string[]) => parts.join("\n");

/** One refusal as the run's summary counts it: who, what, on which resource, and how AWS answered. */
const denialKey = (d: AccessDenial) => keyOf(d.principal, d.action, d.resource, d.code);

/**
 * Operations whose permissions follow from QueueUrl, or TableName and IndexName, alone: an allowed decision for them
 * is cached by those fields until a key or a policy changes (the context never varies, see CONTEXT).
 */
const CACHEABLE = new Set([
  "SendMessage",
  "SendMessageBatch",
  "ReceiveMessage",
  "DeleteMessage",
  "DeleteMessageBatch",
  "ChangeMessageVisibility",
  "ChangeMessageVisibilityBatch",
  "GetQueueAttributes",
  "PutItem",
  "GetItem",
  "UpdateItem",
  "DeleteItem",
  "Query",
  "Scan",
  "DescribeTable",
]);

function cacheKeyOf(
  service: Service,
  operation: string,
  input: Readonly<Record<string, unknown>>,
  credentials: CallCredentials,
): string | undefined {
  if (!CACHEABLE.has(operation)) return undefined;
  const field = (name: string) => (typeof input[name] === "string" ? (input[name] as string) : "");
  return keyOf(
    service,
    operation,
    credentials.accessKeyId ?? "",
    credentials.sessionToken ?? "",
    field("QueueUrl"),
    field("TableName"),
    field("IndexName"),
  );
}

export class CloudIam {
  private readonly byKey = new Map<string, Identity>();
  private readonly principalList: CloudPrincipal[] = [];
  private readonly queuePolicies = new Map<string, NamedPolicy>();
  private readonly redriveAllow = new Map<string, RedriveAllowPolicy>();
  private readonly denialsSeen = new Map<string, DenialSummary>();
  private readonly usedPermissions = new Map<
    string,
    { principal: string; action: string; resource: string; count: number }
  >();
  private readonly denialListeners = new Set<(denial: AccessDenial) => void>();
  /** Allowed decisions by cacheKeyOf: who was allowed which permissions. Refusals are never cached. */
  private readonly allowedCache = new Map<string, { principal: string; permissions: Permission[] }>();
  private readonly changeListeners = new Set<(generation: number) => void>();
  /** Bumped whenever a key or a policy changes: cached decisions of an older generation are stale. */
  generation = 0;

  constructor(
    readonly options: {
      /** False with --no-iam: every call passes, whoever makes it. */
      enforced: boolean;
      region: string;
      accountId: string;
    },
  ) {}

  get enforced(): boolean {
    return this.options.enforced;
  }

  /** Adds a principal and its access keys (aliases: further keys of the same principal). */
  addPrincipal(principal: CloudPrincipal): void {
    for (const key of [principal.identity.accessKeyId, ...principal.aliases]) this.byKey.set(key, principal.identity);
    this.principalList.push(principal);
    this.changed();
  }

  /** Removes every principal but the ones `keep` names (a redeploy replaces the stack's principals). */
  retainPrincipals(keep: (p: CloudPrincipal) => boolean): void {
    for (const principal of this.principalList.filter((p) => !keep(p))) {
      for (const key of [principal.identity.accessKeyId, ...principal.aliases]) this.byKey.delete(key);
      this.principalList.splice(this.principalList.indexOf(principal), 1);
    }
    this.changed();
  }

  principals(): readonly CloudPrincipal[] {
    return this.principalList;
  }

  setQueuePolicy(queueArn: string, policy: NamedPolicy | undefined): void {
    if (policy) this.queuePolicies.set(queueArn, policy);
    else this.queuePolicies.delete(queueArn);
    this.changed();
  }

  queuePolicy(queueArn: string): NamedPolicy | undefined {
    return this.queuePolicies.get(queueArn);
  }

  setRedriveAllowPolicy(queueArn: string, policy: RedriveAllowPolicy | undefined): void {
    if (policy) this.redriveAllow.set(queueArn, policy);
    else this.redriveAllow.delete(queueArn);
  }

  redriveAllowPolicy(queueArn: string): RedriveAllowPolicy | undefined {
    return this.redriveAllow.get(queueArn);
  }

  /** Called with every refusal as it happens. */
  onDenial(listener: (denial: AccessDenial) => void): () => void {
    this.denialListeners.add(listener);
    return () => this.denialListeners.delete(listener);
  }

  /** Called with the first of each distinct refusal, as the run's summary counts them: what someone watching needs. */
  onDistinctDenial(listener: (denial: AccessDenial) => void): () => void {
    const seen = new Set<string>();
    return this.onDenial((d) => {
      const key = denialKey(d);
      if (seen.has(key)) return;
      seen.add(key);
      listener(d);
    });
  }

  /** Called when cached decisions become stale, with the new generation. */
  onChange(listener: (generation: number) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** The principal an access key belongs to; undefined for an unknown key or a session token that does not match. */
  identify(credentials: CallCredentials): Identity | undefined {
    const identity = credentials.accessKeyId === undefined ? undefined : this.byKey.get(credentials.accessKeyId);
    if (!identity) return undefined;
    // A temporary key needs its own session token; a long-term key takes none (STS and IAM answer both the same way).
    const token = credentials.sessionToken || undefined;
    return token === identity.sessionToken ? identity : undefined;
  }

  /**
   * IAM's decision for one call: an unknown key gets the service's unrecognized-credentials error, a denied
   * permission its access-denied error. A request whose resource cannot be derived (a missing QueueUrl) or whose
   * operation IAM does not know passes to the emulator, which answers it as the service would.
   */
  authorize(
    service: Service,
    operation: string,
    input: Readonly<Record<string, unknown>>,
    credentials: CallCredentials,
    lookups: PermissionLookups = {},
  ): Verdict {
    if (!this.options.enforced) return { allowed: true };
    const cacheKey = cacheKeyOf(service, operation, input, credentials);
    const cached = cacheKey === undefined ? undefined : this.allowedCache.get(cacheKey);
    if (cached) {
      this.noteUsed(cached.principal, cached.permissions);
      return { allowed: true };
    }
    const identity = this.identify(credentials);
    if (!identity) return this.refuseUnknownKey(service, operation, credentials.accessKeyId);
    let permissions: Permission[];
    try {
      permissions = requiredPermissions(
        service,
        operation,
        input,
        { region: this.options.region, accountId: this.options.accountId },
        lookups,
      );
    } catch (error) {
      if (error instanceof UnknownOperationError || error instanceof UnresolvableResourceError)
        return { allowed: true };
      throw error;
    }
    let result: ReturnType<typeof authorize>;
    try {
      result = authorize(
        identity,
        permissions,
        (resource) => ({
          identityPolicies: identity.identityPolicies,
          ...(this.queuePolicies.has(resource) ? { resourcePolicy: this.queuePolicies.get(resource)! } : {}),
        }),
        CONTEXT,
      );
    } catch (error) {
      // A policy this evaluator cannot decide: refuse loudly rather than guess either way.
      if (!(error instanceof ControlPlaneError)) throw error;
      const denial = this.record({
        principal: identity.arn,
        service,
        operation,
        action: permissions.map((p) => p.action).join(", "),
        resource: permissions.map((p) => p.resource).join(", "),
        code: "InternalFailure",
        message: `the embedded cloud cannot evaluate this call's policies: ${error.message}`,
      });
      return { allowed: false, wire: internalFailure(denial.message), denial };
    }
    if (!result.allowed) {
      const wire = accessDeniedResponse(service, result.denial);
      const denial = this.record({
        principal: identity.arn,
        service,
        operation,
        action: result.permission.action,
        resource: result.permission.resource,
        code: service === "sqs" ? "AccessDenied" : "AccessDeniedException",
        message: result.denial.message,
      });
      return { allowed: false, wire, denial };
    }
    if (cacheKey !== undefined) this.allowedCache.set(cacheKey, { principal: identity.arn, permissions });
    this.noteUsed(identity.arn, permissions);
    return { allowed: true };
  }

  private noteUsed(principal: string, permissions: readonly Permission[]): void {
    for (const p of permissions) {
      const key = keyOf(principal, p.action, p.resource);
      const used = this.usedPermissions.get(key);
      if (used) used.count += 1;
      else this.usedPermissions.set(key, { principal, action: p.action, resource: p.resource, count: 1 });
    }
  }

  /** run.json's `iam`: distinct refusals with counts, and every permission a call used. */
  summary(): IamRunSummary {
    return {
      enforced: this.options.enforced,
      denials: [...this.denialsSeen.values()].map((d) => ({ ...d })),
      used: [...this.usedPermissions.values()].map((u) => ({ ...u })),
    };
  }

  private refuseUnknownKey(service: Service, operation: string, accessKeyId: string | undefined): Verdict {
    const wire = service === "sqs" ? sqsInvalidClientTokenId() : dynamodbUnrecognizedClient();
    const denial = this.record({
      principal: accessKeyId ? `access key ${accessKeyId}` : "a caller without credentials",
      service,
      operation,
      action: "",
      resource: "",
      code: service === "sqs" ? "InvalidClientTokenId" : "UnrecognizedClientException",
      message: "The security token included in the request is invalid.",
    });
    return { allowed: false, wire, denial };
  }

  private record(denial: AccessDenial): AccessDenial {
    const now = Date.now() / 1000;
    const key = denialKey(denial);
    const seen = this.denialsSeen.get(key);
    if (seen) {
      seen.count += 1;
      seen.last = now;
    } else this.denialsSeen.set(key, { ...denial, count: 1, first: now, last: now });
    for (const listener of this.denialListeners) listener(denial);
    return denial;
  }

  private changed(): void {
    this.generation += 1;
    this.allowedCache.clear();
    for (const listener of this.changeListeners) listener(this.generation);
  }
}

/** One refusal as the commands print it while they run. */
export function denialLine(d: AccessDenial): string {
  const who = d.action ? "" : ` for ${d.principal}`;
  return `IAM refused ${d.service} ${d.operation}${who}: ${d.message}`;
}
