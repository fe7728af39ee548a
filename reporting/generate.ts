import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { renderSvg } from "../metrics";
import { costAlternatives, estimateCost } from "./cost";
import { reportMarkdown } from "./markdown";
import { reportCharts } from "./report-charts";
import type { ReportData } from "./report-data";

export interface GenerateOptions {
  /** Folder for REPORT.md and its SVGs. */
  outDir: string;
  /** How the report was asked for, printed in it. */
  command?: string;
  now?: Date;
  /** File name (in outDir) of a dashboard screenshot to include, when it exists. */
  screenshot?: string;
}

export interface GeneratedReport {
  markdownPath: string;
  files: string[];
}

/** Renders the charts to SVG and writes REPORT.md beside them. */
export async function generateReport(data: ReportData, options: GenerateOptions): Promise<GeneratedReport> {
  mkdirSync(options.outDir, { recursive: true });
  const charts = reportCharts(data);
  const files: string[] = [];
  for (const chart of charts) {
    const file = path.join(options.outDir, chart.file);
    writeFileSync(file, await renderSvg(chart.spec));
    files.push(file);
  }
  const screenshot =
    options.screenshot && existsSync(path.join(options.outDir, options.screenshot)) ? options.screenshot : undefined;
  const markdown = reportMarkdown({
    data,
    charts,
    cost: estimateCost(data),
    alternatives: costAlternatives(data),
    screenshot,
    generatedAt: options.now ?? new Date(),
    command: options.command ?? "npm run report",
  });
  const markdownPath = path.join(options.outDir, "REPORT.md");
  writeFileSync(markdownPath, markdown);
  files.push(markdownPath);
  return { markdownPath, files };
}
