import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { VEHICLE_FIELDS, type Vehicle } from "../contracts/vehicle";
import { type CallDeadline, deadlineError } from "./deadline";
import { StoreWriteError } from "./errors";
import type { VehicleItem } from "./item";
import { documentClientSdk } from "./runtime-sdk";

export type StoreResult =
  | { outcome: "stored" }
  | { outcome: "duplicate" }
  /** The eventId is stored with other content: `differences` names each field, stored value first. */
  | { outcome: "conflict"; differences: string[] };

/**
 * Write the item once per (vehicleId, eventId). SQS delivers at least once and producers retry, so the same
 * event can arrive twice; the condition turns the second write into a recognised duplicate instead of an
 * overwrite that would move storedAt and hide the redelivery. When the condition fails, DynamoDB returns the
 * stored item (ReturnValuesOnConditionCheckFailure, no extra read): same content is a duplicate, other content
 * is a conflict that must not vanish. Same content written by this very delivery (same messageId and receive count:
 * the SDK retried a write whose answer was lost) is this record's own write, so it counts as stored.
 * With a deadline, the call is abandoned when it passes (a TimeoutError: the record alone is retried).
 */
export async function storeVehicle(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  item: VehicleItem,
  deadline?: CallDeadline,
): Promise<StoreResult> {
  const { PutCommand } = documentClientSdk();
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: "attribute_not_exists(eventId)",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
      { abortSignal: deadline?.signal },
    );
    return { outcome: "stored" };
  } catch (error) {
    if (deadline?.signal.aborted)
      throw new StoreWriteError(item.messageId, deadlineError("DynamoDB PutItem", deadline.budgetMs));
    if ((error as Error)?.name !== "ConditionalCheckFailedException") throw new StoreWriteError(item.messageId, error);
    const stored = (error as { Item?: Record<string, unknown> }).Item;
    if (!stored) {
      throw new StoreWriteError(
        item.messageId,
        new Error("the table did not return the stored item with ConditionalCheckFailedException"),
      );
    }
    const differences = contentDifferences(stored, item);
    if (differences.length) return { outcome: "conflict", differences };
    return writtenByThisDelivery(stored, item) ? { outcome: "stored" } : { outcome: "duplicate" };
  }
}

/**
 * Whether the stored item is this delivery's own earlier attempt: the SDK retried a PutItem whose answer was lost
 * (a reset connection after the write landed). Another delivery of the same message has a higher receive count.
 */
function writtenByThisDelivery(stored: Record<string, unknown>, item: VehicleItem): boolean {
  return plainValue(stored.messageId) === item.messageId && plainValue(stored.receiveCount) === item.receiveCount;
}

/**
 * The content fields where the stored item differs from the new one (the rest, messageId and timestamps, differ per
 * delivery). The exception carries the item in DynamoDB's
 * wire form ({ S: "..." }, { N: "..." }), which the document client does not convert on errors; plain values are
 * accepted too.
 */
export function contentDifferences(stored: Record<string, unknown>, item: Vehicle): string[] {
  const differences: string[] = [];
  for (const field of VEHICLE_FIELDS) {
    const before = plainValue(stored[field]);
    if (before !== item[field])
      differences.push(`${field} ${JSON.stringify(before)} vs ${JSON.stringify(item[field])}`);
  }
  return differences;
}

function plainValue(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const wire = value as { S?: string; N?: string };
  if (wire.S !== undefined) return wire.S;
  if (wire.N !== undefined) return Number(wire.N);
  return value;
}
