import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { VehicleStoreError } from "./errors";
import type { VehicleItem } from "./item";
import { documentClientSdk } from "./runtime-sdk";
import type { Vehicle } from "./vehicle";

export type StoreResult =
  | { outcome: "stored" }
  | { outcome: "duplicate" }
  /** The eventId is stored with other content: `differences` names each field, stored value first. */
  | { outcome: "conflict"; differences: string[] };

/** The fields that make two messages the same vehicle event; the rest (messageId, timestamps) differ per delivery. */
const CONTENT_FIELDS: readonly (keyof Vehicle)[] = ["vehicleId", "make", "model", "year", "color", "mileage"];

/**
 * Write the item once per (vehicleId, eventId). SQS delivers at least once and producers retry, so the same
 * event can arrive twice; the condition turns the second write into a recognised duplicate instead of an
 * overwrite that would move storedAt and hide the redelivery. When the condition fails, DynamoDB returns the
 * stored item (ReturnValuesOnConditionCheckFailure, no extra read): same content is a duplicate, other content
 * is a conflict that must not vanish.
 */
export async function storeVehicle(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  item: VehicleItem,
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
    );
    return { outcome: "stored" };
  } catch (error) {
    if ((error as Error)?.name !== "ConditionalCheckFailedException")
      throw new VehicleStoreError(item.messageId, error);
    const stored = (error as { Item?: Record<string, unknown> }).Item;
    if (!stored) {
      throw new VehicleStoreError(
        item.messageId,
        new Error("the table did not return the stored item with ConditionalCheckFailedException"),
      );
    }
    const differences = contentDifferences(stored, item);
    return differences.length ? { outcome: "conflict", differences } : { outcome: "duplicate" };
  }
}

/**
 * The content fields where the stored item differs from the new one. The exception carries the item in DynamoDB's
 * wire form ({ S: "..." }, { N: "..." }), which the document client does not convert on errors; plain values are
 * accepted too.
 */
export function contentDifferences(stored: Record<string, unknown>, item: Vehicle): string[] {
  const differences: string[] = [];
  for (const field of CONTENT_FIELDS) {
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
