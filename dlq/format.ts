import type { DlqMessage, DlqStats } from "./messages";

function rows(entries: Record<string, number>): string[] {
  const width = Math.max(0, ...Object.keys(entries).map((k) => k.length));
  return Object.entries(entries).map(([key, n]) => `  ${key.padEnd(width)}  ${n}`);
}

export function formatStats(stats: DlqStats): string {
  const lines = [
    `${stats.total} message(s) in the DLQ: ${stats.rejected} rejected by the consumer ` +
      `(errorCode; ${stats.rejectedDistinct} distinct sourceMessageId), ` +
      `${stats.moved} moved by the redrive policy (${stats.movedDistinct} distinct), ${stats.reasonMessages} reason message(s)`,
    ...rows(stats.byGroup),
    `${stats.eventIdsDistinct} distinct eventId(s) among the vehicle messages`,
  ];
  if (stats.rejected > stats.rejectedDistinct)
    lines.push(`${stats.rejected - stats.rejectedDistinct} extra cop(ies) of rejected messages (same sourceMessageId)`);
  if (stats.reasonMessagesUnmatched > 0)
    lines.push(`${stats.reasonMessagesUnmatched} reason message(s) whose message is not in the DLQ`);
  if (stats.total > 0) lines.push(`oldest sent ${stats.oldest}`, `newest sent ${stats.newest}`);
  if (stats.byPrefix) lines.push("by vehicleId prefix:", ...rows(stats.byPrefix));
  return lines.join("\n");
}

export function formatMessage(m: DlqMessage): string {
  const sent = m.sentTimestamp ? new Date(m.sentTimestamp).toISOString() : "-";
  if (m.reasonFor !== undefined)
    return [
      `${m.messageId}  reason message (${m.errorCode ?? "-"}) for the body with MD5 ${m.reasonFor}, sourceMessageId ${m.sourceMessageId ?? "-"}` +
        (m.reasonMatched === false ? "; that message is not in the DLQ" : ""),
      ...(m.errorReason ? [`  errorReason: ${m.errorReason}`] : []),
    ].join("\n");
  return [
    `${m.messageId}  ${m.errorCode ?? "moved (no errorCode)"}  received ${m.receiveCount} times  sent ${sent}`,
    ...(m.errorReason ? [`  errorReason: ${m.errorReason}`] : []),
    ...(m.reasonFrom
      ? [`  (errorCode and errorReason from reason message ${m.reasonFrom}: the body left no room)`]
      : []),
    `  eventId: ${m.eventId ?? "-"}  sourceMessageId: ${m.sourceMessageId ?? "-"}`,
    `  body: ${m.body}`,
  ].join("\n");
}
