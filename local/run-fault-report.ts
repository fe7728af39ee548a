import type { EmbeddedCloud } from "./cloud";
import { type FaultReport, faultReport } from "./faults/summary";
import type { PipelineRunResult } from "./pipeline-run";

/** The injected faults (from the injector's ledger) and what they caused (from the record and the verdict). */
export function faultReportOf(cloud: EmbeddedCloud, result: PipelineRunResult, answeredPutItems: number): FaultReport {
  const faults = cloud.faults!;
  const runtime = [...cloud.runtimes.values()][0];
  const mapping = cloud.mappings[0];
  return faultReport({
    rates: faults.injector.settings.rates,
    seed: faults.injector.settings.seed,
    injected: { ...faults.injector.counts },
    answeredPutItems,
    metrics: cloud.recorder?.lines() ?? [],
    verification: result.verification,
    lambda: {
      coldStarts: result.lambda.coldStarts,
      errors: result.lambda.errors,
      timeouts: runtime?.stats.timeouts ?? 0,
    },
    mapping: { failedItems: mapping?.stats.failedItems ?? 0, retriedBatches: mapping?.stats.retriedBatches ?? 0 },
    redeliveries: faults.pollerStats.redeliveries,
  });
}
