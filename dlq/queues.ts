// Where the dead-letter queue and its source queue are: contracts' queue discovery, asked for dlqUrl and queueUrl.

import { SQSClient } from "@aws-sdk/client-sqs";
import { chooseSqsClientFor, discoverQueue, pulumiOnPath, QueueNotFoundError } from "../contracts";

export interface DlqTarget {
  dlqUrl: string;
  source: string;
  /** The source queue when a source named it; otherwise the redrive asks ListDeadLetterSourceQueues. */
  queueUrl: string | undefined;
  sqs: SQSClient;
  describe: string;
}

/** The SQS SDK's standard retries: unlike the producer, which counts its own, a DLQ command just wants the answer. */
const DLQ_MAX_ATTEMPTS = 3;

/** Finds both queues and builds the SQS client for them (contracts' endpoint, region and credential rules). */
export async function locateQueues(
  options: { dlqUrl?: string; queueUrl?: string; endpoint?: string; region?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<DlqTarget> {
  // One Pulumi CLI call for both queues.
  const askPulumi = await pulumiOnPath(env);
  const dlq = await discoverQueue({ output: "dlqUrl", flag: options.dlqUrl, env, askPulumi });
  let queueUrl: string | undefined;
  try {
    queueUrl = (await discoverQueue({ output: "queueUrl", flag: options.queueUrl, env, askPulumi })).url;
  } catch (error) {
    if (!(error instanceof QueueNotFoundError)) throw error;
  }
  // The runbook's command acts as the cloud's administrator, as an operator would on AWS.
  const choice = chooseSqsClientFor(dlq, options, "administrator", env);
  const sqs = new SQSClient({ ...choice.config, maxAttempts: DLQ_MAX_ATTEMPTS });
  const via = choice.endpoint ?? `AWS SQS in ${choice.region}`;
  return {
    dlqUrl: dlq.url,
    source: dlq.source,
    queueUrl,
    sqs,
    describe: `DLQ ${dlq.url} (from ${dlq.source}) via ${via}`,
  };
}
