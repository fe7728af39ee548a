import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  LogQueries,
  loadSettings,
  MonitoredFunction,
  PipelineAlarms,
  PipelineDashboard,
  VehicleQueue,
  VehicleTable,
} from "./components";
import { ConfigError } from "./contracts";
import { createConsumerFromEnvironment } from "./handlers";

// Invalid config fails `pulumi up` before any resource is registered. ConfigError's message names each bad key and
// why; rethrown as RunError, which the Pulumi runtime prints without the stack trace and program source.
const settings = (() => {
  try {
    return loadSettings();
  } catch (error) {
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
})();

const vehicles = new VehicleQueue("vehicles", {
  visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
  messageRetentionSeconds: settings.messageRetentionSeconds,
  maxReceiveCount: settings.maxReceiveCount,
});

const table = new VehicleTable("vehicles", { deletionProtection: settings.deletionProtection });

const consumer = new MonitoredFunction("consumer", {
  // Runs once per cold start in Lambda: clients, schema and logger are built inside, as serializeFunction requires.
  callbackFactory: () => createConsumerFromEnvironment(),
  // Stack in the name so two stacks can share an account and region.
  functionName: `vehicle-consumer-${pulumi.getStack()}`,
  source: { arn: vehicles.arn, url: vehicles.url },
  deadLetter: { arn: vehicles.deadLetterArn, url: vehicles.deadLetterUrl },
  table: { arn: table.arn, name: table.name },
  memorySizeMb: settings.memorySizeMb,
  architecture: settings.architecture,
  timeoutSeconds: settings.timeoutSeconds,
  logRetentionDays: settings.logRetentionDays,
  batchSize: settings.batchSize,
  batchingWindowSeconds: settings.batchingWindowSeconds,
  maxConcurrency: settings.maxConcurrency,
  logLevel: settings.logLevel,
});

// What the dashboard and alarms watch: the physical names of the pipeline's resources.
const watched = {
  queueName: vehicles.name,
  dlqName: vehicles.deadLetterName,
  functionName: consumer.name,
  tableName: table.name,
};
// Named after the project so the dashboard is `vehicle-pipeline-<stack>`.
// The provider's region, however it was chosen (stack config, AWS_REGION, or an AWS profile, which aws.config.region
// does not see), so widgets and console links point where the resources are.
const region = aws.getRegionOutput().region;
const dashboard = new PipelineDashboard("vehicle-pipeline", { ...watched, region });
const alarms = new PipelineAlarms("alarms", { ...watched, settings });
new LogQueries("consumer-queries", { logGroupName: consumer.logGroup.name });

export const queueUrl = vehicles.url;
export const queueArn = vehicles.arn;
export const dlqUrl = vehicles.deadLetterUrl;
export const tableName = table.name;
export const functionName = consumer.name;
export const producerPolicyArn = vehicles.producerPolicy.arn;
export const dashboardUrl = dashboard.dashboardUrl;
export const traceMapUrl = dashboard.traceMapUrl;
export const alarmTopicArn = alarms.topicArn;
