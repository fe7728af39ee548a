import type { SynthesizedResource, SynthesizedStack } from "../../contracts";

/**
 * Finding resources of a synthesized stack by the identifiers other resources hold for them: a queue by its URL or
 * ARN, a role by its name, id or ARN. Inputs hold what the provider receives, so a reference is whatever the
 * referenced resource's id, name, ARN or URL resolved to.
 */

export const TYPES = {
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  redrivePolicy: "aws:sqs/redrivePolicy:RedrivePolicy",
  redriveAllowPolicy: "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policy: "aws:iam/policy:Policy",
  function: "aws:lambda/function:Function",
  eventSourceMapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
} as const;

export const resourcesOf = (stack: SynthesizedStack, type: string): SynthesizedResource[] =>
  stack.resources.filter((r) => r.type === type);

/** True for a value not known before deployment; such values refer to nothing (every unknown looks alike). */
export type IsUnknown = (value: unknown) => boolean;

/** The values other resources may hold to refer to this one. */
export function identifiersOf(resource: SynthesizedResource, isUnknown?: IsUnknown): string[] {
  const candidates = [
    resource.id,
    resource.state.arn,
    resource.state.url,
    resource.state.name,
    resource.inputs.name,
    resource.state.qualifiedArn,
  ];
  return candidates.filter((v): v is string => typeof v === "string" && v !== "" && !isUnknown?.(v));
}

/** The resource of `type` that `reference` refers to, if the stack declares it. */
export function findByReference(
  stack: SynthesizedStack,
  type: string,
  reference: unknown,
  isUnknown?: IsUnknown,
): SynthesizedResource | undefined {
  if (typeof reference !== "string" || reference === "" || isUnknown?.(reference)) return undefined;
  return resourcesOf(stack, type).find((r) => identifiersOf(r, isUnknown).includes(reference));
}
