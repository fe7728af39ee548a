// The saved Logs Insights queries as text: which lines each selects and what it computes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { consumerLogQueries } from "../components/log-queries";

const queries = () => Object.fromEntries(consumerLogQueries().map((q) => [q.key, q]));

test("four saved queries with distinct titles", () => {
  const all = consumerLogQueries();
  assert.equal(
    all.map((q) => q.key),
    ["validation-failures-by-reason", "slowest-batches", "slowest-invocations", "duplicates-over-time"],
  );
  assert.is(new Set(all.map((q) => q.title)).size, 4);
});

test("validation failures are counted per error code, busiest first, with an example sentence", () => {
  const text = queries()["validation-failures-by-reason"]!.queryString;
  assert.match(text, /^filter outcome = "invalid"$/m);
  assert.match(text, /stats count\(\*\) as failures, latest\(reason\) as exampleReason by code/);
  assert.match(text, /sort failures desc/);
});

test("slowest batches read the consumer's per-invocation summary, longest first, with the batch's counts", () => {
  const text = queries()["slowest-batches"]!.queryString;
  assert.match(text, /^filter message = "batch processed"$/m);
  assert.match(
    text,
    /fields @timestamp, function_request_id, records, stored, duplicates, invalid, failed, durationMs/,
  );
  assert.match(text, /sort durationMs desc/);
  assert.match(text, /limit 25/);
});

test("slowest invocations read the runtime's REPORT lines, longest first", () => {
  const text = queries()["slowest-invocations"]!.queryString;
  assert.match(text, /^filter @type = "REPORT"$/m);
  assert.match(text, /@duration, @billedDuration, @maxMemoryUsed, @initDuration/);
  assert.match(text, /sort @duration desc/);
});

test("duplicates are counted per minute in time order", () => {
  const text = queries()["duplicates-over-time"]!.queryString;
  assert.match(text, /^filter outcome = "duplicate"$/m);
  assert.match(text, /stats count\(\*\) as duplicates by bin\(1m\) as minute/);
  assert.match(text, /sort minute asc/);
});

test("every command after the first is piped", () => {
  for (const q of consumerLogQueries()) {
    const [, ...rest] = q.queryString.split("\n");
    for (const line of rest) assert.ok(line.startsWith("| "), `${q.key}: ${line}`);
  }
});

test.run();
