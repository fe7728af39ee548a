import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { RunRecordError, readRunRecord, resolveLastRun } from "../contracts";
import { main } from "../reporting/cli";
import { estimateCost } from "../reporting/cost";
import { generateReport } from "../reporting/generate";
import { localReportData, namesFromRun, settingsFromRun } from "../reporting/local-run";
import { usd } from "../reporting/markdown";
import { keyFigures } from "../reporting/observations";
import { sampleRun, writeSampleRun } from "./support/sample-run";

const REPO_ROOT = path.resolve(__dirname, "..");
const generate = suite<{ tmp: string }>("report from a local run record", { tmp: "" });

generate.before((context) => {
  context.tmp = mkdtempSync(path.join(tmpdir(), "report-generate-"));
});
generate.after((context) => {
  rmSync(context.tmp, { recursive: true, force: true });
});

generate("REPORT.md and five SVG charts carry the fixture's numbers", async ({ tmp }) => {
  const sample = sampleRun();
  const runDir = writeSampleRun(path.join(tmp, "runs", "sample"), sample);
  const data = await localReportData(readRunRecord(runDir), REPO_ROOT);
  const out = path.join(tmp, "out");
  const result = await generateReport(data, { outDir: out, now: new Date("2026-11-28T02:00:00Z") });

  for (const file of ["rate.svg", "queue.svg", "concurrency.svg", "errors.svg", "latency.svg"]) {
    const svg = readFileSync(path.join(out, file), "utf8");
    assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/, `${file} is an SVG`);
    assert.match(svg, /<path[^>]+d="M/, `${file} draws a line`);
  }
  const md = readFileSync(result.markdownPath, "utf8");
  for (const file of ["rate.svg", "queue.svg", "concurrency.svg", "errors.svg", "latency.svg"])
    assert.ok(md.includes(`](${file})`), `links ${file}`);

  const v = sample.run.verification as Record<string, number>;
  assert.ok(md.includes(`| Sent | ${v.sent} |`));
  assert.ok(md.includes(`| Stored exactly once, content checked | ${v.stored} |`));
  assert.ok(md.includes(`| In DLQ with the expected reason | ${v.inDlq} |`));
  assert.ok(md.includes(`| Lost | 0 |`));
  assert.ok(md.includes(`| Duplicated | 0 |`));

  // Observations come from the data: the sample scales to its maxConcurrency of 8 and back to 0.
  const f = keyFigures(data);
  assert.is(f.peakConcurrency?.value, 8);
  assert.is(f.sent, v.sent);
  assert.is(f.stored, v.stored);
  assert.is(f.validationFailures, v.inDlq);
  assert.ok(f.scaledInAt !== undefined && f.scaledInAt > f.peakConcurrency!.t);
  assert.ok(md.includes(`a peak of 8 (the configured maximumConcurrency, 8)`));
  assert.ok(md.includes(`The producer sent ${v.sent} messages`));
  assert.ok(md.includes(`${v.stored} stored + ${v.inDlq} dead-lettered = ${v.sent} sent`));
  assert.match(md, /p99 1\.\d\d s/);

  // The cost section is the cost module's numbers, with the prices stated.
  const cost = estimateCost(data);
  assert.ok(md.includes(`**${usd(cost.totalUsd)}** for ${v.sent} messages`));
  const wru = cost.lines.find((l) => l.service === "DynamoDB")!;
  assert.is(wru.quantity, v.stored);
  assert.ok(md.includes("$0.625 per million write request units"));
  assert.ok(md.includes("as of 2024-11-01"));
  assert.ok(md.includes("message rejected"), "log excerpts include the rejected-message warnings");
  assert.not.ok(md.includes("dashboard.png"), "no screenshot link when none was taken");
});

