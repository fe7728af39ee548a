// Each fault kind injected into a real run of the pipeline (the function npm start uses, in process, on the faults
// stack's short timeouts), with the exact verdict and the fault's counted consequences. Kinds share runs to keep the
// suite short; the faults are seeded. No timing assertions: the drain timeout is only a hang guard.

import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_LOCAL_ROOT, FAULT_METRICS, type MetricLine } from "../contracts";
import type { FaultRates } from "../local/faults/spec";
import { type PipelineRunResult, runPipeline } from "../local/pipeline-run";

const localRoot = join(DEFAULT_LOCAL_ROOT, `test-faults-${process.pid}`);

function faultRun(rates: FaultRates, load: { count: number; invalidRatio: number }): Promise<PipelineRunResult> {
  return runPipeline({
    localRoot,
    idleMs: 5_000,
    stackName: "faults",
    faults: { rates, seed: 1 },
    load: { ...load, rate: 200, seed: 11 },
    drainTimeoutMs: 150_000,
  });
}

function metricTotal(result: PipelineRunResult, namespace: string, metric: string, dims: Record<string, string> = {}) {
  return readFileSync(join(result.folder!, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as MetricLine)
    .filter(
      (l) =>
        l.namespace === namespace &&
        l.metric === metric &&
        Object.entries(dims).every(([k, v]) => l.dimensions[k] === v) &&
        Object.keys(l.dimensions).length === Object.keys(dims).length,
    )
    .reduce((sum, l) => sum + l.values.reduce((a, b) => a + b, 0), 0);
}

/** Nothing lost, nothing stored twice, every message accounted for. */
function assertExactlyOnce(result: PipelineRunResult): void {
  const v = result.verification;
  assert.ok(v.ok, v.problems.join("\n"));
  assert.is(v.lost, 0);
  assert.is(v.duplicated, 0);
  assert.is(v.mismatched, 0);
  assert.is(v.misrouted, 0);
  assert.is(v.leftInQueue, 0);
  const run = JSON.parse(readFileSync(join(result.folder!, "run.json"), "utf8"));
  assert.equal(run.faults.injected, result.faults!.injected, "run.json carries the faults by kind");
  for (const [kind, n] of Object.entries(result.faults!.injected))
    assert.is(
      metricTotal(result, FAULT_METRICS.namespace, FAULT_METRICS.injected, { Kind: kind }),
      n,
      `${kind} in the record`,
    );
}

const faults = suite("pipeline under faults");
faults.after(() => rmSync(localRoot, { recursive: true, force: true }));

faults("DynamoDB throttles, 5xx and lost acks, duplicate deliveries and failed deletes: each stored once", async () => {
  const result = await faultRun(
    {
      "ddb-throttle": 0.1,
      "ddb-5xx": 0.05,
      "ddb-lost-ack": 0.05,
      "sqs-duplicate": 0.05,
      "sqs-delete-fail": 0.05,
    },
    { count: 300, invalidRatio: 0.05 },
  );
  assertExactlyOnce(result);
  const v = result.verification;
  const f = result.faults!;
  assert.is(v.storedCorrectly, v.valid);
  assert.is(v.itemsInTable, v.valid);
  assert.is(v.deadLetteredCorrectly, v.invalid, "every malformed message in the DLQ with its errorCode");
  for (const kind of ["ddb-throttle", "ddb-5xx", "ddb-lost-ack", "sqs-duplicate", "sqs-delete-fail"])
    assert.ok((f.injected[kind] ?? 0) > 0, `${kind} was injected`);
  // The SDK retried every refused or unanswered PutItem: more calls than items.
  assert.ok(f.caused.putItemCalls >= v.itemsInTable + f.injected["ddb-throttle"]! + f.injected["ddb-5xx"]!);
  // A lost ack's SDK retry meets the condition: never a second item, and counted as stored (the record's own
  // write). An item goes uncounted only when the delivery that wrote it then failed (its write landed, every
  // answer after it was refused or lost): that delivery is a transient failure, so those bound the shortfall.
  const stored = metricTotal(result, "VehiclePipeline", "VehiclesStored", { service: "vehicle-consumer" });
  assert.ok(
    stored <= v.itemsInTable && v.itemsInTable - stored <= f.caused.consumerTransientFailures,
    `${stored} counted, ${v.itemsInTable} stored, ${f.caused.consumerTransientFailures} transient failures`,
  );
  // Failed deletes and duplicate deliveries come back.
  assert.ok(f.caused.redeliveries >= 1);
  const table = result.deployed.tables[0]!.name;
  assert.is(
    metricTotal(result, "AWS/DynamoDB", "ThrottledRequests", { TableName: table, Operation: "PutItem" }),
    f.injected["ddb-throttle"],
  );
  assert.is(metricTotal(result, "AWS/DynamoDB", "UserErrors"), f.injected["ddb-throttle"]);
  assert.is(
    metricTotal(result, "AWS/DynamoDB", "SystemErrors", { TableName: table, Operation: "PutItem" }),
    f.injected["ddb-5xx"],
  );
});

faults("Lambda crashes, failed cold starts and PutItems slower than the timeout: each stored once", async () => {
  const result = await faultRun(
    { "lambda-crash": 0.1, "lambda-init-fail": 0.2, "ddb-slow": 0.02 },
    { count: 200, invalidRatio: 0.05 },
  );
  assertExactlyOnce(result);
  const v = result.verification;
  const f = result.faults!;
  assert.is(v.storedCorrectly + v.deadLetteredCorrectly + v.deadLetteredAfterReceives, v.sent);
  for (const kind of ["lambda-crash", "lambda-init-fail", "ddb-slow"])
    assert.ok((f.injected[kind] ?? 0) > 0, `${kind} was injected`);
  // Every crash is an invocation error and a new environment; a slow write is cut short by the consumer's deadline,
  // a batch item failure rather than an invocation timeout.
  assert.ok(f.caused.invocationErrors >= f.injected["lambda-crash"]!);
  assert.ok(f.caused.batchItemFailures >= 1, JSON.stringify(f.caused));
  assert.ok(f.caused.coldStarts > f.injected["lambda-crash"]!);
  assert.ok(f.caused.batchesLeftForRetry >= f.injected["lambda-crash"]!);
  // A crash comes after the records ran: their redelivery meets the stored items.
  assert.ok(f.caused.duplicatesSkipped >= 1);
  const fn = result.deployed.functions[0]!.name;
  assert.is(metricTotal(result, "AWS/Lambda", "Errors", { FunctionName: fn }), f.caused.invocationErrors);
});

faults("a DLQ that refuses every send: malformed messages are moved by the redrive policy, with why", async () => {
  const result = await faultRun({ "dlq-send-fail": 1 }, { count: 40, invalidRatio: 0.25 });
  assertExactlyOnce(result);
  const v = result.verification;
  assert.ok(v.invalid > 0);
  assert.is(v.storedCorrectly, v.valid);
  assert.is(v.deadLetteredCorrectly, 0);
  assert.is(v.deadLetteredAfterReceives, v.invalid);
  for (const r of v.redriven) {
    assert.is.not(r.kind, "valid");
    assert.is(r.maxReceiveCount, 5, "the faults stack's maxReceiveCount");
    assert.ok(
      r.why.some((w) => /dead-letter|DLQ|InternalFailure/i.test(w)),
      `why: ${r.why.join("; ")}`,
    );
  }
  const f = result.faults!;
  // Five receives, each sent and retried by the SDK; not always three attempts each: every client's retries draw on
  // a quota (500, 14 a retry), so when few environments share the sends, as on a busy machine, the last ones go once.
  assert.ok(f.injected["dlq-send-fail"]! > v.invalid * 5, "five receives, each sent to the DLQ and retried");
  assert.ok(f.caused.consumerTransientFailures >= v.invalid * 5);
  assert.is(f.caused.redrives, v.invalid);
});

faults.run();
