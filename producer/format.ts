import type { ProduceProgress, ProduceSummary } from "./produce";

function rate(perSecond: number): string {
  if (perSecond === Infinity) return "max";
  return `${perSecond >= 100 ? Math.round(perSecond) : Math.round(perSecond * 10) / 10}/s`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** One line: target and achieved rate, sent, retried, failed, elapsed. */
export function formatProgress(p: ProduceProgress): string {
  return [
    `${seconds(p.elapsedMs).padStart(8)}`,
    `target ${rate(p.targetRate)}`,
    `achieved ${rate(p.currentRate)} (avg ${rate(p.averageRate)})`,
    `sent ${p.sent}`,
    `retried ${p.retried}`,
    `failed ${p.failed}`,
    `in flight ${p.inFlight}`,
    // More than a second of messages overdue: the queue answers too slowly for this rate at this concurrency.
    ...(p.behind > Math.max(p.targetRate, 1) ? [`behind by ${p.behind} (raise --concurrency?)`] : []),
  ].join("  ");
}

/** The human summary printed at the end of a run. */
export function formatSummary(s: ProduceSummary): string {
  const target =
    s.target.profile !== null
      ? `profile ${s.target.profile.map((phase) => `${rate(phase.ratePerSecond)}:${seconds(phase.durationMs).replace(" ", "")}`).join(",")}`
      : [
          s.target.rate === "max" ? "max" : rate(s.target.rate ?? 0),
          s.target.count !== null ? `, count ${s.target.count}` : "",
          s.target.durationMs !== null ? `, for ${seconds(s.target.durationMs)}` : "",
        ].join("");
  const invalidTotal = Object.values(s.invalid).reduce((a, b) => a + b, 0);
  const lines = [
    `queue          ${s.queueUrl}`,
    `target         ${target} (batches of ${s.target.batchSize}, ${s.target.concurrency} in flight, seed ${s.target.seed})`,
    `stopped by     ${s.stoppedBy === "signal" ? "Ctrl-C / abort" : s.stoppedBy}`,
    `duration       ${seconds(s.durationMs)}`,
    `sent           ${s.sent} of ${s.generated} (${s.byKind.valid} valid, ${invalidTotal} malformed)`,
  ];
  if (invalidTotal > 0) {
    lines.push(
      `  malformed    ${Object.entries(s.invalid)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(", ")}`,
    );
  }
  lines.push(
    `failed         ${s.failed}${
      s.failed > 0
        ? ` (${Object.entries(s.failures)
            .map(([code, n]) => `${code} ${n}`)
            .join(", ")})`
        : ""
    }`,
    `retried        ${s.retried}`,
    `achieved rate  ${s.achievedRate.toFixed(1)}/s`,
    `batch latency  p50 ${s.latencyMs.p50} ms, p95 ${s.latencyMs.p95} ms, p99 ${s.latencyMs.p99} ms, max ` +
      `${s.latencyMs.max} ms (${s.calls} SendMessageBatch calls)`,
  );
  for (const miss of s.unsent.slice(0, 5))
    lines.push(`  unsent ${miss.eventId} (${miss.kind}): ${miss.code} ${miss.reason}`);
  if (s.unsent.length > 5) lines.push(`  ... and ${s.unsent.length - 5} more unsent`);
  return lines.join("\n");
}
