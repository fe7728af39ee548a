import { OperatorError, UsageError } from "../contracts";
import type { DlqTarget } from "./queues";
import { deadLetterSources, queueAttributes } from "./sqs-io";

/** The queue a redrive returns messages to: the one discovery named, else the DLQ's only source queue. */
export async function sourceQueueOf(target: DlqTarget): Promise<string> {
  if (target.queueUrl) return target.queueUrl;
  const sources = await deadLetterSources(target.sqs, target.dlqUrl);
  if (sources.length === 1) return sources[0]!;
  throw new UsageError(
    sources.length === 0
      ? `no queue names ${target.dlqUrl} as its dead-letter queue: give --queue-url`
      : `several queues use this DLQ (${sources.join(", ")}): give --queue-url`,
  );
}

export async function queueArn(target: DlqTarget, url: string): Promise<string> {
  const arn = (await queueAttributes(target.sqs, url)).QueueArn;
  if (!arn) throw new OperatorError(`SQS gave no QueueArn for ${url}`);
  return arn;
}
