// The consumer against DynamoDB's two ambiguous failures, injected by the embedded cloud's fault layer around
// dynalite: a write slower than the invocation (it must fail that record alone, not the batch by Lambda's timeout)
// and a write whose answer is lost (the SDK's retry meets the condition: the record's own write, counted as stored).

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createConsumer } from "../handlers/consumer";
import { callBudgetMs } from "../handlers/deadline";
import {
  type ConsumerWorld,
  captureOutput,
  lambdaContext,
  localClientConfig,
  metricValues,
  nextEventId,
  queryVehicle,
  sqsEventFor,
  startConsumerWorld,
  testLogger,
  testMetrics,
  vehicleBody,
} from "./support/consumer-harness";

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

async function withFaultyTable(
  rates: Record<string, number>,
  body: (world: ConsumerWorld, injected: Map<string, number>) => Promise<void>,
): Promise<void> {
  const injected = new Map<string, number>();
  const world = await startConsumerWorld({
    inWorkerThread: true,
    faults: { rates, seed: 7, slowMs: 60_000 },
    onFault: (kind) => injected.set(kind, (injected.get(kind) ?? 0) + 1),
  });
  try {
    await body(world, injected);
  } finally {
    await world.close();
  }
}

/** Messages for one vehicle, sent to the world's queue and received back as a Lambda event. */
async function eventOf(world: ConsumerWorld, vehicleId: string, count: number) {
  return sqsEventFor(
    world,
    Array.from({ length: count }, (_, i) => ({
      body: vehicleBody({ vehicleId, mileage: 1000 + i }),
      eventId: nextEventId(),
    })),
  );
}

/** Until the worker's fault reports (posted in small batches) have arrived; a hang guard, not a timing assertion. */
async function settled(injected: Map<string, number>, kind: string, atLeast: number): Promise<void> {
  for (let i = 0; i < 200 && (injected.get(kind) ?? 0) < atLeast; i++) await new Promise((r) => setTimeout(r, 20));
}

const test = suite("handlers: DynamoDB's ambiguous failures");

test("the call budget keeps a quarter of the remaining time, at most a second, for reporting", () => {
  assert.is(callBudgetMs(2_000), 1_500);
  assert.is(callBudgetMs(30_000), 29_000);
  assert.is(callBudgetMs(0), 0);
});

test("a PutItem slower than the invocation fails its record alone; the others are stored and not retried", async () => {
  await withFaultyTable({ "ddb-slow": 0.3 }, async (world, injected) => {
    const vehicleId = "VH9100";
    const event = await eventOf(world, vehicleId, 10);
    const context: Context = { ...lambdaContext(), getRemainingTimeInMillis: () => 4_000 };
    const consumer = createConsumer({
      ...world,
      logger: testLogger(),
      metrics: testMetrics(),
    });
    const run = await captureOutput(() => consumer(event, context));
    assert.is(run.error, undefined, "the invocation itself succeeds: no timeout, no full-batch failure");
    const failed = run.result!.batchItemFailures.map((f) => f.itemIdentifier);
    await settled(injected, "ddb-slow", failed.length);
    assert.ok(failed.length > 0, "the seeded dice slowed some writes");
    assert.is(failed.length, injected.get("ddb-slow"), "one batch item failure per slowed write");
    assert.is(sum(metricValues(run.emf, "VehiclesStored")), 10 - failed.length);
    assert.is(sum(metricValues(run.emf, "TransientFailures")), failed.length);
    const reasons = run.logs.filter((l) => l.outcome === "failed").map((l) => String(l.reason));
    assert.ok(
      reasons.every((r) => /did not answer within the invocation's 3000 ms/.test(r)),
      reasons.join("\n"),
    );
    // The slowed writes landed: their retry (the next delivery) meets the condition as duplicates.
    assert.is((await queryVehicle(world, vehicleId)).length, 10);
    world.dynamoEmulator.setFaultSlowMs?.(0);
    const retried = event.Records.filter((r) => failed.includes(r.messageId)).map((r) => ({
      ...r,
      attributes: { ...r.attributes, ApproximateReceiveCount: "2" },
    }));
    const retry = await captureOutput(() => consumer({ Records: retried }, lambdaContext()));
    assert.equal(retry.result, { batchItemFailures: [] });
    assert.is(sum(metricValues(retry.emf, "DuplicatesSkipped")), retried.length);
    assert.is(sum(metricValues(retry.emf, "VehiclesStored")), 0);
  });
});

test("a lost ack's SDK retry is the record's own write: counted as stored, not as a duplicate", async () => {
  await withFaultyTable({ "ddb-lost-ack": 0.3 }, async (world, injected) => {
    const vehicleId = "VH9200";
    const event = await eventOf(world, vehicleId, 10);
    // The SDK retries a reset connection; enough attempts that no record exhausts them at this rate.
    const dynamo = new DynamoDBClient({ ...localClientConfig(world.dynamoEmulator.endpoint), maxAttempts: 12 });
    const consumer = createConsumer({
      ...world,
      documentClient: DynamoDBDocumentClient.from(dynamo),
      logger: testLogger(),
      metrics: testMetrics(),
    });
    const run = await captureOutput(() => consumer(event, lambdaContext()));
    assert.equal(run.result, { batchItemFailures: [] });
    await settled(injected, "ddb-lost-ack", 1);
    assert.ok((injected.get("ddb-lost-ack") ?? 0) > 0, "the seeded dice lost some answers");
    assert.is((await queryVehicle(world, vehicleId)).length, 10);
    assert.is(sum(metricValues(run.emf, "VehiclesStored")), 10);
    assert.is(sum(metricValues(run.emf, "DuplicatesSkipped")), 0);
    // A later delivery of the same message (a higher receive count) is a duplicate.
    const again = {
      Records: [
        { ...event.Records[0]!, attributes: { ...event.Records[0]!.attributes, ApproximateReceiveCount: "2" } },
      ],
    };
    const second = await captureOutput(() => consumer(again, lambdaContext()));
    assert.is(sum(metricValues(second.emf, "DuplicatesSkipped")), 1);
    assert.is(sum(metricValues(second.emf, "VehiclesStored")), 0);
    dynamo.destroy();
  });
});

test.run();
