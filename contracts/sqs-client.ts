/**
 * Which endpoint, region and credentials an SQS command line (the producer, `npm run dlq`) uses for a queue, from
 * its flags, what discovery found and the environment. Retries are each command's own choice.
 */
import type { SQSClientConfig } from "@aws-sdk/client-sqs";
import { UsageError } from "./cli-errors";
import { REGION_PATTERN } from "./flag-values";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./local-endpoints";
import { EMBEDDED_CLOUD_SOURCE, type FoundQueue } from "./queue-discovery";
import type { PrincipalKeys } from "./state-file";

/** Neither a flag, the environment nor the queue URL says which region to use. */
export class RegionMissingError extends UsageError {
  constructor(queueUrl: string) {
    super(`no AWS region for ${queueUrl}: pass --region, e.g. --region eu-west-1, or set AWS_REGION`);
  }
}

export interface ClientChoice {
  /** Endpoint, region and credentials; add maxAttempts and the like before building the client. */
  config: Pick<SQSClientConfig, "endpoint" | "region" | "credentials">;
  /** The endpoint used; undefined means the SDK's AWS endpoint for the region. */
  endpoint: string | undefined;
  region: string;
  /** True when the endpoint is not AWS (an emulator, LocalStack, the embedded cloud). */
  emulator: boolean;
  /** Where the credentials come from, for the command's first line. */
  credentials: string;
}

const AWS_HOST = /(^|\.)amazonaws\.com(\.cn)?$/;
const REGION_IN_QUEUE_HOST = new RegExp(`^sqs[.-](${REGION_PATTERN.source})\\.`);

/**
 * The SQS client settings for a queue: --endpoint, else an endpoint from the discovery source (the embedded
 * cloud), else AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL, else the queue URL's own host when it is not AWS. Pointing
 * the client at that host ourselves avoids the SDK's per-call "QueueUrl differs from endpoint" warning, and turns
 * fauxqs's `sqs.<region>.localhost` host into 127.0.0.1, which resolves without relying on the system resolver's
 * handling of *.localhost.
 */
export function chooseSqsClient(input: {
  queueUrl: string;
  endpoint?: string;
  region?: string;
  discoveredEndpoint?: string;
  discoveredRegion?: string;
  /** The target is the embedded cloud (found through its state file): its own keys, whatever AWS_* says. */
  embeddedCloud?: boolean;
  /**
   * The keys of the embedded cloud's principal the command acts as (the producer's, the administrator's), from its
   * state file; without them, the cloud's well-known test keys, which are the administrator's.
   */
  cloudKeys?: PrincipalKeys;
  env?: NodeJS.ProcessEnv;
}): ClientChoice {
  const env = input.env ?? process.env;
  const queue = new URL(input.queueUrl);
  const endpoint =
    input.endpoint ??
    input.discoveredEndpoint ??
    env.AWS_ENDPOINT_URL_SQS ??
    env.AWS_ENDPOINT_URL ??
    (AWS_HOST.test(queue.hostname) ? undefined : loopbackAware(queue));
  const emulator = endpoint !== undefined && !AWS_HOST.test(new URL(endpoint).hostname);
  const region =
    input.region ??
    input.discoveredRegion ??
    env.AWS_REGION ??
    env.AWS_DEFAULT_REGION ??
    REGION_IN_QUEUE_HOST.exec(queue.hostname)?.[1] ??
    (emulator ? LOCAL_REGION : undefined);
  if (!region) throw new RegionMissingError(input.queueUrl);
  // Emulators the SDK cannot sign for without credentials get test ones, unless the user set their own for another
  // emulator. The embedded cloud always gets its own principal's keys: a shell's AWS_PROFILE is meant for AWS, and the
  // cloud authorizes each call as the principal whose key it carries.
  if (input.embeddedCloud && input.cloudKeys) {
    const { accessKeyId, secretAccessKey, arn } = input.cloudKeys;
    return {
      config: { region, ...(endpoint ? { endpoint } : {}), credentials: { accessKeyId, secretAccessKey } },
      endpoint,
      region,
      emulator,
      credentials: `the embedded cloud's keys of ${arn}`,
    };
  }
  const useTestCredentials = input.embeddedCloud || (emulator && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE);
  return {
    config: {
      region,
      ...(endpoint ? { endpoint } : {}),
      // A copy: the SDK tags the credentials object it is given (a `$source` field), which must not leak into the shared constant.
      ...(useTestCredentials ? { credentials: { ...LOCAL_CREDENTIALS } } : {}),
    },
    endpoint,
    region,
    emulator,
    credentials: useTestCredentials ? "test credentials" : "the AWS SDK's default chain",
  };
}

function loopbackAware(queue: URL): string {
  const host = queue.hostname === "localhost" || queue.hostname.endsWith(".localhost") ? "127.0.0.1" : queue.hostname;
  return `${queue.protocol}//${host}${queue.port ? `:${queue.port}` : ""}`;
}

/**
 * chooseSqsClient for a queue discovery found: where it says SQS listens and in which region, and, in the embedded
 * cloud, the keys of the principal the command acts as.
 */
export function chooseSqsClientFor(
  found: FoundQueue,
  flags: { endpoint?: string; region?: string },
  principal: "producer" | "administrator",
  env?: NodeJS.ProcessEnv,
): ClientChoice {
  return chooseSqsClient({
    queueUrl: found.url,
    endpoint: flags.endpoint,
    region: flags.region,
    discoveredEndpoint: found.endpoint,
    discoveredRegion: found.region,
    embeddedCloud: found.source === EMBEDDED_CLOUD_SOURCE,
    cloudKeys: found.credentials?.[principal],
    env,
  });
}
