import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { localLayout } from "../contracts";
import type { FaultRates } from "../local";
import { runPipeline } from "../local";

/**
 * The reliability campaign behind report/RELIABILITY.md: every fault kind alone at a realistic rate, all of them
 * together, and a fault-free baseline, on the faults stack (short timeouts, so redeliveries and redrives happen in
 * seconds), with malformed messages mixed in. `npm run report -- --reliability --rerun` runs it (minutes); the runs
 * are ordinary run records in .local/runs/, and the campaign file names them, so `--reliability` alone regenerates
 * the report from them.
 */

export interface CampaignRun {
  /** Row name in the report, and the chart's file name (reliability-<name>.svg). */
  name: string;
  rates: FaultRates;
  count: number;
  /** Why this rate, when it is not the campaign's usual few percent. */
  note?: string;
}

export const CAMPAIGN = {
  stack: "faults",
  // Below what this 2-core machine's embedded cloud sustains (about 250/s), so a fault's cost shows as latency and pace.
  rate: 200,
  invalidRatio: 0.03,
  /** One seed for the producer and the dice: a rerun sends the same messages and rolls the same faults. */
  seed: 2026,
  runs: [
    { name: "baseline", rates: {}, count: 4_000 },
    { name: "ddb-throttle", rates: { "ddb-throttle": 0.03 }, count: 4_000 },
    { name: "ddb-5xx", rates: { "ddb-5xx": 0.03 }, count: 4_000 },
    { name: "ddb-lost-ack", rates: { "ddb-lost-ack": 0.03 }, count: 4_000 },
    { name: "ddb-slow", rates: { "ddb-slow": 0.02 }, count: 4_000 },
    { name: "sqs-duplicate", rates: { "sqs-duplicate": 0.03 }, count: 4_000 },
    { name: "sqs-delete-fail", rates: { "sqs-delete-fail": 0.03 }, count: 4_000 },
    { name: "lambda-crash", rates: { "lambda-crash": 0.03 }, count: 4_000 },
    {
      name: "lambda-init-fail",
      rates: { "lambda-init-fail": 0.5 },
      count: 4_000,
      note: "a run has about ten cold starts, so a few percent of them would inject nothing",
    },
    { name: "dlq-send-fail", rates: { "dlq-send-fail": 0.05 }, count: 4_000 },
    {
      name: "all-kinds",
      rates: {
        "ddb-throttle": 0.03,
        "ddb-5xx": 0.03,
        "ddb-lost-ack": 0.03,
        "ddb-slow": 0.02,
        "sqs-duplicate": 0.03,
        "sqs-delete-fail": 0.03,
        "lambda-crash": 0.03,
        "lambda-init-fail": 0.5,
        "dlq-send-fail": 0.05,
      },
      count: 10_000,
    },
    // The machine is shared: a second baseline at the end shows how much the pace moved without any fault.
    { name: "baseline-after", rates: {}, count: 4_000 },
  ] satisfies CampaignRun[],
} as const;

/** The campaign's run names to their run folders. */
export interface CampaignIndex {
  startedAt: string;
  runs: {
    name: string;
    runDir: string;
    /** The machine's 1-minute load average when the run started and ended (other work shares its cores). */
    load?: [number, number];
  }[];
}

export function readCampaignIndex(localRoot: string): CampaignIndex | undefined {
  const file = localLayout(localRoot).reliabilityCampaign;
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as CampaignIndex) : undefined;
}

/** Runs the campaign one run after another, saving the index after each so an interrupted campaign keeps its runs. */
export async function runCampaign(localRoot: string, say: (line: string) => void): Promise<CampaignIndex> {
  const index: CampaignIndex = { startedAt: new Date().toISOString(), runs: [] };
  mkdirSync(localRoot, { recursive: true });
  for (const run of CAMPAIGN.runs) {
    say(`${run.name}: ${run.count} messages at ${CAMPAIGN.rate}/s, faults ${JSON.stringify(run.rates)}`);
    const loadBefore = loadavg()[0]!;
    const faulted = Object.keys(run.rates).length > 0;
    const result = await runPipeline({
      localRoot,
      stackName: CAMPAIGN.stack,
      faults: faulted ? { rates: run.rates, seed: CAMPAIGN.seed } : undefined,
      load: { count: run.count, rate: CAMPAIGN.rate, invalidRatio: CAMPAIGN.invalidRatio, seed: CAMPAIGN.seed },
    });
    const v = result.verification;
    say(`  ${result.runId}: ${v.ok ? "ok" : "NOT OK"}, lost ${v.lost}, duplicated ${v.duplicated}`);
    index.runs.push({ name: run.name, runDir: result.folder!, load: [loadBefore, loadavg()[0]!] });
    writeFileSync(localLayout(localRoot).reliabilityCampaign, `${JSON.stringify(index, null, 2)}\n`);
  }
  return index;
}

/** What the campaign found wrong and how it was fixed, for the report (one paragraph each). */
export const CAMPAIGN_FINDINGS: readonly string[] = [
  "**A slow PutItem failed its whole batch.** Found by the first fault runs on this branch: a PutItem that did not answer before the function's " +
    "timeout made Lambda time the invocation out, so all ten records came back, the stored ones included; at a 2% " +
    "slow-write rate with maxReceiveCount 3, 73 of 6,000 messages were moved to the DLQ after they had been stored. " +
    "Fix: the consumer bounds each DynamoDB call by the invocation's remaining time less a margin " +
    "(handlers/deadline.ts), so a slow write becomes a batch item failure of its own record (a transient TimeoutError) " +
    "and the others are deleted; its next delivery meets the condition as a duplicate. In the ddb-slow run below, " +
    "the slowed writes show as batch item failures (a batch whose every record failed still fails as a whole, " +
    "Powertools' default), never as invocation timeouts, and leave no extra DLQ copy.",
  "**VehiclesStored undercounted lost acks.** Found by the same runs: a PutItem whose answer was lost (the write landed, the connection " +
    "reset) is retried by the SDK; the retry meets the condition and was counted as DuplicatesSkipped, so the metric " +
    "said fewer vehicles were stored than the table held. Fix: the conditional put returns the stored item " +
    "(ReturnValuesOnConditionCheckFailure ALL_OLD); when it has this record's messageId and receive count, it is this " +
    "delivery's own write and counts as stored (handlers/store.ts). In the ddb-lost-ack run below, counted as stored " +
    "equals stored once.",
];
