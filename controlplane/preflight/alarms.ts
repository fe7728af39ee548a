import type { SynthesizedResource } from "../../contracts";
import { resourcesOf, TYPES } from "../stack/lookup";
import type { PreflightContext } from "./report";

/**
 * CloudWatch PutMetricAlarm's rules (API reference, Period and EvaluationPeriods): a period of 10, 20, 30 or a
 * multiple of 60 seconds; period x evaluation periods at most one day below an hour's period, seven days from it.
 */

const COMPARISON_OPERATORS = new Set([
  "GreaterThanOrEqualToThreshold",
  "GreaterThanThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
  "LessThanLowerOrGreaterThanUpperThreshold",
  "LessThanLowerThreshold",
  "GreaterThanUpperThreshold",
]);
const TREAT_MISSING_DATA = new Set(["breaching", "notBreaching", "ignore", "missing"]);
const STATISTICS = new Set(["SampleCount", "Average", "Sum", "Minimum", "Maximum"]);

/** The inputs these rules read. */
const RULED_INPUTS = [
  "period",
  "evaluationPeriods",
  "datapointsToAlarm",
  "statistic",
  "extendedStatistic",
  "metricQueries",
  "metricName",
  "namespace",
  "comparisonOperator",
  "treatMissingData",
];

const ONE_DAY = 86_400;
const SEVEN_DAYS = 604_800;

// hashicorp/terraform#24070 (ValidationError from PutMetricAlarm).
const DATAPOINTS_TEXT = "DatapointsToAlarm must be less than or equal to EvaluationPeriods";

const isPeriod = (p: unknown): p is number =>
  typeof p === "number" && Number.isInteger(p) && p > 0 && ([10, 20, 30].includes(p) || p % 60 === 0);

function checkStatistic(ctx: PreflightContext, alarm: SynthesizedResource): void {
  const { statistic, extendedStatistic, metricQueries } = alarm.inputs;
  if (Array.isArray(metricQueries) && metricQueries.length > 0) {
    for (const field of ["metricName", "namespace", "period", "statistic", "extendedStatistic"])
      if (alarm.inputs[field] !== undefined)
        ctx.violation(alarm, field, alarm.inputs[field], `an alarm with metricQueries takes no ${field}`);
    return;
  }
  if ((statistic === undefined) === (extendedStatistic === undefined))
    ctx.violation(
      alarm,
      "statistic",
      statistic ?? extendedStatistic,
      "an alarm has exactly one of statistic and extendedStatistic",
    );
  else if (statistic !== undefined && !STATISTICS.has(statistic))
    ctx.violation(alarm, "statistic", statistic, `statistic is one of ${[...STATISTICS].join(", ")}`);
}

function checkEvaluationWindow(ctx: PreflightContext, alarm: SynthesizedResource): void {
  const { period, evaluationPeriods, datapointsToAlarm } = alarm.inputs;
  const metricAlarm = !(Array.isArray(alarm.inputs.metricQueries) && alarm.inputs.metricQueries.length > 0);
  if (metricAlarm && !isPeriod(period))
    ctx.violation(alarm, "period", period, "the period is 10, 20, 30 or a multiple of 60 seconds");
  if (typeof evaluationPeriods !== "number" || !Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
    ctx.violation(alarm, "evaluationPeriods", evaluationPeriods, "evaluationPeriods is a whole number of at least 1");
    return;
  }
  if (isPeriod(period)) {
    const limit = period < 3600 ? ONE_DAY : SEVEN_DAYS;
    if (period * evaluationPeriods > limit)
      ctx.violation(
        alarm,
        "evaluationPeriods",
        evaluationPeriods,
        `period x evaluationPeriods (${period} x ${evaluationPeriods} = ${period * evaluationPeriods} s) must not exceed ${limit} s` +
          (period < 3600 ? " for a period under an hour" : ""),
      );
  }
  if (
    datapointsToAlarm !== undefined &&
    !(typeof datapointsToAlarm === "number" && datapointsToAlarm <= evaluationPeriods)
  )
    ctx.violation(
      alarm,
      "datapointsToAlarm",
      datapointsToAlarm,
      `datapointsToAlarm must not exceed evaluationPeriods (${evaluationPeriods})`,
      DATAPOINTS_TEXT,
    );
}

export function checkAlarms(ctx: PreflightContext): void {
  for (const alarm of resourcesOf(ctx.stack, TYPES.metricAlarm)) {
    // Actions and dimensions name other resources and may be unknown in a preview; these rules do not read them.
    const ruled = RULED_INPUTS.map((field) => alarm.inputs[field]);
    if (!ctx.known(alarm, RULED_INPUTS.join(", "), ruled)) continue;
    checkEvaluationWindow(ctx, alarm);
    checkStatistic(ctx, alarm);
    const { comparisonOperator, treatMissingData } = alarm.inputs;
    if (!COMPARISON_OPERATORS.has(comparisonOperator))
      ctx.violation(
        alarm,
        "comparisonOperator",
        comparisonOperator,
        `comparisonOperator is one of ${[...COMPARISON_OPERATORS].join(", ")}`,
      );
    if (treatMissingData !== undefined && !TREAT_MISSING_DATA.has(treatMissingData))
      ctx.violation(
        alarm,
        "treatMissingData",
        treatMissingData,
        `treatMissingData is one of ${[...TREAT_MISSING_DATA].join(", ")}`,
      );
  }
}
