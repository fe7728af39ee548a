import { createHmac, randomBytes } from "node:crypto";
import type { NamedPolicy } from "./evaluate";
import type { IamPrincipal } from "./principals";

/**
 * Who is calling: principals with access keys in AWS's shapes, and the access key a SigV4 request names.
 * Signatures are not verified: the access key alone identifies the principal, which is enough to exercise
 * authorization locally and is no authentication at all.
 */

export interface Identity extends IamPrincipal {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for role sessions, as for STS temporary credentials. */
  sessionToken?: string;
  identityPolicies: readonly NamedPolicy[];
}

/** Key generation: deterministic from `seed` (tests), random otherwise. */
export interface KeyOptions {
  seed?: string;
}

/** Access key ids are upper-case base32: AKIA (IAM user) or ASIA (temporary) and 16 more characters. */
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function bytes(count: number, label: string, options: KeyOptions): Buffer {
  if (options.seed === undefined) return randomBytes(count);
  const out: Buffer[] = [];
  for (let block = 0; out.length * 32 < count; block++)
    out.push(createHmac("sha256", options.seed).update(`${label}#${block}`).digest());
  return Buffer.concat(out).subarray(0, count);
}

const encode = (data: Buffer, alphabet: string) => [...data].map((b) => alphabet[b % alphabet.length]).join("");

function keys(prefix: "AKIA" | "ASIA", label: string, options: KeyOptions) {
  return {
    accessKeyId: prefix + encode(bytes(16, `${label}/id`, options), BASE32),
    secretAccessKey: encode(bytes(40, `${label}/secret`, options), BASE64),
  };
}

/** An IAM user `arn:aws:iam::<account>:user/<name>` with long-term keys (AKIA...). */
export function userIdentity(
  user: { accountId: string; userName: string; identityPolicies?: readonly NamedPolicy[] },
  options: KeyOptions = {},
): Identity {
  return {
    arn: `arn:aws:iam::${user.accountId}:user/${user.userName}`,
    accountId: user.accountId,
    ...keys("AKIA", `user/${user.accountId}/${user.userName}`, options),
    identityPolicies: user.identityPolicies ?? [],
  };
}

/**
 * A session of a role, `arn:aws:sts::<account>:assumed-role/<role>/<session>`, with temporary keys (ASIA...) and a
 * session token; it holds the role's identity policies. Lambda names a function's session after the function.
 */
export function roleSessionIdentity(
  session: { accountId: string; roleName: string; sessionName: string; identityPolicies?: readonly NamedPolicy[] },
  options: KeyOptions = {},
): Identity {
  const label = `session/${session.accountId}/${session.roleName}/${session.sessionName}`;
  return {
    arn: `arn:aws:sts::${session.accountId}:assumed-role/${session.roleName}/${session.sessionName}`,
    accountId: session.accountId,
    ...keys("ASIA", label, options),
    sessionToken: encode(bytes(356, `${label}/token`, options), BASE64),
    identityPolicies: session.identityPolicies ?? [],
  };
}

/** Identities by access key id; a duplicate key id is a programming error. */
export function credentialRegistry(identities: readonly Identity[]): ReadonlyMap<string, Identity> {
  const registry = new Map<string, Identity>();
  for (const identity of identities) {
    if (registry.has(identity.accessKeyId)) throw new Error(`duplicate access key id ${identity.accessKeyId}`);
    registry.set(identity.accessKeyId, identity);
  }
  return registry;
}

/** The access key id of a SigV4 `Authorization` header (`... Credential=AKID/date/region/service/aws4_request, ...`). */
export function accessKeyFromAuthorization(header: string | undefined): string | undefined {
  if (!header?.startsWith("AWS4-HMAC-SHA256 ")) return undefined;
  return /(?:^|[\s,])Credential=([^/,\s]+)\//.exec(header.slice("AWS4-HMAC-SHA256".length))?.[1];
}

/** The access key id of a presigned URL's query (`X-Amz-Credential=AKID/date/region/service/aws4_request`). */
export function accessKeyFromPresignedQuery(query: URLSearchParams): string | undefined {
  const credential = query.get("X-Amz-Credential");
  const key = credential?.split("/")[0];
  return key ? key : undefined;
}
