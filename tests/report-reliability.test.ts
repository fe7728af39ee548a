// The reliability report's pure parts: a campaign run's row from its record, its chart, and the Markdown.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { reliabilityChart, reliabilityRow } from "../reporting/reliability";
import { reliabilityMarkdown } from "../reporting/reliability-markdown";
import { baselineInput, faultedInput } from "./support/reliability-fixture";

const setup = { stack: "faults", rate: 250, invalidRatio: 0.03, seed: 1, maxReceiveCount: 5 };

test("a faulted run's row: injected by kind, what they caused, the verdict and the pace", () => {
  const row = reliabilityRow(faultedInput());
  assert.equal(row.injected, { "ddb-slow": 2, "ddb-throttle": 3 });
  assert.is(row.injectedTotal, 5);
  assert.is(row.spec, "ddb-slow=0.02,ddb-throttle=0.03");
  assert.is(row.putItemCallsPerItem, 1.052);
  assert.is(row.batchItemFailures, 2);
  assert.is(row.redeliveries, 2);
  assert.is(row.redrives, 1, "DLQ messages without an errorCode were moved by the redrive policy");
  assert.is(row.invocationErrors, 1);
  assert.is(row.coldStarts, 5);
  assert.is(row.storedOnce, 97);
  assert.is(row.storedCounted, 95, "VehiclesStored from the record, not from the table");
  assert.is(row.duplicatesSkipped, 2);
  assert.is(row.extraDlqCopies, 1);
  assert.is(row.lost + row.duplicated + row.otherProblems, 0);
  assert.ok(row.ok);
  assert.is(row.latencyP99, 9_000);
  assert.is(row.storedPerSecond, 95 / 4);
  assert.is(row.settledSeconds, 15);
});

test("a baseline row: no fault report, failures for retry from the consumer's metric", () => {
  const row = reliabilityRow(baselineInput());
  assert.is(row.spec, "none");
  assert.equal(row.injected, {});
  assert.is(row.putItemCallsPerItem, null);
  assert.is(row.batchItemFailures, 0);
  assert.is(row.storedCounted, 97);
  assert.is(row.storedPerSecond, 97 / 4);
});

test("the chart draws stored and faults per second, zero-filled over the record", () => {
  const spec = reliabilityChart(faultedInput()) as { data: { values: { series: string; value: number }[] } };
  const values = (label: string) => spec.data.values.filter((d) => d.series === label).map((d) => d.value);
  assert.equal(values("Faults injected").slice(0, 4), [1, 3, 1, 0], "every kind pooled");
  assert.is(values("Stored").length, 14);
  assert.equal(values("Records failed for retry").slice(0, 3), [0, 1, 1]);
});

test("the Markdown: one row per run in each table, a verdict, the charts and the comparison with the baseline", () => {
  const rows = [baselineInput(), faultedInput()].map(reliabilityRow);
  const md = reliabilityMarkdown({
    rows,
    baseline: "baseline",
    charts: { baseline: "reliability-baseline.svg", "ddb-slow": "reliability-ddb-slow.svg" },
    setup,
    findings: ["A bug and its fix."],
    generatedAt: new Date("2026-11-30T00:00:00Z"),
    command: "npm run report -- --reliability",
  });
  assert.match(md, /\*\*Verdict: nothing lost, nothing stored twice, in every run\.\*\*/);
  assert.match(md, /\| ddb-slow \| ddb-slow 2, ddb-throttle 3 \| 1\.052 \| 2 \| 2 \| 1 \| 5 \| 1 \(0\) \|/);
  assert.match(md, /\| baseline \| 100 \| 97 \| 97 \| 0 \| 3 \| 0 \| 0 \| 0 \| 0 \| ok \|/);
  // 23.75 stored/s against 24.25; settled in 15 s against 5 s.
  assert.match(md, /\| ddb-slow \| 400 \| 9,000 \| 23\.8 \| 98% \| 15\.0 \| 300% \| 1\.5 to 2\.0 \|/);
  assert.match(md, /\| baseline \| 100 \| 250 \| 24\.3 \| 100% \| 5\.0 \| 100% \| - \|/);
  assert.match(md, /!\[ddb-slow: stored and faults per second\]\(reliability-ddb-slow\.svg\)/);
  assert.match(md, /## Bugs the campaign found\n\nA bug and its fix\./);
  assert.match(md, /maxReceiveCount 5/);
  assert.match(md, /\(two kinds at once\)/);
});

test("a run that lost a message is named in the verdict", () => {
  const lost = faultedInput();
  lost.run = { ...lost.run, verification: { ...(lost.run.verification as object), ok: false, lost: 1 } };
  const md = reliabilityMarkdown({
    rows: [baselineInput(), lost].map(reliabilityRow),
    baseline: "baseline",
    charts: {},
    setup,
    findings: [],
    generatedAt: new Date(),
    command: "x",
  });
  assert.match(md, /\*\*Verdict: ddb-slow did not pass\*\*/);
  assert.not.match(md, /Bugs the campaign found/);
});

test.run();
