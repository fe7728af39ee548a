import type { DlqMessage, DlqStats } from "./messages";

function rows(entries: Record<string, number>): string[] {
  const width = Math.max(0, ...Object.keys(entries).map((k) => k.length));
  return Object.entries(entries).map(([key, n]) => `  ${key.padEnd(width)}  ${n}`);
}

export function formatStats(stats: DlqStats): string {
  const lines = [
    `${stats.total} message(s) in the DLQ: ${stats.rejected} rejected by the consumer (errorCode), ${stats.moved} moved by the redrive policy`,
    ...rows(stats.byGroup),
  ];
  if (stats.total > 0) lines.push(`oldest sent ${stats.oldest}`, `newest sent ${stats.newest}`);
  if (stats.byPrefix) lines.push("by vehicleId prefix:", ...rows(stats.byPrefix));
  return lines.join("\n");
}

export function formatMessage(m: DlqMessage): string {
  const sent = m.sentTimestamp ? new Date(m.sentTimestamp).toISOString() : "-";
  return [
    `${m.messageId}  ${m.errorCode ?? "moved (no errorCode)"}  received ${m.receiveCount} times  sent ${sent}`,
    ...(m.errorReason ? [`  errorReason: ${m.errorReason}`] : []),
    `  eventId: ${m.eventId ?? "-"}  sourceMessageId: ${m.sourceMessageId ?? "-"}`,
    `  body: ${m.body}`,
  ].join("\n");
}
