import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import type { Vehicle } from "./vehicle";

const PARTITION_KEY: keyof Vehicle = "vehicleId";
/** The item attribute the consumer writes (handlers/item.ts); the message attribute of the same name may change apart. */
const SORT_KEY = "eventId";

/**
 * The vehicle table's key: partition vehicleId, sort eventId. One item per logical message, which the consumer's
 * conditional put relies on (components/vehicle-table.ts says why this key).
 */
export const VEHICLE_TABLE_KEY = { partition: PARTITION_KEY, sort: SORT_KEY } as const;

/** CreateTable for a vehicle table made outside a deploy (tests, benchmarks): the program's key, on demand. */
export function vehicleTableInput(tableName: string): CreateTableCommandInput {
  const { partition, sort } = VEHICLE_TABLE_KEY;
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: partition, AttributeType: "S" },
      { AttributeName: sort, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: partition, KeyType: "HASH" },
      { AttributeName: sort, KeyType: "RANGE" },
    ],
  };
}
