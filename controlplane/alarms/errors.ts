/**
 * The alarm evaluator's one error family. Callers catch AlarmDefinitionError to skip an alarm they cannot evaluate
 * and still evaluate the others; the subclass says whether the alarm is wrong or only beyond this evaluator.
 */
export class AlarmDefinitionError extends Error {
  constructor(
    readonly alarm: string,
    message: string,
  ) {
    super(`alarm ${alarm}: ${message}`);
    this.name = "AlarmDefinitionError";
  }
}

/** Inputs CloudWatch itself would refuse (PutMetricAlarm's rules) or that lack what an alarm needs. */
export class InvalidAlarmError extends AlarmDefinitionError {
  constructor(alarm: string, message: string) {
    super(alarm, message);
    this.name = "InvalidAlarmError";
  }
}

/** A valid alarm this evaluator does not emulate: metric math, anomaly detection, low-sample percentile rules. */
export class UnsupportedAlarmError extends AlarmDefinitionError {
  constructor(alarm: string, message: string) {
    super(alarm, message);
    this.name = "UnsupportedAlarmError";
  }
}

/** The incremental monitor was given data after finish(): the record it judged has already ended. */
export class MonitorFinishedError extends Error {
  constructor() {
    super("the alarm monitor has finished: a record that ended takes no more lines");
    this.name = "MonitorFinishedError";
  }
}
