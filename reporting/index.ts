// The report's public surface for other folders: the cost model over a local run's record (the pipeline benchmark
// prices its default run with it). `npm run report` itself starts at cli.ts.
import { PROJECT_ROOT, readRunRecord } from "../contracts";
import { type CostAlternative, costAlternatives } from "./cost";
import { localReportData } from "./local-run";

export type { CostAlternative } from "./cost";

/** What a local run's load would cost on AWS per million messages, with its settings first, then the alternatives. */
export async function costOfRun(runDir: string): Promise<CostAlternative[]> {
  return costAlternatives(await localReportData(readRunRecord(runDir), PROJECT_ROOT));
}
