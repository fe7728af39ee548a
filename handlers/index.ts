import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Tracer } from "@aws-lambda-powertools/tracer";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { CONSUMER_NAMESPACE, CONSUMER_SERVICE_NAME } from "../contracts/metric-names";
import type { VehicleConsumer } from "./consumer";
import { createConsumer } from "./consumer";
import { ConsumerConfigurationError } from "./errors";
import { documentClientSdk, dynamoDbSdk, sqsSdk } from "./runtime-sdk";

export type { VehicleConsumer } from "./consumer";

/**
 * Build the consumer from the Lambda environment: the CallbackFunction's `callbackFactory`, run once per
 * cold start. Everything library-made (clients, logger, metrics, tracer) is created in here, never at module
 * scope, because Pulumi's closure serializer cannot carry such objects into the function's text.
 * Named imports only, for the same reason (they serialize as `require(...)`); the runtime's SDK is required by
 * package name (runtime-sdk.ts), never by the file path the serializer would write.
 *
 * Reads TABLE_NAME and DLQ_URL (required), SOURCE_QUEUE_URL (optional), POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, LOG_LEVEL,
 * AWS_XRAY_DAEMON_ADDRESS / POWERTOOLS_TRACE_ENABLED (whether to trace at all);
 * the SDK clients also honour AWS_REGION and AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_DYNAMODB.
 */
export function createConsumerFromEnvironment(env: NodeJS.ProcessEnv = process.env): VehicleConsumer {
  const tableName = required(env, "TABLE_NAME", "the DynamoDB table the consumer writes vehicles to");
  const dlqUrl = required(env, "DLQ_URL", "the queue URL invalid messages are sent to");
  const serviceName = env.POWERTOOLS_SERVICE_NAME || CONSUMER_SERVICE_NAME;
  const tracer = xRayIsPresent(env) ? createTracer(serviceName) : undefined;
  const { DynamoDBClient } = dynamoDbSdk();
  const { DynamoDBDocumentClient } = documentClientSdk();
  const dynamoClient = new DynamoDBClient({});
  // removeUndefinedValues: optional fields never make a put fail; the item builder sets every field anyway.
  const documentClient = DynamoDBDocumentClient.from(tracer ? tracer.captureAWSv3Client(dynamoClient) : dynamoClient, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return createConsumer({
    documentClient,
    sqs: deadLetterClient(env, tracer),
    tableName,
    dlqUrl,
    sourceQueueUrl: env.SOURCE_QUEUE_URL?.trim() || undefined,
    tracer,
    logger: new Logger({ serviceName, logLevel: (env.LOG_LEVEL as "INFO" | undefined) || "INFO" }),
    metrics: new Metrics({ serviceName, namespace: env.POWERTOOLS_METRICS_NAMESPACE || CONSUMER_NAMESPACE }),
  });
}

/**
 * The SQS client, made on first use and kept: loading and configuring it is about a tenth of a cold start, and only
 * a rejected record needs it.
 */
function deadLetterClient(env: NodeJS.ProcessEnv, tracer: Tracer | undefined): () => SQSClient {
  let client: SQSClient | undefined;
  return () => {
    if (client) return client;
    const { SQSClient: Client } = sqsSdk();
    // The SDK sends SQS calls to the queue URL's host unless an endpoint is given in code. When the environment
    // aims SQS elsewhere (AWS_ENDPOINT_URL_SQS, the embedded cloud), that host is an emulator's naming artifact
    // (fauxqs: sqs.<region>.localhost, which need not resolve), so the configured endpoint must win.
    const endpointFromEnvironment = Boolean(env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL);
    const made = new Client({ useQueueUrlAsEndpoint: !endpointFromEnvironment });
    client = tracer ? tracer.captureAWSv3Client(made) : made;
    return client;
  };
}

/**
 * Whether X-Ray can receive traces here. The Lambda service sets AWS_XRAY_DAEMON_ADDRESS in every execution
 * environment (and _X_AMZN_TRACE_ID per invocation when active tracing is on); POWERTOOLS_TRACE_ENABLED, when set,
 * decides, as it does for Powertools Tracer itself. Anywhere else (the embedded cloud, tests) the Tracer would
 * disable itself anyway, yet loading it loads aws-xray-sdk-core, whose cls-hooked async hooks slow every promise.
 */
export function xRayIsPresent(env: NodeJS.ProcessEnv): boolean {
  const setting = env.POWERTOOLS_TRACE_ENABLED?.trim().toLowerCase();
  if (setting === "true") return true;
  if (setting === "false") return false;
  return Boolean(env.AWS_XRAY_DAEMON_ADDRESS?.trim());
}

/**
 * Required here, not imported at module scope: Pulumi serializes a module-scope import as a `require` at the top of
 * the function's text, which would load aws-xray-sdk-core in every environment, traced or not.
 */
function createTracer(serviceName: string): Tracer {
  const { Tracer: PowertoolsTracer } =
    require("@aws-lambda-powertools/tracer") as typeof import("@aws-lambda-powertools/tracer");
  return new PowertoolsTracer({ serviceName });
}

function required(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConsumerConfigurationError(name, `it names ${why}`);
  return value;
}
