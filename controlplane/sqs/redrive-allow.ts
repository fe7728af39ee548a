import { parseArn } from "../iam/arn";

/**
 * A dead-letter queue's RedriveAllowPolicy: which source queues may name it in their RedrivePolicy (SQS checks it
 * when a RedrivePolicy is set, and a move task returns messages only to admitted sources). The attribute is a JSON
 * string: `{"redrivePermission": "allowAll" | "denyAll" | "byQueue", "sourceQueueArns": [...]}`, byQueue listing
 * 1 to 10 source queue ARNs (SQS API reference, SetQueueAttributes).
 */

export type RedriveAllowPolicy =
  | { redrivePermission: "allowAll" | "denyAll" }
  | { redrivePermission: "byQueue"; sourceQueueArns: readonly string[] };

/** The most source queues a byQueue policy may list. */
const MAX_SOURCE_QUEUES = 10;

/** The policy, or why SQS would refuse the attribute (in this project's words). */
export function parseRedriveAllowPolicy(text: unknown): { policy: RedriveAllowPolicy } | { problem: string } {
  let value: unknown = text;
  if (typeof text === "string") {
    try {
      value = JSON.parse(text);
    } catch {
      return { problem: "it is not JSON" };
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { problem: "it is not a JSON object" };
  const { redrivePermission, sourceQueueArns } = value as Record<string, unknown>;
  if (redrivePermission === "allowAll" || redrivePermission === "denyAll") {
    if (sourceQueueArns !== undefined) return { problem: "sourceQueueArns is only allowed with byQueue" };
    return { policy: { redrivePermission } };
  }
  if (redrivePermission !== "byQueue") return { problem: "redrivePermission is allowAll, denyAll or byQueue" };
  const valid =
    Array.isArray(sourceQueueArns) &&
    sourceQueueArns.length >= 1 &&
    sourceQueueArns.length <= MAX_SOURCE_QUEUES &&
    sourceQueueArns.every((a) => typeof a === "string" && parseArn(a)?.service === "sqs");
  if (!valid) return { problem: `byQueue lists 1 to ${MAX_SOURCE_QUEUES} source queue ARNs` };
  return { policy: { redrivePermission: "byQueue", sourceQueueArns: sourceQueueArns as string[] } };
}

/** Whether the dead-letter queue's policy admits the source queue; no policy admits every queue of the account. */
export function redriveAllowed(policy: RedriveAllowPolicy | undefined, sourceQueueArn: string): boolean {
  if (!policy || policy.redrivePermission === "allowAll") return true;
  return policy.redrivePermission === "byQueue" && policy.sourceQueueArns.includes(sourceQueueArn);
}
