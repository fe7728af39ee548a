// When is a rejected message dead-lettered more than once? The consumer against fauxqs and dynalite, with its table
// missing (a deployment fault, retried): Powertools' batch handling never sends a rejected record twice, because a
// rejected record is a success to it; a whole batch delivered again (what SQS does after an invocation that timed out
// or crashed after the DLQ send) would, unless the consumer deletes the record from its source queue right after the
// DLQ send (SOURCE_QUEUE_URL); `npm run dlq -- stats` recognises any extra copy by its sourceMessageId.

import { FullBatchFailureError } from "@aws-lambda-powertools/batch";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import * as assert from "uvu/assert";
import { attachReasons, dlqStats } from "../dlq/messages";
import { receiveAll, release } from "../dlq/sqs-io";
import type { ConsumerWorld } from "./support/consumer-harness";
import {
  captureOutput,
  consumerSuite,
  lambdaContext,
  nextEventId,
  sqsEventFor,
  testConsumer,
  vehicleBody,
} from "./support/consumer-harness";

const test = consumerSuite("handlers: a rejected record and the rest of its batch failing");

/** The consumer aimed at a table that does not exist: every valid record fails with ResourceNotFoundException. */
function consumerWithoutTable(world: ConsumerWorld, sourceQueueUrl?: string) {
  return testConsumer(world, { tableName: "deleted-table", sourceQueueUrl });
}

/** Reads the whole DLQ as `npm run dlq -- stats` does, leaves it as it was, and returns the statistics. */
async function dlqNow(world: ConsumerWorld) {
  const messages = attachReasons(await receiveAll(world.sqs, world.dlqUrl, { holdSeconds: 30 }));
  await release(world.sqs, world.dlqUrl, messages);
  return { stats: dlqStats(messages), sources: messages.map((m) => m.sourceMessageId) };
}

test("a mixed batch: the malformed record is dead-lettered once and reported as a success, the rest as failures", async ({
  world,
}) => {
  const event = await sqsEventFor(world, [
    { body: vehicleBody({ vehicleId: "VH7001" }), eventId: nextEventId() },
    { body: "{not json", eventId: nextEventId() },
    { body: vehicleBody({ vehicleId: "VH7002" }), eventId: nextEventId() },
  ]);
  const [first, malformed, third] = event.Records;
  const run = await captureOutput(() => consumerWithoutTable(world)(event, lambdaContext()));
  const failed = (run.result?.batchItemFailures ?? []).map((f) => f.itemIdentifier).sort();
  assert.equal(failed, [first!.messageId, third!.messageId].sort());
  const { stats, sources } = await dlqNow(world);
  assert.equal(sources, [malformed!.messageId]);
  assert.is(stats.rejected, 1);
  assert.is(stats.moved, 0);
});

test("a batch of valid records only fails whole (FullBatchFailureError) and dead-letters nothing", async ({
  world,
}) => {
  const before = (await dlqNow(world)).stats.total;
  const event = await sqsEventFor(world, [
    { body: vehicleBody({ vehicleId: "VH7003" }), eventId: nextEventId() },
    { body: vehicleBody({ vehicleId: "VH7004" }), eventId: nextEventId() },
  ]);
  const run = await captureOutput(() => consumerWithoutTable(world)(event, lambdaContext()));
  assert.instance(run.error, FullBatchFailureError);
  assert.is((await dlqNow(world)).stats.total, before);
});

test("without SOURCE_QUEUE_URL, the same batch delivered again (after a timeout or crash) dead-letters the malformed record a second time", async ({
  world,
}) => {
  const before = await dlqNow(world);
  const event = await sqsEventFor(world, [
    { body: "[1,2", eventId: nextEventId() },
    { body: vehicleBody({ vehicleId: "VH7005" }), eventId: nextEventId() },
  ]);
  const consume = consumerWithoutTable(world);
  await captureOutput(() => consume(event, lambdaContext()));
  // SQS redelivers every record of an invocation that did not return, the rejected one included.
  await captureOutput(() => consume(event, lambdaContext()));
  const after = await dlqNow(world);
  assert.is(after.stats.rejected - before.stats.rejected, 2, "two copies");
  assert.is(after.stats.rejectedDistinct - before.stats.rejectedDistinct, 1, "of one source message");
  assert.is(after.sources.filter((id) => id === event.Records[0]!.messageId).length, 2);
});

const inFlight = async (world: ConsumerWorld) =>
  Number(
    (
      await world.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: world.queueUrl,
          AttributeNames: ["ApproximateNumberOfMessagesNotVisible"],
        }),
      )
    ).Attributes?.ApproximateNumberOfMessagesNotVisible,
  );

test("with SOURCE_QUEUE_URL, a dead-lettered record is deleted from the source queue at once, so it cannot come back", async ({
  world,
}) => {
  const event = await sqsEventFor(world, [
    { body: "{oops", eventId: nextEventId() },
    { body: vehicleBody({ vehicleId: "VH7006" }), eventId: nextEventId() },
  ]);
  const before = await inFlight(world);
  const run = await captureOutput(() => consumerWithoutTable(world, world.queueUrl)(event, lambdaContext()));
  assert.equal(run.result, { batchItemFailures: [{ itemIdentifier: event.Records[1]!.messageId }] });
  // Had the invocation timed out now, SQS would return only the valid record: the rejected one is gone.
  assert.is(await inFlight(world), before - 1);
  assert.not.ok(run.logs.some((l) => /not deleted from its source queue/.test(l.message)));
});

test("a failed early delete is logged and changes nothing else: the record still counts as dead-lettered", async ({
  world,
}) => {
  const event = await sqsEventFor(world, [{ body: "nope", eventId: nextEventId() }]);
  const missing = world.queueUrl.replace(/vehicles$/, "no-such-queue");
  const run = await captureOutput(() => consumerWithoutTable(world, missing)(event, lambdaContext()));
  assert.equal(run.result, { batchItemFailures: [] });
  assert.ok(run.logs.some((l) => /not deleted from its source queue/.test(l.message)));
  assert.ok((await dlqNow(world)).sources.includes(event.Records[0]!.messageId));
});

test.run();
