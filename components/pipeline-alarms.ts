import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AlarmRule, type AlarmSettings, type AlarmTargets, pipelineAlarmRules } from "./alarm-rules";

export interface PipelineAlarmsArgs extends AlarmTargets {
  /** Thresholds and the optional e-mail address, from the stack settings (contracts/settings.ts). */
  settings: AlarmSettings;
}

/**
 * The pipeline's alarms (alarm-rules.ts) and the SNS topic they notify, going into ALARM and back to OK, with an
 * e-mail subscription when `alarmEmail` is configured.
 */
export class PipelineAlarms extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly emailSubscription: aws.sns.TopicSubscription | undefined;
  readonly alarms: Record<AlarmRule["key"], aws.cloudwatch.MetricAlarm>;
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: PipelineAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("vehicle-pipeline:observability:PipelineAlarms", name, {}, opts);
    const { settings, ...targets } = args;

    // Not KMS-encrypted on purpose: CloudWatch can publish to an encrypted topic only through a customer-managed key
    // whose policy admits cloudwatch.amazonaws.com (the AWS-managed alias/aws/sns key would silently drop alarms),
    // and alarm notifications carry no vehicle data.
    this.topic = new aws.sns.Topic(`${name}-topic`, { displayName: "Vehicle pipeline alarms" }, { parent: this });

    if (settings.alarmEmail !== undefined) {
      // AWS mails a confirmation link; notifications flow once the recipient clicks it. Pulumi cannot delete a
      // subscription still pending confirmation, so `pulumi destroy` may leave it until AWS expires it (3 days).
      this.emailSubscription = new aws.sns.TopicSubscription(
        `${name}-email`,
        { topic: this.topic.arn, protocol: "email", endpoint: settings.alarmEmail },
        { parent: this },
      );
    }

    // Each alarm comes from an awsx metric's createAlarm: the metric already carries namespace, name, dimensions,
    // statistic and period, so the alarm cannot disagree with the dashboard line it watches.
    const alarms: Partial<Record<AlarmRule["key"], aws.cloudwatch.MetricAlarm>> = {};
    for (const rule of pipelineAlarmRules(settings)) {
      // Unit cleared: an alarm whose unit differs from the one the metric is published with never leaves
      // INSUFFICIENT_DATA, which notBreaching would turn into silence; without a unit CloudWatch matches any.
      alarms[rule.key] = rule
        .metric(targets)
        .withUnit(undefined)
        .createAlarm(
          `${name}-${rule.key}`,
          {
            alarmDescription: rule.description,
            comparisonOperator: rule.comparisonOperator,
            threshold: rule.threshold,
            evaluationPeriods: rule.evaluationPeriods,
            treatMissingData: rule.treatMissingData,
            // OK actions too, so whoever was paged also learns when it is over.
            alarmActions: [this.topic.arn],
            okActions: [this.topic.arn],
          },
          { parent: this },
        );
    }
    this.alarms = alarms as Record<AlarmRule["key"], aws.cloudwatch.MetricAlarm>;
    this.topicArn = this.topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
