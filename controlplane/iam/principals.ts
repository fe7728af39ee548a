import { parseArn } from "./arn";
import type { Principals } from "./policy";

/** An IAM user or an assumed-role session making a request, in its account. */
export interface IamPrincipal {
  /** `arn:aws:iam::<acct>:user/<name>` or `arn:aws:sts::<acct>:assumed-role/<role>/<session>`. */
  arn: string;
  accountId: string;
}

/** An AWS service acting for itself, such as lambda.amazonaws.com assuming an execution role. */
export interface ServicePrincipal {
  service: string;
}

export type RequestPrincipal = IamPrincipal | ServicePrincipal;

export const isServicePrincipal = (p: RequestPrincipal): p is ServicePrincipal => "service" in p;

/** The principal's name in an access-denied message: its ARN, or the service's name. */
export const principalName = (p: RequestPrincipal): string => (isServicePrincipal(p) ? p.service : p.arn);

/**
 * How a statement's Principal covers the caller: `principal` names it (or everyone), `account` names only its
 * account (`123456789012` or `arn:aws:iam::123456789012:root`), which delegates to the account's own identity
 * policies rather than granting by itself.
 */
export type PrincipalMatch = "none" | "account" | "principal";

/** A session `assumed-role/<role>/<session>` is covered by its role's ARN, whatever the role's path. */
function roleOfSession(sessionArn: string): { account: string; role: string } | undefined {
  const arn = parseArn(sessionArn);
  const match = arn?.service === "sts" ? /^assumed-role\/([^/]+)\/[^/]+$/.exec(arn.resource) : null;
  return arn && match ? { account: arn.account, role: match[1]! } : undefined;
}

function awsValueMatch(value: string, who: IamPrincipal): PrincipalMatch {
  if (value === "*") return "principal";
  if (value === who.accountId || value === `arn:aws:iam::${who.accountId}:root`) return "account";
  if (value === who.arn) return "principal";
  const session = roleOfSession(who.arn);
  const named = parseArn(value);
  if (session && named?.service === "iam" && named.account === session.account) {
    const roleName = /^role\/(?:.*\/)?([^/]+)$/.exec(named.resource)?.[1];
    if (roleName === session.role) return "principal";
  }
  return "none";
}

/** The strongest way the Principal (or NotPrincipal) element covers the caller. */
export function principalMatch(principals: Principals, who: RequestPrincipal): PrincipalMatch {
  if (principals === "*") return "principal";
  let best: PrincipalMatch = "none";
  if (isServicePrincipal(who)) {
    // {"AWS": "*"} is IAM's other spelling of "*", so it covers services too.
    const named = (principals.Service ?? []).some((s) => s === who.service) || (principals.AWS ?? []).includes("*");
    return named ? "principal" : "none";
  }
  for (const value of principals.AWS ?? []) {
    const match = awsValueMatch(value, who);
    if (match === "principal") return match;
    if (match === "account") best = match;
  }
  return best;
}
