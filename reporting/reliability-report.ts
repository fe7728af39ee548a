import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { RunRecordError, readRunRecord } from "../contracts";
import { renderSvg } from "../metrics";
import { type ReliabilityInput, reliabilityChart, reliabilityRow } from "./reliability";
import { CAMPAIGN, CAMPAIGN_FINDINGS, readCampaignIndex, runCampaign } from "./reliability-campaign";
import { reliabilityMarkdown } from "./reliability-markdown";

export interface ReliabilityReportOptions {
  localRoot: string;
  outDir: string;
  /** Run the campaign first (minutes); otherwise read the last campaign's runs. */
  rerun: boolean;
  command: string;
  say: (line: string) => void;
}

/** report/RELIABILITY.md and one chart per run, from the campaign's run records (run first when asked). */
export async function generateReliabilityReport(options: ReliabilityReportOptions): Promise<string[]> {
  const index = options.rerun
    ? await runCampaign(options.localRoot, options.say)
    : readCampaignIndex(options.localRoot);
  if (!index)
    throw new RunRecordError(
      `no reliability campaign in ${options.localRoot}: run it with npm run report -- --reliability --rerun`,
    );
  const inputs: ReliabilityInput[] = index.runs.map(({ name, runDir, load }) => {
    const { run, metrics } = readRunRecord(runDir);
    const spec = CAMPAIGN.runs.find((r) => r.name === name);
    return { name, note: spec && "note" in spec ? spec.note : undefined, load, run, metrics };
  });
  mkdirSync(options.outDir, { recursive: true });
  const files: string[] = [];
  const charts: Record<string, string> = {};
  for (const input of inputs) {
    const file = `reliability-${input.name}.svg`;
    writeFileSync(path.join(options.outDir, file), await renderSvg(reliabilityChart(input)));
    charts[input.name] = file;
    files.push(path.join(options.outDir, file));
  }
  const markdown = reliabilityMarkdown({
    rows: inputs.map(reliabilityRow),
    baseline: "baseline",
    charts,
    setup: {
      stack: CAMPAIGN.stack,
      rate: CAMPAIGN.rate,
      invalidRatio: CAMPAIGN.invalidRatio,
      seed: CAMPAIGN.seed,
      maxReceiveCount: inputs[0]?.run.settings?.maxReceiveCount,
    },
    findings: CAMPAIGN_FINDINGS,
    generatedAt: new Date(),
    command: options.command,
  });
  const markdownPath = path.join(options.outDir, "RELIABILITY.md");
  writeFileSync(markdownPath, markdown);
  return [...files, markdownPath];
}
