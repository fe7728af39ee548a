import { randomInt } from "node:crypto";
import type { Verification } from "../verify";
import type { FaultSettings } from "./injector";
import { FaultSpecError, parseFaultSeed, parseFaultSpec } from "./spec";
import { type FaultReport, formatFaultReport } from "./summary";

/** --faults and --faults-seed to settings (undefined without --faults); throws FaultSpecError. */
export function parseFaultFlags(spec: string | undefined, seed: string | undefined): FaultSettings | undefined {
  if (spec === undefined) {
    if (seed !== undefined) throw new FaultSpecError("--faults-seed needs --faults");
    return undefined;
  }
  return { rates: parseFaultSpec(spec), seed: seed === undefined ? randomInt(0, 2 ** 32) : parseFaultSeed(seed) };
}

/** The FAULTS section, then the messages the redrive policy moved and the extra DLQ copies, each listed. */
export function formatFaultLines(report: FaultReport, v: Verification): string[] {
  const lines = formatFaultReport(report);
  if (v.redriven.length > 0) {
    lines.push("", `DEAD-LETTERED BY THE REDRIVE POLICY (${v.deadLetteredAfterReceives} not stored)`);
    for (const r of v.redriven)
      lines.push(
        `  ${r.kind} message ${r.eventId}: dead-lettered after ${r.receives ?? "maxReceiveCount"} receives${r.stored ? " (also stored once)" : ""}; hit by: ${r.why.join("; ") || "(nothing recorded)"}`,
      );
  }
  if (v.extraCopies.length > 0) {
    lines.push("", `EXTRA DLQ COPIES (${v.extraDlqCopies})`);
    for (const c of v.extraCopies)
      lines.push(`  ${c.eventId}: ${c.copies} copies with sourceMessageId ${c.sourceMessageId}`);
  }
  return lines;
}
