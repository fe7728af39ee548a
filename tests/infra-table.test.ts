import { suite } from "uvu";
import * as assert from "uvu/assert";
import { devSettings, devStack, only } from "./support/pulumi";

const test = suite("infra: VehicleTable");

test("on-demand billing, point-in-time recovery, server-side encryption, deletion protection from settings", async () => {
  const table = only(await devStack(), "aws:dynamodb/table:Table");
  assert.is(table.inputs.billingMode, "PAY_PER_REQUEST");
  assert.equal(table.inputs.pointInTimeRecovery, { enabled: true });
  assert.equal(table.inputs.serverSideEncryption, { enabled: true });
  assert.is(table.inputs.deletionProtectionEnabled, devSettings().deletionProtection);
  // On-demand tables take no provisioned capacity.
  assert.is(table.inputs.readCapacity, undefined);
  assert.is(table.inputs.writeCapacity, undefined);
});

test("key schema: partition vehicleId, sort eventId, both strings, nothing else declared", async () => {
  const table = only(await devStack(), "aws:dynamodb/table:Table");
  assert.is(table.inputs.hashKey, "vehicleId");
  assert.is(table.inputs.rangeKey, "eventId");
  assert.equal(table.inputs.attributes, [
    { name: "vehicleId", type: "S" },
    { name: "eventId", type: "S" },
  ]);
  assert.is(table.inputs.globalSecondaryIndexes, undefined);
});

test("the function writes to this table", async () => {
  const stack = await devStack();
  const fn = only(stack, "aws:lambda/function:Function");
  assert.is(fn.inputs.environment.variables.TABLE_NAME, only(stack, "aws:dynamodb/table:Table").state.name);
});

test.run();
