import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createConsumer } from "./consumer";
import type { VehicleConsumer } from "./consumer";
import { ConsumerConfigurationError } from "./errors";

export { createConsumer } from "./consumer";
export type { ConsumerDeps, Outcome, VehicleConsumer } from "./consumer";

/** Used when the program did not set them, so the metrics land where the dashboard looks. */
const DEFAULT_SERVICE_NAME = "vehicle-consumer";
const DEFAULT_METRICS_NAMESPACE = "VehiclePipeline";

/**
 * Build the consumer from the Lambda environment: the CallbackFunction's `callbackFactory`, run once per
 * cold start. Everything library-made (clients, logger, metrics, tracer) is created in here, never at module
 * scope, because Pulumi's closure serializer cannot carry such objects into the function's text.
 * Named imports only, for the same reason (they serialize as `require(...)`).
 *
 * Reads TABLE_NAME and DLQ_URL (required), POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, LOG_LEVEL;
 * the SDK clients also honour AWS_REGION and AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_DYNAMODB.
 */
export function createConsumerFromEnvironment(env: NodeJS.ProcessEnv = process.env): VehicleConsumer {
  const tableName = required(env, "TABLE_NAME", "the DynamoDB table the consumer writes vehicles to");
  const dlqUrl = required(env, "DLQ_URL", "the queue URL invalid messages are sent to");
  const serviceName = env.POWERTOOLS_SERVICE_NAME || DEFAULT_SERVICE_NAME;
  const tracer = new Tracer({ serviceName });
  // The SDK sends SQS calls to the queue URL's host unless an endpoint is given in code. When the environment
  // aims SQS elsewhere (AWS_ENDPOINT_URL_SQS, the embedded cloud), that host is an emulator's naming artifact
  // (fauxqs: sqs.<region>.localhost, which need not resolve), so the configured endpoint must win.
  const endpointFromEnvironment = Boolean(env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL);
  const sqs = tracer.captureAWSv3Client(new SQSClient({ useQueueUrlAsEndpoint: !endpointFromEnvironment }));
  // removeUndefinedValues: optional fields never make a put fail; the item builder sets every field anyway.
  const documentClient = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return createConsumer({
    documentClient,
    sqs,
    tableName,
    dlqUrl,
    tracer,
    logger: new Logger({ serviceName, logLevel: (env.LOG_LEVEL as "INFO" | undefined) || "INFO" }),
    metrics: new Metrics({ serviceName, namespace: env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE }),
  });
}

function required(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConsumerConfigurationError(name, `it names ${why}`);
  return value;
}
