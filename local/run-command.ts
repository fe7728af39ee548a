// `npm start` (`node --import ./scripts/load-tsx.mjs local/cli.ts run`): the whole pipeline once, then the verdict.

import { DEFAULT_LOCAL_ROOT, EXIT, type ExitStatus, releaseStateFile } from "../contracts";
import type { CliArgs } from "./cli-args";
import { type LocalDashboard, startDashboard } from "./local-dashboard";
import { runPipeline } from "./pipeline-run";
import { formatRunSummary, IAM_OFF_NOTICE } from "./run-summary";
import { REPEATED_SIGNAL_MS } from "./stop-control";

export async function runCommand(args: CliArgs): Promise<ExitStatus> {
  const abort = new AbortController();
  let interruptedAt: number | undefined;
  process.on("SIGINT", () => {
    if (interruptedAt !== undefined) {
      // One Ctrl-C can arrive twice within milliseconds (a launcher such as npm or the tsx CLI relays it): only a later one quits.
      if (Date.now() - interruptedAt < REPEATED_SIGNAL_MS) return;
      releaseStateFile(DEFAULT_LOCAL_ROOT);
      process.exit(EXIT.interrupted);
    }
    interruptedAt = Date.now();
    process.stderr.write("\nstopping the producer; draining and verifying what was sent (Ctrl-C again to quit now)\n");
    abort.abort();
  });
  let dashboard: LocalDashboard | undefined;
  if (!args.iam) console.log(IAM_OFF_NOTICE);
  const result = await runPipeline({
    load: args.load,
    persist: args.persist,
    sqsPort: args.port,
    dynamoPort: args.port === undefined ? undefined : args.port + 1,
    stackName: args.stackName,
    faults: args.faults,
    iam: args.iam,
    signal: abort.signal,
    onProgress: (line) => console.log(line),
    onDeployed: async (cloud, _deployed, stack) => {
      dashboard = await startDashboard(cloud, stack);
      if (dashboard) console.log(`local dashboard: ${dashboard.url}`);
    },
  });
  await dashboard?.close();
  console.log(formatRunSummary(result));
  return result.verification.ok ? EXIT.ok : EXIT.failed;
}
