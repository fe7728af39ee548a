// Where the dead-letter queue and its source queue are: the producer's discovery, asked for dlqUrl as well.

import { SQSClient } from "@aws-sdk/client-sqs";
import { DEFAULT_STATE_FILE, isAlive } from "../contracts/state-file";
import { discoverQueue, pulumiOnPath, QueueNotFoundError, queueFromStateFile } from "../producer/queue-url";
import { chooseSqsClient } from "../producer/sqs-client";

export class DlqNotFoundError extends Error {
  constructor(tried: readonly string[]) {
    super(
      [
        "no dead-letter queue. Give --dlq-url <url>, set DLQ_URL, deploy the stack (`pulumi stack output dlqUrl`),",
        "or start the embedded cloud (`npm run local -- up`). Tried, in order:",
        ...tried.map((line) => `  - ${line}`),
      ].join("\n"),
    );
    this.name = "DlqNotFoundError";
  }
}

export interface DlqTarget {
  dlqUrl: string;
  source: string;
  /** The source queue when a source named it; otherwise the redrive asks ListDeadLetterSourceQueues. */
  queueUrl: string | undefined;
  sqs: SQSClient;
  describe: string;
}

interface Found {
  url: string;
  source: string;
  endpoint?: string;
  region?: string;
}

async function findDlq(flag: string | undefined, env: NodeJS.ProcessEnv): Promise<Found> {
  const tried: string[] = [];
  if (flag) return { url: flag, source: "--dlq-url" };
  tried.push("--dlq-url: not given");
  if (env.DLQ_URL?.trim()) return { url: env.DLQ_URL.trim(), source: "$DLQ_URL" };
  tried.push("$DLQ_URL: not set");
  const askPulumi = await pulumiOnPath(env, "dlqUrl");
  if (askPulumi) {
    const answer = await askPulumi();
    if (answer.ok) return { url: answer.queueUrl, source: "pulumi stack output" };
    tried.push(`pulumi stack output dlqUrl: ${answer.why}`);
  } else tried.push("pulumi stack output dlqUrl: the pulumi CLI is not on the PATH");
  const state = queueFromStateFile(env.VEHICLE_PIPELINE_STATE_FILE ?? DEFAULT_STATE_FILE, isAlive, "dlqUrl");
  if (state.ok)
    return { url: state.queueUrl, source: "embedded cloud", endpoint: state.endpoint, region: state.region };
  tried.push(`embedded cloud: ${state.why}`);
  throw new DlqNotFoundError(tried);
}

/** Finds both queues and builds the SQS client for them (the producer's endpoint, region and credential rules). */
export async function locateQueues(
  options: { dlqUrl?: string; queueUrl?: string; endpoint?: string; region?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<DlqTarget> {
  const dlq = await findDlq(options.dlqUrl, env);
  let queueUrl: string | undefined;
  try {
    queueUrl = (await discoverQueue({ flag: options.queueUrl, env })).queueUrl;
  } catch (error) {
    if (!(error instanceof QueueNotFoundError)) throw error;
  }
  const choice = chooseSqsClient({
    queueUrl: dlq.url,
    endpoint: options.endpoint,
    region: options.region,
    discoveredEndpoint: dlq.endpoint,
    discoveredRegion: dlq.region,
    embeddedCloud: dlq.source === "embedded cloud",
    env,
  });
  // The producer counts its own retries (maxAttempts 1); here the SDK's standard retries are what we want.
  const sqs = new SQSClient({ ...choice.config, maxAttempts: 3 });
  const via = choice.endpoint ?? `AWS SQS in ${choice.region}`;
  return {
    dlqUrl: dlq.url,
    source: dlq.source,
    queueUrl,
    sqs,
    describe: `DLQ ${dlq.url} (from ${dlq.source}) via ${via}`,
  };
}
