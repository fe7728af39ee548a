import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { VehicleStoreError } from "./errors";
import type { VehicleItem } from "./item";

export type StoreResult = "stored" | "duplicate";

/**
 * Write the item once per (vehicleId, eventId). SQS delivers at least once and producers retry, so the same
 * event can arrive twice; the condition turns the second write into a recognised duplicate instead of an
 * overwrite that would move storedAt and hide the redelivery.
 */
export async function storeVehicle(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  item: VehicleItem,
): Promise<StoreResult> {
  try {
    await documentClient.send(
      new PutCommand({ TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(eventId)" }),
    );
    return "stored";
  } catch (error) {
    if ((error as Error)?.name === "ConditionalCheckFailedException") return "duplicate";
    // Anything else (throttling, 5xx, timeout, network, missing table) may pass: let SQS retry it.
    throw new VehicleStoreError(item.messageId, error);
  }
}
