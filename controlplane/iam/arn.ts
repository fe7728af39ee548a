/**
 * ARNs and IAM's two wildcards. `*` matches any run of characters (colons and slashes included) and `?` exactly one,
 * in Action, Resource and the String*Like / Arn* condition operators alike.
 */

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the fifth colon, colons included (`log-group:/aws/lambda/x:*`). */
  resource: string;
}

/** The ARN's six fields, or undefined when the text is not `arn:partition:service:region:account:resource`. */
export function parseArn(text: string): Arn | undefined {
  const parts = text.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  const [, partition, service, region, account] = parts as [string, string, string, string, string];
  return { partition, service, region, account, resource: parts.slice(5).join(":") };
}

const patternCache = new Map<string, RegExp>();

function patternRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? "i" : "s"}${pattern}`;
  let regexp = patternCache.get(key);
  if (!regexp) {
    const body = pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("");
    // `s`: `.` must match newlines too, since AWS values may contain them.
    regexp = new RegExp(`^${body}$`, ignoreCase ? "is" : "s");
    patternCache.set(key, regexp);
  }
  return regexp;
}

/** Whether `value` matches `pattern` with IAM's `*` and `?` wildcards. */
export function wildcardMatch(pattern: string, value: string, options: { ignoreCase?: boolean } = {}): boolean {
  if (pattern === "*") return true;
  if (!pattern.includes("*") && !pattern.includes("?"))
    return options.ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  return patternRegExp(pattern, options.ignoreCase ?? false).test(value);
}

/**
 * ArnLike/ArnEquals: both sides split into their six fields and each field matched with wildcards, so a `*` in the
 * region cannot swallow the account. A value that is not an ARN matches nothing.
 */
export function arnMatch(pattern: string, value: string): boolean {
  if (pattern === "*") return true;
  const p = parseArn(pattern);
  const v = parseArn(value);
  if (!p || !v) return false;
  return (
    wildcardMatch(p.partition, v.partition) &&
    wildcardMatch(p.service, v.service) &&
    wildcardMatch(p.region, v.region) &&
    wildcardMatch(p.account, v.account) &&
    wildcardMatch(p.resource, v.resource)
  );
}
