import { randomInt } from "node:crypto";
import { parseSeed } from "../../contracts";
import type { Verification } from "../verify";
import type { FaultSettings } from "./injector";
import { FaultSpecError, parseFaultSpec } from "./spec";
import { type FaultReport, formatFaultReport } from "./summary";

/** Lines per list in the printed summary; run.json keeps more. */
const LISTED_IN_SUMMARY = 10;

/** --faults and --faults-seed to settings (undefined without --faults); throws FaultSpecError. */
export function parseFaultFlags(spec: string | undefined, seed: string | undefined): FaultSettings | undefined {
  if (spec === undefined) {
    if (seed !== undefined) throw new FaultSpecError("--faults-seed needs --faults");
    return undefined;
  }
  return {
    rates: parseFaultSpec(spec),
    seed: seed === undefined ? randomInt(0, 2 ** 32) : parseSeed(seed, "--faults-seed"),
  };
}

/** The FAULTS section, then the messages the redrive policy moved and the extra DLQ copies, each listed. */
export function formatFaultLines(report: FaultReport, v: Verification): string[] {
  const lines = formatFaultReport(report);
  if (v.redriven.length > 0) {
    const moved = report.caused.redrives;
    lines.push(
      "",
      `MOVED TO THE DLQ BY THE REDRIVE POLICY (${moved}; ${v.deadLetteredAfterReceives} neither stored nor dead-lettered by the consumer)`,
    );
    for (const r of v.redriven.slice(0, LISTED_IN_SUMMARY)) {
      const also = r.stored
        ? " (also stored once)"
        : r.deadLetteredByConsumer
          ? " (also in the DLQ with its errorCode)"
          : "";
      lines.push(
        `  ${r.kind} message ${r.eventId}: dead-lettered after ${r.maxReceiveCount ?? "maxReceiveCount"} receives${also}; ` +
          `hit by: ${r.why.join("; ") || "(nothing recorded)"}`,
      );
    }
    if (moved > LISTED_IN_SUMMARY)
      lines.push(`  ... the first ${v.redriven.length} are in run.json (verification.redriven)`);
  }
  if (v.extraCopies.length > 0) {
    lines.push("", `EXTRA DLQ COPIES (${v.extraDlqCopies})`);
    for (const c of v.extraCopies.slice(0, LISTED_IN_SUMMARY))
      lines.push(
        `  ${c.eventId}: ${c.copies} ${c.copies === 1 ? "copy" : "copies"} with sourceMessageId ${c.sourceMessageId}`,
      );
    if (v.extraCopies.length > LISTED_IN_SUMMARY)
      lines.push(`  ... the first ${v.extraCopies.length} are in run.json (verification.extraCopies)`);
  }
  return lines;
}
