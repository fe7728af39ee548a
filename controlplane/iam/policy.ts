import { parseArn } from "./arn";

/**
 * The IAM policy language's grammar, checked the way IAM (and SQS, for queue policies) check a document before
 * storing it, and the document normalized for evaluation: every Action, Resource and Principal value a list, every
 * condition value a string. Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */

/** identity: attached to a user or role (no Principal). resource: an SQS queue policy. trust: a role's assume-role policy. */
export type PolicyKind = "identity" | "resource" | "trust";

export type Effect = "Allow" | "Deny";

/** `"*"` or principal type (AWS, Service, Federated, CanonicalUser) -> values. */
export type Principals = "*" | Readonly<Record<string, readonly string[]>>;

/** Operator (with its ForAnyValue:/ForAllValues: prefix and IfExists suffix) -> condition key -> values. */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

export interface Statement {
  /** Position in the document's Statement list, from 0. */
  index: number;
  sid?: string;
  effect: Effect;
  principal?: Principals;
  notPrincipal?: Principals;
  action?: readonly string[];
  notAction?: readonly string[];
  resource?: readonly string[];
  notResource?: readonly string[];
  condition?: ConditionBlock;
}

export interface Policy {
  /** 2012-10-17, or 2008-10-17 (also what IAM assumes when Version is absent). */
  version: string;
  statements: readonly Statement[];
}

/** One broken rule. `field` is a path such as `Statement[1].Action[0]`. */
export interface PolicyViolation {
  statement?: number;
  sid?: string;
  field: string;
  value: unknown;
  rule: string;
  /** What AWS answers (IAM's MalformedPolicyDocument text, or SQS's for queue policies), where it is known. */
  awsText?: string;
}

/** A valid document normalized (`policy`), or every violation found (`violations`, then `policy` is absent). */
export interface ParsedPolicy {
  policy?: Policy;
  violations: PolicyViolation[];
}

export interface ParseOptions {
  /** The account's partition; a Resource naming another one is refused. Default `aws`. */
  partition?: string;
}

/** IAM's MalformedPolicyDocument messages, as AWS returned them in the cited reports. */
const IAM_TEXT = {
  // aws-samples/aws-microservices-deploy-options#118 (CreateRole given a non-JSON document).
  invalidJson: "This policy contains invalid Json",
  // boto/boto3#180; the conditions that raise it follow localstack's validator, which mirrors IAM.
  syntax: "Syntax errors in policy.",
  // hashicorp/terraform#10057: an Effect of "allow".
  legacyParsing: "The policy failed legacy parsing",
  // aws-cloudformation/cfn-lint#1376.
  sid: "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*",
  // aws/aws-cdk#7615, aws-samples/aws-health-aware#1.
  noActions: "Policy statement must contain actions.",
  noResources: "Policy statement must contain resources.",
  // hashicorp/terraform#13449 (PutRolePolicy with a Principal).
  principalInIdentity: "Policy document should not specify a principal.",
  // terraform-aws-modules/terraform-aws-iam#47 (CreateRole, a trust statement without Principal).
  noPrincipalInTrust:
    "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!",
  // kubernetes-sigs/external-dns#3085 (CreateRole, a trust statement with Resource).
  resourceInTrust: "Has prohibited field Resource",
  // A CloudFormation failure quoted in the search corpus; eksctl-io/eksctl#2794 for the colon rule.
  noVendor: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
  twoColons: "Actions/Condition can contain only one colon.",
  // boogy/iam-policy-validator#172, quoting IAM.
  vendorWildcard: "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards",
  // trussworks/terraform-aws-s3-anti-virus#21; eksctl-io/eksctl#4329.
  notArn: (resource: string) => `Resource ${resource} must be in ARN format or "*".`,
  partition: (partition: string, resource: string) =>
    `Partition "${partition}" is not valid for resource "${resource}".`,
} as const;

/** SQS answers every malformed queue policy with this (InvalidAttributeValue; hashicorp/terraform-provider-aws#42209). */
const SQS_INVALID_POLICY = "Invalid value for the parameter Policy.";

const VERSIONS = ["2012-10-17", "2008-10-17"];
const TOP_LEVEL = new Set(["Version", "Id", "Statement"]);
const STATEMENT_ELEMENTS = new Set([
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
]);
const PRINCIPAL_TYPES = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);

/** Every operator of the IAM condition language; conditions.ts evaluates a subset and refuses the rest. */
const CONDITION_OPERATORS = new Set([
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
  "Null",
]);

