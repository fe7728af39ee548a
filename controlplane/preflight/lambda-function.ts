import type { SynthesizedResource } from "../../contracts";
import { ControlPlaneError } from "../iam/errors";
import { evaluate } from "../iam/evaluate";
import { parsePolicy } from "../iam/policy";
import { functionPrincipal, functionRole, roleIdentityPolicies } from "../stack/iam-wiring";
import { resourcesOf, TYPES } from "../stack/lookup";
import { integerInRange } from "./ranges";
import type { PreflightContext } from "./report";

/** What Lambda's CreateFunction refuses. */

const LAMBDA_TEXT = {
  // danilop/LambdAuth#49 and others.
  cannotAssume: "The role defined for the function cannot be assumed by Lambda.",
  // coinbase/fenrir#1 and others (TracingConfig Active).
  xray: "The provided execution role does not have permissions to call PutTraceSegments on XRAY",
  // awslabs/aws-api-gateway-developer-portal#493.
  nameLength: (name: string) =>
    `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
  // aws-samples/aws-genai-llm-chatbot#583 (AWS then appends "String measured: <the variables as JSON>").
  environment:
    "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.",
} as const;

const MAX_FUNCTION_NAME = 64;
/** The variables as JSON is what Lambda measures against 4 KB ("String measured: {...}" in its error). */
const MAX_ENVIRONMENT_BYTES = 4096;
/** Pulumi auto-naming appends `-` and 7 hex characters to the logical name. */
const AUTO_NAME_SUFFIX = 8;

function checkTrust(ctx: PreflightContext, fn: SynthesizedResource, role: SynthesizedResource): void {
  const document: unknown = role.inputs.assumeRolePolicy;
  if (!ctx.known(role, "assumeRolePolicy", document)) return;
  const { policy } = parsePolicy(document, "trust", { partition: ctx.partition });
  if (!policy) return; // The grammar rule reports it.
  const decision = evaluate(
    {
      principal: { service: "lambda.amazonaws.com" },
      action: "sts:AssumeRole",
      resource: typeof role.state.arn === "string" ? role.state.arn : "*",
    },
    { identityPolicies: [], resourcePolicy: { name: role.name, policy } },
  );
  if (decision.decision !== "allow")
    ctx.violation(
      role,
      "assumeRolePolicy",
      document,
      `the trust policy must let lambda.amazonaws.com perform sts:AssumeRole, or function "${fn.name}" cannot use the role`,
      LAMBDA_TEXT.cannotAssume,
    );
}

/** Active tracing: Lambda checks at CreateFunction that the role may upload traces. */
function checkTracingPermissions(ctx: PreflightContext, fn: SynthesizedResource, role: SynthesizedResource): void {
  if (fn.inputs.tracingConfig?.mode !== "Active") return;
  const name: unknown = fn.inputs.name ?? fn.state.name;
  const principal = typeof name === "string" ? functionPrincipal(role, name) : undefined;
  if (!principal) {
    ctx.skip(fn, "tracingConfig.mode", "the role's ARN is not known");
    return;
  }
  const identity = roleIdentityPolicies(ctx.stack, role, ctx.wiring);
  for (const action of ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]) {
    try {
      const decision = evaluate({ principal, action, resource: "*" }, { identityPolicies: identity.policies });
      if (decision.decision === "allow") continue;
      if (identity.unavailable.length > 0) {
        const names = identity.unavailable.map((p) => `${p.name} (${p.reason})`).join(", ");
        ctx.skip(fn, "tracingConfig.mode", `${action} is not allowed by the declared policies; not checked: ${names}`);
        continue;
      }
      ctx.violation(
        fn,
        "tracingConfig.mode",
        "Active",
        `active tracing needs the execution role "${role.name}" to allow ${action}: ${decision.message}`,
        action === "xray:PutTraceSegments" ? LAMBDA_TEXT.xray : undefined,
      );
    } catch (error) {
      if (!(error instanceof ControlPlaneError)) throw error;
      ctx.skip(fn, "tracingConfig.mode", `${action}: ${error.message}`);
    }
  }
}

/**
 * The physical name: explicit (`name`), or the logical name plus Pulumi's 8-character auto-name suffix. When the
 * explicit name contains the stack name, the rule says how long a stack name still fits.
 */
function checkName(ctx: PreflightContext, fn: SynthesizedResource): void {
  const explicit: unknown = fn.inputs.name;
  if (!ctx.known(fn, "name", explicit)) return;
  const name = typeof explicit === "string" ? explicit : `${fn.name}-xxxxxxx`;
  const length = typeof explicit === "string" ? explicit.length : fn.name.length + AUTO_NAME_SUFFIX;
  const { stackName } = ctx.options;
  const stackPart = typeof explicit === "string" && stackName !== "" && explicit.includes(stackName);
  const budget = stackPart
    ? ` (it contains the stack name "${stackName}"; stack names up to ${MAX_FUNCTION_NAME - (length - stackName.length)} characters fit)`
    : "";
  if (length > MAX_FUNCTION_NAME)
    ctx.violation(
      fn,
      "name",
      name,
      `a function name has at most ${MAX_FUNCTION_NAME} characters; this one has ${length}${budget}`,
      LAMBDA_TEXT.nameLength(name),
    );
  // An auto-name's suffix is hex, so only the logical name part can break the pattern.
  if (!/^[a-zA-Z0-9_-]+$/.test(typeof explicit === "string" ? explicit : fn.name))
    ctx.violation(fn, "name", name, `a function name has only letters, digits, hyphens and underscores${budget}`);
}

function checkEnvironment(ctx: PreflightContext, fn: SynthesizedResource): void {
  const variables: unknown = fn.inputs.environment?.variables;
  if (variables === undefined || !ctx.known(fn, "environment.variables", variables)) return;
  const bytes = Buffer.byteLength(JSON.stringify(variables));
  if (bytes > MAX_ENVIRONMENT_BYTES)
    ctx.violation(
      fn,
      "environment.variables",
      `${bytes} bytes`,
      `the environment variables, measured as JSON, are ${bytes} bytes; Lambda allows ${MAX_ENVIRONMENT_BYTES}`,
      LAMBDA_TEXT.environment,
    );
}

export function checkFunctions(ctx: PreflightContext): void {
  for (const fn of resourcesOf(ctx.stack, TYPES.function)) {
    checkName(ctx, fn);
    integerInRange(ctx, fn, "memorySize", { min: 128, max: 10_240, fallback: 128, what: "the memory size in MB" });
    integerInRange(ctx, fn, "timeout", { min: 1, max: 900, fallback: 3, what: "the function timeout in seconds" });
    checkEnvironment(ctx, fn);
    if (!ctx.known(fn, "role", fn.inputs.role)) continue;
    const role = functionRole(ctx.stack, fn, ctx.wiring);
    if (!role) {
      ctx.skip(fn, "role", "the execution role is not declared in this stack");
      continue;
    }
    checkTrust(ctx, fn, role);
    checkTracingPermissions(ctx, fn, role);
  }
}
