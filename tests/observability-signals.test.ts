// Do the dashboard and the saved queries look for what the consumer really emits? Runs the real consumer on
// emulators (fauxqs, dynalite) and compares its EMF documents and log lines with the dashboard body and the queries.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { type DashboardMetricArray, renderDashboardBody } from "../components/dashboard-widgets";
import { consumerLogQueries } from "../components/log-queries";
import { createConsumer } from "../handlers/consumer";
import {
  type CapturedOutput,
  type ConsumerWorld,
  captureOutput,
  lambdaContext,
  nextEventId,
  sqsEventFor,
  startConsumerWorld,
  testLogger,
  testMetrics,
  vehicleBody,
} from "./support/consumer-harness";

const signals = suite<{ world?: ConsumerWorld; output?: CapturedOutput }>("consumer signals");

signals.before(async (context) => {
  const world = await startConsumerWorld();
  context.world = world;
  // Powertools emits ColdStart only where Lambda says it initialised on demand; read once, in the constructor.
  const initialization = process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = "on-demand";
  const metrics = testMetrics();
  if (initialization === undefined) delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  else process.env.AWS_LAMBDA_INITIALIZATION_TYPE = initialization;
  const consumer = createConsumer({
    documentClient: world.documentClient,
    sqs: world.sqs,
    tableName: world.tableName,
    dlqUrl: world.dlqUrl,
    logger: testLogger(),
    metrics,
  });
  const repeated = nextEventId();
  const event = await sqsEventFor(world, [
    { body: vehicleBody({ vehicleId: "VH7001" }), eventId: nextEventId() },
    { body: vehicleBody({ vehicleId: "VH7002" }), eventId: repeated },
    { body: vehicleBody({ vehicleId: "VH7002" }), eventId: repeated }, // same event again: a duplicate
    { body: "{not json", eventId: nextEventId() },
    { body: vehicleBody({ vehicleId: "VH7003", year: 1700 }), eventId: nextEventId() },
  ]);
  // Two invocations, so the duplicate is certainly seen after the first write.
  context.output = await captureOutput(async () => {
    await consumer({ Records: event.Records.slice(0, 2) }, lambdaContext());
    await consumer({ Records: event.Records.slice(2) }, lambdaContext());
  });
  assert.is((context.output as { error?: unknown }).error, undefined);
});

signals.after(async (context) => {
  await context.world?.close();
});

/** Each metric the consumer published, as "name {dimensions}" with dimensions sorted. */
function emitted(output: CapturedOutput): Set<string> {
  const keys = new Set<string>();
  for (const doc of output.emf) {
    const directive = doc._aws.CloudWatchMetrics[0];
    assert.is(directive.Namespace, "VehiclePipeline");
    for (const dimensionSet of directive.Dimensions as string[][]) {
      const dimensions = Object.fromEntries(dimensionSet.map((name) => [name, String(doc[name])]));
      for (const metric of directive.Metrics as { Name: string }[]) keys.add(seriesKey(metric.Name, dimensions));
    }
  }
  return keys;
}

function seriesKey(name: string, dimensions: Record<string, string>): string {
  return `${name} ${JSON.stringify(Object.fromEntries(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b))))}`;
}

function drawn(array: DashboardMetricArray): { namespace: string; key: string } {
  const [namespace, name, ...rest] = array;
  const pairs = rest.slice(0, -1) as string[];
  const dimensions: Record<string, string> = {};
  for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]!] = pairs[i + 1]!;
  return { namespace, key: seriesKey(name, dimensions) };
}

signals("every series the consumer emitted is drawn on the dashboard with the same dimensions", async ({ output }) => {
  const body = await renderDashboardBody(
    { queueName: "q", dlqName: "d", functionName: "f", tableName: "t" },
    "us-east-1",
  );
  const onDashboard = new Set(
    body.widgets
      .flatMap((w) => (w.properties.metrics ?? []).map(drawn))
      .filter((d) => d.namespace === "VehiclePipeline")
      .map((d) => d.key),
  );
  const series = emitted(output!);
  // The run exercised every kind of line: stored, duplicate, two validation reasons, latency, cold start.
  for (const name of ["VehiclesStored", "DuplicatesSkipped", "TransientFailures", "EndToEndLatency", "ColdStart"]) {
    assert.ok(
      [...series].some((k) => k.startsWith(`${name} `)),
      `the consumer emitted ${name}`,
    );
  }
  assert.ok(series.has(seriesKey("ValidationFailures", { service: "vehicle-consumer", Reason: "INVALID_JSON" })));
  assert.ok(series.has(seriesKey("ValidationFailures", { service: "vehicle-consumer", Reason: "OUT_OF_RANGE" })));
  for (const key of series)
    assert.ok(onDashboard.has(key), `dashboard draws ${key}; it draws ${[...onDashboard].join(", ")}`);
});

/** The equality filters of a query, e.g. [["outcome", "invalid"]] for `filter outcome = "invalid"`. */
function filtersOf(query: string): [string, string][] {
  return [...query.matchAll(/filter\s+(\w+)\s*=\s*"([^"]+)"/g)].map((m) => [m[1]!, m[2]!]);
}

signals(
  "the saved queries' filters match the consumer's log lines, and the fields they read are on them",
  ({ output }) => {
    const logs = output!.logs;
    const queries = Object.fromEntries(consumerLogQueries().map((q) => [q.key, q.queryString]));

    const invalidFilter = filtersOf(queries["validation-failures-by-reason"]!);
    assert.equal(invalidFilter, [["outcome", "invalid"]]);
    const invalid = logs.filter((l) => l.outcome === "invalid");
    assert.is(invalid.length, 2);
    for (const line of invalid) {
      assert.type(line.code, "string", "stats ... by code needs the code field");
      assert.type(line.reason, "string", "latest(reason) needs the reason field");
    }
    assert.equal(invalid.map((l) => l.code).sort(), ["INVALID_JSON", "OUT_OF_RANGE"]);

    assert.equal(filtersOf(queries["duplicates-over-time"]!), [["outcome", "duplicate"]]);
    assert.is(logs.filter((l) => l.outcome === "duplicate").length, 1);

    // The slowest-batches query reads one summary line per invocation, with every field it shows.
    assert.equal(filtersOf(queries["slowest-batches"]!), [["message", "batch processed"]]);
    const summaries = logs.filter((l) => l.message === "batch processed");
    assert.equal(
      summaries.map((l) => [l.records, l.stored, l.duplicates, l.invalid, l.failed]),
      [
        [2, 2, 0, 0, 0],
        [3, 0, 1, 2, 0],
      ],
    );
    const shown = /\| fields (.*)/
      .exec(queries["slowest-batches"]!)![1]!
      .split(", ")
      .filter((f) => !f.startsWith("@"));
    for (const line of summaries) {
      for (const field of shown) assert.ok(field in line, `the summary line has ${field}`);
      assert.type(line.durationMs, "number");
    }
  },
);

signals.run();