/** An operator's parts: `ForAnyValue:StringLikeIfExists` -> set ForAnyValue, base StringLike, ifExists. */
export function splitOperator(operator: string): {
  set?: "ForAnyValue" | "ForAllValues";
  base: string;
  ifExists: boolean;
} {
  const match = /^(?:(ForAnyValue|ForAllValues):)?(.*?)(IfExists)?$/.exec(operator)!;
  const set = match[1] as "ForAnyValue" | "ForAllValues" | undefined;
  return { ...(set ? { set } : {}), base: match[2]!, ifExists: match[3] !== undefined };
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Where a finding belongs: its statement's index and Sid. */
type Where = { statement?: number; sid?: string };

/** Collects the violations of one document, each with the statement it belongs to. */
class Findings {
  readonly list: PolicyViolation[] = [];
  constructor(private readonly kind: PolicyKind) {}
  add(where: Where, field: string, value: unknown, rule: string, iamText?: string) {
    // SQS names no rule: every malformed queue policy gets the same answer.
    const awsText = this.kind === "resource" ? SQS_INVALID_POLICY : iamText;
    this.list.push({ ...where, field, value, rule, ...(awsText ? { awsText } : {}) });
  }
}

/** A string or a non-empty list of strings, as a list; undefined (and a finding) otherwise. */
function stringList(value: Json, field: string, findings: Findings, where: Where): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string")) return value as string[];
  findings.add(where, field, value, "must be a string or a non-empty list of strings", IAM_TEXT.syntax);
  return undefined;
}

function checkAction(action: string, field: string, findings: Findings, where: Where): void {
  if (action === "*") return;
  const parts = action.split(":");
  if (parts.length === 1) {
    findings.add(where, field, action, "an action is `*` or `vendor:Action`", IAM_TEXT.noVendor);
  } else if (parts.length > 2) {
    findings.add(where, field, action, "an action has exactly one colon", IAM_TEXT.twoColons);
  } else if (/[*?]/.test(parts[0]!)) {
    findings.add(
      where,
      field,
      action,
      "the vendor (service prefix) must not contain wildcards",
      IAM_TEXT.vendorWildcard,
    );
  } else if (!/^[a-zA-Z0-9.-]+$/.test(parts[0]!) || parts[1] === "") {
    findings.add(where, field, action, "an action is a service prefix such as sqs and an action name");
  }
}

function checkResource(resource: string, field: string, partition: string, findings: Findings, where: Where): void {
  if (resource === "*") return;
  const arn = parseArn(resource);
  if (!resource.includes(":")) {
    findings.add(where, field, resource, 'a resource is an ARN or "*"', IAM_TEXT.notArn(resource));
  } else if (!arn) {
    findings.add(where, field, resource, "an ARN has six fields: arn:partition:service:region:account:resource");
  } else if (arn.partition !== "*" && arn.partition !== partition) {
    findings.add(
      where,
      field,
      resource,
      `the partition must be the account's (${partition})`,
      IAM_TEXT.partition(arn.partition, resource),
    );
  }
}

/** Principal values keyed by type; `"*"` stays `"*"`. */
function principals(value: Json, field: string, findings: Findings, where: Where): Principals | undefined {
  if (value === "*") return "*";
  if (!isObject(value) || Object.keys(value).length === 0) {
    findings.add(where, field, value, 'a principal is "*" or an object such as {"AWS": ...} or {"Service": ...}');
    return undefined;
  }
  const out: Record<string, string[]> = {};
  for (const [type, raw] of Object.entries(value)) {
    if (!PRINCIPAL_TYPES.has(type)) {
      findings.add(where, `${field}.${type}`, raw, "principal types are AWS, Service, Federated and CanonicalUser");
      continue;
    }
    const values = stringList(raw, `${field}.${type}`, findings, where);
    if (!values) continue;
    if (type === "AWS")
      for (const v of values)
        if (v !== "*" && !/^\d{12}$/.test(v) && !/^arn:[^:]+:(iam|sts)::\d{12}:/.test(v))
          findings.add(where, `${field}.AWS`, v, "an AWS principal is *, an account id or an IAM/STS ARN");
    out[type] = values;
  }
  return out;
}

/** Condition values normalized to strings (IAM accepts JSON booleans and numbers and compares their text). */
function conditionBlock(value: Json, field: string, findings: Findings, where: Where) {
  if (!isObject(value)) {
    findings.add(where, field, value, "a Condition is an object of operators", IAM_TEXT.syntax);
    return undefined;
  }
  const block: Record<string, Record<string, string[]>> = {};
  for (const [operator, keys] of Object.entries(value)) {
    if (!CONDITION_OPERATORS.has(splitOperator(operator).base)) {
      findings.add(where, `${field}.${operator}`, operator, "unknown condition operator");
      continue;
    }
    if (!isObject(keys)) {
      findings.add(where, `${field}.${operator}`, keys, "an operator maps condition keys to values", IAM_TEXT.syntax);
      continue;
    }
    block[operator] = {};
    for (const [key, raw] of Object.entries(keys)) {
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0 || !list.every((v) => ["string", "number", "boolean"].includes(typeof v))) {
        findings.add(where, `${field}.${operator}.${key}`, raw, "condition values are strings, numbers or booleans");
        continue;
      }
      block[operator]![key] = list.map(String);
    }
  }
  return block;
}

