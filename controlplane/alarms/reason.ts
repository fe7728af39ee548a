import type { AlarmDefinition, ComparisonOperator } from "./definition";

/**
 * CloudWatch's state reason texts, in the wording its alarm histories and notifications show, e.g.
 *   "Threshold Crossed: 1 datapoint [0.0 (08/03/24 13:56:00)] was less than the threshold (20.0)."
 *   "Threshold Crossed: 1 out of the last 1 datapoints [0.0 (18/11/19 06:56:00)] was not greater than the threshold
 *    (0.0) (minimum 1 datapoint for ALARM -> OK transition)."
 *   "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
 *   "Insufficient Data: 1 datapoint was unknown."
 * Datapoints are listed newest first, stamped with their period's start as dd/MM/yy HH:mm:ss in UTC; numbers are
 * written as Java writes a double (3.0, 0.059, 1.0E7). Notifications of alarms without DatapointsToAlarm carry the
 * short "N datapoints [...]" form, those of alarms that set it the "M out of the last N datapoints" form.
 */

/** The reason an alarm carries from creation until its first evaluation. */
export const INITIAL_REASON = "Unchecked: Initial alarm creation";

/** A datapoint as a reason lists it. */
export interface ListedDatapoint {
  start: number;
  value: number;
}

const OPERATOR_WORDS: Record<ComparisonOperator, string> = {
  GreaterThanThreshold: "greater than",
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

/** A number as Java's Double.toString writes it, which is how CloudWatch prints values and thresholds. */
function javaDouble(value: number): string {
  if (value === 0) return "0.0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e7 || magnitude < 1e-3) {
    const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
    return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
  }
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** A period start (epoch seconds) as reasons stamp it: 04/12/26 15:31:00 for 2026-12-04T15:31:00Z. */
function datapointDate(start: number): string {
  const iso = new Date(start * 1000).toISOString();
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(2, 4)} ${iso.slice(11, 19)}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** The reason for a state decided by real datapoints: those that breach for ALARM, those that do not for OK. */
export function thresholdReason(
  alarm: AlarmDefinition,
  to: "ALARM" | "OK",
  listed: readonly ListedDatapoint[],
): string {
  const list = listed.map((d) => `${javaDouble(d.value)} (${datapointDate(d.start)})`).join(", ");
  const comparison =
    `${listed.length === 1 ? "was" : "were"} ${to === "OK" ? "not " : ""}` +
    `${OPERATOR_WORDS[alarm.comparisonOperator]} the threshold (${javaDouble(alarm.threshold)})`;
  if (alarm.datapointsToAlarm === undefined)
    return `Threshold Crossed: ${plural(listed.length, "datapoint")} [${list}] ${comparison}.`;
  const n = alarm.evaluationPeriods;
  // The fewest datapoints that decide the state: M breaching for ALARM, N - M + 1 within the threshold for OK.
  const minimum = to === "ALARM" ? alarm.datapointsToAlarm : n - alarm.datapointsToAlarm + 1;
  const transition = to === "ALARM" ? "OK -> ALARM" : "ALARM -> OK";
  return (
    `Threshold Crossed: ${listed.length} out of the last ${n} datapoints [${list}] ${comparison} ` +
    `(minimum ${plural(minimum, "datapoint")} for ${transition} transition).`
  );
}

/**
 * The reason when missing datapoints were filled in as breaching or not breaching: "no datapoints were received for
 * 3 periods and 3 missing datapoints were treated as [Breaching]." when none was real, "1 datapoint was received for
 * 3 periods and 2 missing datapoints were treated as [Breaching]." when some were (the latter as users quote it from
 * alarm histories; AWS's documentation prints neither).
 */
export function filledReason(
  alarm: AlarmDefinition,
  received: number,
  treatedAs: "Breaching" | "NonBreaching",
): string {
  const n = alarm.evaluationPeriods;
  const missing = n - received;
  const head =
    received === 0
      ? `no datapoints were received for ${plural(n, "period")}`
      : `${plural(received, "datapoint")} ${received === 1 ? "was" : "were"} received for ${plural(n, "period")}`;
  return `Threshold Crossed: ${head} and ${plural(missing, "missing datapoint")} ${missing === 1 ? "was" : "were"} treated as [${treatedAs}].`;
}

/** The reason for INSUFFICIENT_DATA: how many of the N evaluated datapoints had no value. */
export function insufficientReason(unknown: number): string {
  return `Insufficient Data: ${plural(unknown, "datapoint")} ${unknown === 1 ? "was" : "were"} unknown.`;
}
