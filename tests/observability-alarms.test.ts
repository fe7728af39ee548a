// The alarm rules, from settings alone: which metric each watches and with which threshold.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type AlarmRule,
  COUNT_ALARM_PERIOD_SECONDS,
  pipelineAlarmRules,
  QUEUE_ALARM_PERIOD_SECONDS,
} from "../components/alarm-rules";
import { parseSettings, SETTINGS } from "../contracts";

const TARGETS = {
  queueName: "vehicles-q",
  dlqName: "vehicles-dlq",
  functionName: "vehicle-consumer-dev",
  tableName: "vehicles-t",
};

interface ResolvedMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, string> | undefined;
  statistic: string | undefined;
  period: number;
}

/** The awsx Metric's fields as plain values (Outputs of known values resolve without an engine). */
function resolve(rule: AlarmRule): Promise<ResolvedMetric> {
  const m = rule.metric(TARGETS);
  return new Promise((done) => {
    m.namespace.apply((namespace) =>
      m.name.apply((name) =>
        m.statistic.apply((statistic) =>
          m.period.apply((period) => {
            if (!m.dimensions) return done({ namespace, name, dimensions: undefined, statistic, period });
            m.dimensions.apply((dimensions) => done({ namespace, name, dimensions, statistic, period }));
          }),
        ),
      ),
    );
  });
}

function rule(rules: AlarmRule[], key: AlarmRule["key"]): AlarmRule {
  const found = rules.find((r) => r.key === key);
  assert.ok(found, `rule ${key}`);
  return found!;
}

test("five alarms: DLQ not empty, oldest message age, consumer errors, Lambda throttles, DynamoDB throttles", () => {
  assert.equal(
    pipelineAlarmRules(parseSettings({})).map((r) => r.key),
    ["dlq-not-empty", "oldest-message-age", "consumer-errors", "consumer-throttles", "table-throttles"],
  );
});

test("thresholds come from the settings, not from the rules", () => {
  const rules = pipelineAlarmRules(
    parseSettings({
      oldestMessageAgeAlarmSeconds: "900",
      consumerErrorsAlarmThreshold: "7",
      throttlesAlarmThreshold: "3",
    }),
  );
  assert.is(rule(rules, "oldest-message-age").threshold, 900);
  assert.is(rule(rules, "consumer-errors").threshold, 7);
  assert.is(rule(rules, "consumer-throttles").threshold, 3);
  assert.is(rule(rules, "table-throttles").threshold, 3);
  assert.is(rule(rules, "dlq-not-empty").threshold, 0);
  assert.match(rule(rules, "oldest-message-age").description, /900 s/);
  assert.match(rule(rules, "consumer-errors").description, /7 or more/);
});

test("the DLQ alarm fires on any visible message, the age alarm only above the threshold, counts at or above it", () => {
  const rules = pipelineAlarmRules(parseSettings({}));
  assert.is(rule(rules, "dlq-not-empty").comparisonOperator, "GreaterThanThreshold");
  assert.match(rule(rules, "dlq-not-empty").description, /"When the DLQ alarm fires".*npm run dlq -- stats/);
  assert.is(rule(rules, "oldest-message-age").comparisonOperator, "GreaterThanThreshold");
  for (const key of ["consumer-errors", "consumer-throttles", "table-throttles"] as const) {
    assert.is(rule(rules, key).comparisonOperator, "GreaterThanOrEqualToThreshold", key);
  }
  for (const r of rules) {
    assert.is(r.treatMissingData, "notBreaching", r.key);
    assert.is(r.evaluationPeriods, 1, r.key);
    assert.ok(r.description.length > 40, `${r.key} says what to do`);
  }
});

test("each alarm watches the right metric, dimension and statistic", async () => {
  const rules = pipelineAlarmRules(parseSettings({}));
  const watched = Object.fromEntries(await Promise.all(rules.map(async (r) => [r.key, await resolve(r)] as const)));
  assert.equal(watched["dlq-not-empty"], {
    namespace: "AWS/SQS",
    name: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: TARGETS.dlqName },
    statistic: "Maximum",
    period: QUEUE_ALARM_PERIOD_SECONDS,
  });
  assert.equal(watched["oldest-message-age"], {
    namespace: "AWS/SQS",
    name: "ApproximateAgeOfOldestMessage",
    dimensions: { QueueName: TARGETS.queueName },
    statistic: "Maximum",
    period: QUEUE_ALARM_PERIOD_SECONDS,
  });
  assert.equal(watched["consumer-errors"], {
    namespace: "AWS/Lambda",
    name: "Errors",
    dimensions: { FunctionName: TARGETS.functionName },
    statistic: "Sum",
    period: COUNT_ALARM_PERIOD_SECONDS,
  });
  assert.equal(watched["consumer-throttles"], {
    namespace: "AWS/Lambda",
    name: "Throttles",
    dimensions: { FunctionName: TARGETS.functionName },
    statistic: "Sum",
    period: COUNT_ALARM_PERIOD_SECONDS,
  });
  assert.equal(watched["table-throttles"], {
    namespace: "AWS/DynamoDB",
    name: "ThrottledRequests",
    dimensions: { TableName: TARGETS.tableName, Operation: "PutItem" },
    statistic: "Sum",
    period: COUNT_ALARM_PERIOD_SECONDS,
  });
});

test("every alarm setting carries its reason in config.ts, and counts are judged per 5 minutes as those reasons say", () => {
  for (const key of [
    "oldestMessageAgeAlarmSeconds",
    "consumerErrorsAlarmThreshold",
    "throttlesAlarmThreshold",
    "alarmEmail",
  ]) {
    const spec = SETTINGS.find((s) => s.key === key);
    assert.ok(spec && spec.reason.length > 20, `${key} has a reason`);
  }
  assert.is(COUNT_ALARM_PERIOD_SECONDS, 300);
  for (const key of ["consumerErrorsAlarmThreshold", "throttlesAlarmThreshold"]) {
    assert.match(SETTINGS.find((s) => s.key === key)!.reason, /per 5 minutes/);
  }
});

test.run();