/** Principal / NotPrincipal rules, which depend on the kind of policy. */
function statementPrincipals(
  raw: Record<string, Json>,
  kind: PolicyKind,
  findings: Findings,
  where: Where,
  path: string,
): Pick<Statement, "principal" | "notPrincipal"> {
  const has = (k: string) => k in raw;
  if (kind === "identity") {
    for (const k of ["Principal", "NotPrincipal"].filter(has))
      findings.add(where, `${path}.${k}`, raw[k], "identity policies name no principal", IAM_TEXT.principalInIdentity);
    return {};
  }
  if (!has("Principal") && !has("NotPrincipal")) {
    findings.add(
      where,
      `${path}.Principal`,
      undefined,
      `${kind} policies name the principal of every statement`,
      kind === "trust" ? IAM_TEXT.noPrincipalInTrust : undefined,
    );
    return {};
  }
  if (has("Principal") && has("NotPrincipal"))
    findings.add(where, path, raw, "Principal and NotPrincipal exclude each other", IAM_TEXT.syntax);
  if (kind === "trust" && has("NotPrincipal"))
    findings.add(where, `${path}.NotPrincipal`, raw.NotPrincipal, "role trust policies do not support NotPrincipal");
  const principal = has("Principal") ? principals(raw.Principal, `${path}.Principal`, findings, where) : undefined;
  const notPrincipal = has("NotPrincipal")
    ? principals(raw.NotPrincipal, `${path}.NotPrincipal`, findings, where)
    : undefined;
  return { ...(principal ? { principal } : {}), ...(notPrincipal ? { notPrincipal } : {}) };
}

/** Action / NotAction: exactly one, every value vendor-qualified. */
function statementActions(
  raw: Record<string, Json>,
  findings: Findings,
  where: Where,
  path: string,
): Pick<Statement, "action" | "notAction"> {
  if (!("Action" in raw) && !("NotAction" in raw)) {
    findings.add(where, `${path}.Action`, undefined, "a statement has Action or NotAction", IAM_TEXT.noActions);
    return {};
  }
  if ("Action" in raw && "NotAction" in raw)
    findings.add(where, path, raw, "Action and NotAction exclude each other", IAM_TEXT.syntax);
  const out: { action?: string[]; notAction?: string[] } = {};
  for (const [key, prop] of [
    ["Action", "action"],
    ["NotAction", "notAction"],
  ] as const) {
    if (!(key in raw)) continue;
    const list = stringList(raw[key], `${path}.${key}`, findings, where);
    list?.forEach((a, i) => {
      checkAction(a, `${path}.${key}[${i}]`, findings, where);
    });
    if (list) out[prop] = list;
  }
  return out;
}

/** Resource / NotResource: prohibited in trust policies, otherwise exactly one, every value an ARN or `*`. */
function statementResources(
  raw: Record<string, Json>,
  kind: PolicyKind,
  options: Required<ParseOptions>,
  findings: Findings,
  where: Where,
  path: string,
): Pick<Statement, "resource" | "notResource"> {
  if (kind === "trust") {
    for (const k of ["Resource", "NotResource"].filter((k) => k in raw))
      findings.add(where, `${path}.${k}`, raw[k], "trust policies name no resource", `Has prohibited field ${k}`);
    return {};
  }
  if (!("Resource" in raw) && !("NotResource" in raw)) {
    findings.add(where, `${path}.Resource`, undefined, "a statement has Resource or NotResource", IAM_TEXT.noResources);
    return {};
  }
  if ("Resource" in raw && "NotResource" in raw)
    findings.add(where, path, raw, "Resource and NotResource exclude each other", IAM_TEXT.syntax);
  const out: { resource?: string[]; notResource?: string[] } = {};
  for (const [key, prop] of [
    ["Resource", "resource"],
    ["NotResource", "notResource"],
  ] as const) {
    if (!(key in raw)) continue;
    const list = stringList(raw[key], `${path}.${key}`, findings, where);
    list?.forEach((r, i) => {
      checkResource(r, `${path}.${key}[${i}]`, options.partition, findings, where);
    });
    if (list) out[prop] = list;
  }
  return out;
}