generate(
  "a run with injected faults gets a section of them by kind and what they caused; one without, none",
  async ({ tmp }) => {
    const sample = sampleRun();
    const faulted = {
      ...sample,
      run: {
        ...sample.run,
        faults: {
          spec: "ddb-throttle=0.03,lambda-crash=0.03",
          seed: 7,
          injected: { "ddb-throttle": 41, "lambda-crash": 2 },
          caused: { putItemCallsPerStoredItem: 1.031, batchItemFailures: 3, invocationErrors: 2 },
        },
      },
    };
    const withFaults = await localReportData(
      readRunRecord(writeSampleRun(path.join(tmp, "runs", "faulted"), faulted)),
      REPO_ROOT,
    );
    const out = path.join(tmp, "out-faults");
    const md = readFileSync((await generateReport(withFaults, { outDir: out })).markdownPath, "utf8");
    assert.match(md, /## Injected faults/);
    assert.match(md, /`--faults ddb-throttle=0\.03,lambda-crash=0\.03`, seed 7/);
    assert.match(md, /\| ddb-throttle \| 41 \|/);
    assert.match(md, /\| lambda-crash \| 2 \|/);
    assert.match(md, /\| putItemCallsPerStoredItem \| 1\.03 \|/);
    const plain = await localReportData(
      readRunRecord(writeSampleRun(path.join(tmp, "runs", "plain"), sample)),
      REPO_ROOT,
    );
    const plainMd = readFileSync(
      (await generateReport(plain, { outDir: path.join(tmp, "out-plain") })).markdownPath,
      "utf8",
    );
    assert.not.match(plainMd, /Injected faults/);
  },
);

generate("last-run as a symlink or as a file naming the folder", ({ tmp }) => {
  const root = path.join(tmp, "local");
  const runDir = writeSampleRun(path.join(root, "runs", "r1"));
  symlinkSync("runs/r1", path.join(root, "last-run"));
  assert.is(resolveLastRun(root), runDir);
  rmSync(path.join(root, "last-run"));
  writeFileSync(path.join(root, "last-run"), "runs/r1\n");
  assert.is(resolveLastRun(root), runDir);
  writeFileSync(path.join(root, "last-run"), "r1\n");
  assert.is(resolveLastRun(root), runDir);
  rmSync(path.join(root, "last-run"));
  assert.throws(
    () => resolveLastRun(root),
    (e: unknown) => e instanceof RunRecordError && /npm start/.test((e as Error).message),
  );
});

generate("names and settings come from run.json's outputs and settings; an older run.json is refused", () => {
  const { run } = sampleRun({
    queueName: "vehicles-abc",
    dlqName: "vehicles-dlq-def",
    functionName: "consumer-123",
    tableName: "vehicles-t",
  });
  const names = namesFromRun(run);
  assert.equal(
    [names.queueName, names.dlqName, names.functionName, names.tableName],
    ["vehicles-abc", "vehicles-dlq-def", "consumer-123", "vehicles-t"],
  );
  const settings = settingsFromRun(run);
  assert.is(settings.maxConcurrency, run.settings?.maxConcurrency);
  assert.is(settings.visibilityTimeoutSeconds, 180);
  const { outputs, settings: _, ...older } = run;
  assert.throws(
    () => namesFromRun(older),
    (e: unknown) => e instanceof RunRecordError && /no "outputs".*npm start/s.test((e as Error).message),
  );
  assert.throws(
    () => settingsFromRun(older),
    (e: unknown) => e instanceof RunRecordError && /no "settings"/.test((e as Error).message),
  );
  assert.throws(
    () => namesFromRun({ ...run, outputs: { ...outputs, dlqUrl: undefined } }),
    (e: unknown) => e instanceof RunRecordError && /lack dlqName/.test((e as Error).message),
  );
});

generate("npm run report: --run and --out write the report; bad flags exit 2", async ({ tmp }) => {
  const runDir = writeSampleRun(path.join(tmp, "cli-run"));
  const out = path.join(tmp, "cli-out");
  const logs: string[] = [];
  const original = { log: console.log, warn: console.warn, error: console.error };
  console.log = console.warn = console.error = (...args: unknown[]) => void logs.push(args.join(" "));
  try {
    assert.is(await main(["--run", runDir, "--out", out]), 0);
    assert.is(await main(["--bogus"]), 2);
    assert.is(await main(["--run", path.join(tmp, "missing")]), 1);
  } finally {
    Object.assign(console, original);
  }
  assert.ok(existsSync(path.join(out, "REPORT.md")));
  assert.ok(
    logs.some((l) => l === "error: unknown option --bogus") &&
      logs.includes("run `npm run report -- --help` for usage"),
    logs.join("\n"),
  );
  assert.ok(
    logs.some((l) => /holds no metrics.jsonl/.test(l)),
    logs.join("\n"),
  );
});

generate.run();
