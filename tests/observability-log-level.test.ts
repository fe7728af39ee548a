// What the consumer logs at the default LOG_LEVEL (INFO), checked against the saved Logs Insights queries that read
// it: each query's filter still finds the lines it needs, and a stored record has no line of its own.
import { Logger } from "@aws-lambda-powertools/logger";
import * as assert from "uvu/assert";
import { consumerLogQueries } from "../components/log-queries";
import { parseSettings } from "../contracts";
import {
  captureOutput,
  consumerSuite,
  type JsonLine,
  lambdaContext,
  nextEventId,
  sqsEventFor,
  testConsumer,
  vehicleBody,
} from "./support/consumer-harness";

const test = consumerSuite("observability: what INFO logs, for the saved queries");

/** The `filter field = "value"` clause a query starts with, as a predicate over JSON log lines. */
function filterOf(queryString: string): ((line: JsonLine) => boolean) | undefined {
  const match = /^filter (\w+) = "([^"]*)"$/m.exec(queryString);
  if (!match) return undefined;
  const [, field, value] = match;
  return (line) => line[field!] === value;
}

test("at the default level each saved query over the consumer's lines finds them; stored records are not logged", async ({
  world,
}) => {
  assert.is(parseSettings({}).logLevel, "INFO");
  const eventId = nextEventId();
  const valid = { body: vehicleBody({ vehicleId: "VH8101" }), eventId };
  const first = await sqsEventFor(world, [valid]);
  const consumer = testConsumer(world, { logger: new Logger({ serviceName: "vehicle-consumer", logLevel: "INFO" }) });
  await consumer(first, lambdaContext());
  // The same event again (a redelivery), beside a malformed message.
  const second = await sqsEventFor(world, [valid, { body: "{not json", eventId: nextEventId() }]);
  const run = await captureOutput(() => consumer(second, lambdaContext()));
  assert.equal(run.result, { batchItemFailures: [] });

  for (const query of consumerLogQueries()) {
    const filter = filterOf(query.queryString);
    // Lambda's own REPORT lines (@type) are the platform's, written whatever LOG_LEVEL says.
    if (query.queryString.includes("@type")) continue;
    assert.ok(filter, `${query.key}: a filter on one field`);
    const found = run.logs.filter(filter!);
    assert.ok(found.length > 0, `${query.key} finds nothing at INFO in ${JSON.stringify(run.logs)}`);
    for (const field of /fields ([^\n]+)/.exec(query.queryString)?.[1]?.split(", ") ?? []) {
      if (field.startsWith("@")) continue;
      assert.ok(field in found[0]!, `${query.key} reads ${field}, which the line lacks`);
    }
  }
  const invalid = run.logs.find((l) => l.outcome === "invalid")!;
  assert.is(invalid.code, "INVALID_JSON");
  assert.ok(invalid.reason);
  assert.ok(run.logs.some((l) => l.outcome === "duplicate"));
  assert.not.ok(
    run.logs.some((l) => l.outcome === "stored"),
    "no stored line at INFO",
  );
});

test("a stored record is logged at DEBUG only", async ({ world }) => {
  const event = await sqsEventFor(world, [{ body: vehicleBody({ vehicleId: "VH8102" }), eventId: nextEventId() }]);
  const atInfo = testConsumer(world, { logger: new Logger({ serviceName: "vehicle-consumer", logLevel: "INFO" }) });
  const info = await captureOutput(() => atInfo(event, lambdaContext()));
  assert.equal(
    info.logs.filter((l) => l.outcome).map((l) => l.outcome),
    [],
  );
  assert.ok(info.logs.some((l) => l.message === "batch processed" && l.stored === 1));
  const again = await sqsEventFor(world, [{ body: vehicleBody({ vehicleId: "VH8103" }), eventId: nextEventId() }]);
  const atDebug = testConsumer(world, { logger: new Logger({ serviceName: "vehicle-consumer", logLevel: "DEBUG" }) });
  const debug = await captureOutput(() => atDebug(again, lambdaContext()));
  assert.equal(
    debug.logs.filter((l) => l.outcome).map((l) => [l.outcome, l.level]),
    [["stored", "DEBUG"]],
  );
});

test.run();
