import * as path from "node:path";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  defaultStack,
  EXIT,
  type ExitStatus,
  PROJECT_ROOT,
  readRunRecord,
  reportError,
  resolveLastRun,
} from "../contracts";
import { HELP_COMMAND, parseReportArgs, REPORT_USAGE, type ReportArgs } from "./args";
import { cloudWatchReportData, namesFromStackOutputs, readStackOutputs } from "./cloudwatch-run";
import { generateReport } from "./generate";
import { localReportData, settingsFromStackFile } from "./local-run";
import { generateReliabilityReport } from "./reliability-report";
import type { ReportData } from "./report-data";
import { DASHBOARD_SCREENSHOT, screenshotDashboard } from "./screenshot";

/** `npm run report`: see REPORT_USAGE in reporting/args.ts. */

async function reportData(args: ReportArgs): Promise<{ data: ReportData; runDir?: string }> {
  const target = args.target;
  if (target.kind === "reliability") throw new Error("the reliability report is not a run report");
  if (target.kind === "local") {
    const localRoot = path.resolve(PROJECT_ROOT, target.localRoot);
    const runDir = target.runDir ? path.resolve(target.runDir) : resolveLastRun(localRoot);
    return { data: await localReportData(readRunRecord(runDir), PROJECT_ROOT), runDir };
  }
  const region = target.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
  const fromFlags = {
    queueName: target.queueName,
    dlqName: target.dlqName,
    functionName: target.functionName,
    tableName: target.tableName,
  };
  const stackNames = target.stack ? namesFromStackOutputs(await readStackOutputs(target.stack)) : undefined;
  const names = {
    queueName: fromFlags.queueName ?? stackNames!.queueName,
    dlqName: fromFlags.dlqName ?? stackNames!.dlqName,
    functionName: fromFlags.functionName ?? stackNames!.functionName,
    tableName: fromFlags.tableName ?? stackNames!.tableName,
  };
  // `pulumi stack output --stack` takes org/project/stack; the stack file is named after the last part.
  const { settings, source } = settingsFromStackFile((target.stack ?? defaultStack()).split("/").pop()!);
  const data = await cloudWatchReportData({
    client: new CloudWatchClient({ region }),
    names,
    region,
    start: target.start,
    end: target.end,
    period: target.period,
    settings,
    settingsSource: source,
    origin: target.stack ? `stack ${target.stack}, ${region}` : `${region}`,
  });
  return { data };
}

/** Writes the report the flags ask for; every error becomes its exit status (contracts' EXIT). */
export async function main(argv: readonly string[]): Promise<ExitStatus> {
  try {
    return await run(parseReportArgs(argv), argv);
  } catch (error) {
    return reportError(error, (line) => console.error(line), HELP_COMMAND);
  }
}

async function run(args: ReportArgs, argv: readonly string[]): Promise<ExitStatus> {
  if (args.help) {
    console.log(REPORT_USAGE);
    return EXIT.ok;
  }
  if (args.target.kind === "reliability") {
    const files = await generateReliabilityReport({
      localRoot: path.resolve(PROJECT_ROOT, args.target.localRoot),
      outDir: path.resolve(PROJECT_ROOT, args.outDir),
      rerun: args.target.rerun,
      command: ["npm run report --", ...argv].join(" "),
      say: (line) => console.log(line),
    });
    console.log(`reliability report written: ${files.map((f) => path.relative(process.cwd(), f)).join(", ")}`);
    return EXIT.ok;
  }
  const { data, runDir } = await reportData(args);
  const outDir = path.resolve(PROJECT_ROOT, args.outDir);
  if (args.screenshot && runDir) {
    const file = await screenshotDashboard({
      runDir,
      names: data.names,
      region: data.region,
      outFile: path.join(outDir, DASHBOARD_SCREENSHOT),
    });
    console.log(`dashboard screenshot: ${path.relative(process.cwd(), file)}`);
  }
  const result = await generateReport(data, {
    outDir,
    command: ["npm run report", ...(argv.length > 0 ? ["--", ...argv] : [])].join(" "),
    screenshot: args.screenshot && runDir ? DASHBOARD_SCREENSHOT : undefined,
  });
  for (const w of data.warnings) console.warn(`note: ${w}`);
  console.log(`report written: ${result.files.map((f) => path.relative(process.cwd(), f)).join(", ")}`);
  return EXIT.ok;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