function parseStatement(
  raw: Json,
  index: number,
  kind: PolicyKind,
  options: Required<ParseOptions>,
  findings: Findings,
): Statement | undefined {
  const path = `Statement[${index}]`;
  if (!isObject(raw)) {
    findings.add({ statement: index }, path, raw, "a statement is an object", IAM_TEXT.syntax);
    return undefined;
  }
  const sid = typeof raw.Sid === "string" ? raw.Sid : undefined;
  const where = { statement: index, ...(sid !== undefined ? { sid } : {}) };
  for (const key of Object.keys(raw).filter((k) => !STATEMENT_ELEMENTS.has(k)))
    findings.add(where, `${path}.${key}`, raw[key], "not an element of a policy statement", IAM_TEXT.syntax);
  if ("Sid" in raw && typeof raw.Sid !== "string")
    findings.add(where, `${path}.Sid`, raw.Sid, "a Sid is a string", IAM_TEXT.syntax);
  // IAM allows only ASCII letters and digits; SQS queue policies accept more (its console writes `__owner_statement`).
  if (sid !== undefined && kind !== "resource" && !/^[0-9A-Za-z]*$/.test(sid))
    findings.add(where, `${path}.Sid`, sid, "a Sid is ASCII letters and digits only", IAM_TEXT.sid);
  if (raw.Effect !== "Allow" && raw.Effect !== "Deny")
    findings.add(
      where,
      `${path}.Effect`,
      raw.Effect,
      'Effect is "Allow" or "Deny" (case-sensitive)',
      IAM_TEXT.legacyParsing,
    );

  const statement: Statement = {
    index,
    ...(sid !== undefined ? { sid } : {}),
    effect: raw.Effect as Effect,
    ...statementPrincipals(raw, kind, findings, where, path),
    ...statementActions(raw, findings, where, path),
    ...statementResources(raw, kind, options, findings, where, path),
  };
  if ("Condition" in raw) {
    const condition = conditionBlock(raw.Condition, `${path}.Condition`, findings, where);
    if (condition) return { ...statement, condition };
  }
  return statement;
}

/** Top-level rules: a JSON object with Version, Id and Statement only, a known Version and a Statement. */
function documentStatements(document: unknown, findings: Findings): { version: string; raw: Json[] } | undefined {
  let json: Json = document;
  if (typeof document === "string") {
    try {
      json = JSON.parse(document);
    } catch (error) {
      findings.add({}, "(document)", document, `not JSON: ${(error as Error).message}`, IAM_TEXT.invalidJson);
      return undefined;
    }
  }
  if (!isObject(json)) {
    findings.add({}, "(document)", json, "a policy is a JSON object", IAM_TEXT.syntax);
    return undefined;
  }
  for (const key of Object.keys(json).filter((k) => !TOP_LEVEL.has(k)))
    findings.add({}, key, json[key], "not a top-level policy element (Version, Id, Statement)", IAM_TEXT.syntax);
  if ("Version" in json && !VERSIONS.includes(json.Version as string))
    findings.add({}, "Version", json.Version, `Version is ${VERSIONS.join(" or ")}`, IAM_TEXT.syntax);
  if ("Id" in json && typeof json.Id !== "string")
    findings.add({}, "Id", json.Id, "an Id is a string", IAM_TEXT.syntax);
  const statements = json.Statement;
  if (!(isObject(statements) || (Array.isArray(statements) && statements.length > 0))) {
    findings.add({}, "Statement", statements, "Statement is a statement or a non-empty list of them", IAM_TEXT.syntax);
    return undefined;
  }
  // IAM's default when Version is absent; policy variables then read as literal text.
  const version = typeof json.Version === "string" ? json.Version : "2008-10-17";
  return { version, raw: Array.isArray(statements) ? statements : [statements] };
}

/**
 * Checks a policy document (JSON text or the parsed object) against the grammar for its kind and returns every
 * violation, or the normalized policy when there are none.
 */
export function parsePolicy(document: unknown, kind: PolicyKind, options: ParseOptions = {}): ParsedPolicy {
  const findings = new Findings(kind);
  const top = documentStatements(document, findings);
  if (!top) return { violations: findings.list };
  const resolved = { partition: options.partition ?? "aws" };
  const statements = top.raw.map((raw, index) => parseStatement(raw, index, kind, resolved, findings));
  const seen = new Set<string>();
  for (const s of statements) {
    if (!s?.sid) continue;
    if (seen.has(s.sid))
      findings.add(
        { statement: s.index, sid: s.sid },
        `Statement[${s.index}].Sid`,
        s.sid,
        "Sids are unique in a policy",
      );
    seen.add(s.sid);
  }
  if (findings.list.length > 0) return { violations: findings.list };
  return { policy: { version: top.version, statements: statements as Statement[] }, violations: [] };
}
