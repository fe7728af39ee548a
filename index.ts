import * as pulumi from "@pulumi/pulumi";
import { loadSettings } from "./components/config";
import { MonitoredFunction } from "./components/monitored-function";
import { VehicleQueue } from "./components/vehicle-queue";
import { VehicleTable } from "./components/vehicle-table";

// Throws ConfigError (naming each bad key and why) before any resource is registered, which fails `pulumi up`.
const settings = loadSettings();

const vehicles = new VehicleQueue("vehicles", {
  visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
  messageRetentionSeconds: settings.messageRetentionSeconds,
  maxReceiveCount: settings.maxReceiveCount,
});

const table = new VehicleTable("vehicles", { deletionProtection: settings.deletionProtection });

const consumer = new MonitoredFunction("consumer", {
  // Stack in the name so two stacks can share an account and region.
  functionName: `vehicle-consumer-${pulumi.getStack()}`,
  source: { arn: vehicles.arn },
  deadLetter: { arn: vehicles.deadLetterArn, url: vehicles.deadLetterUrl },
  table: { arn: table.arn, name: table.name },
  memorySizeMb: settings.memorySizeMb,
  timeoutSeconds: settings.timeoutSeconds,
  logRetentionDays: settings.logRetentionDays,
  batchSize: settings.batchSize,
  batchingWindowSeconds: settings.batchingWindowSeconds,
  maxConcurrency: settings.maxConcurrency,
});

export const queueUrl = vehicles.url;
export const queueArn = vehicles.arn;
export const dlqUrl = vehicles.deadLetterUrl;
export const tableName = table.name;
export const functionName = consumer.name;
export const producerPolicyArn = vehicles.producerPolicy.arn;
