// Queues set up for the DLQ commands: pairs joined by a redrive policy, a DLQ filled the way SQS fills it, and an Io
// that keeps what a command printed.

import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Io } from "../../dlq/io";
import type { DlqTarget } from "../../dlq/queues";
import { queueArn, queueDepth } from "./local-sqs";

/** `${name}-dlq` and `${name}-src`, whose redrive policy moves a message there after maxReceiveCount receives. */
export async function redrivePair(
  sqs: SQSClient,
  name: string,
  maxReceiveCount: number,
  attributes: Record<string, string> = {},
): Promise<{ source: string; dlq: string }> {
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq`, Attributes: attributes }))).QueueUrl!;
  const policy = JSON.stringify({ deadLetterTargetArn: await queueArn(sqs, dlq), maxReceiveCount });
  const source = (
    await sqs.send(
      new CreateQueueCommand({ QueueName: `${name}-src`, Attributes: { ...attributes, RedrivePolicy: policy } }),
    )
  ).QueueUrl!;
  return { source, dlq };
}

/** Receives from the source without deleting (a consumer failing transiently) until the DLQ holds `count`. */
export async function failUntilDeadLettered(sqs: SQSClient, source: string, dlq: string, count: number): Promise<void> {
  while ((await queueDepth(sqs, dlq)) < count)
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: source, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
}

/** What the dlq CLI resolves from its arguments, for these two queues. */
export function dlqTarget(sqs: SQSClient, source: string, dlq: string): DlqTarget {
  return { dlqUrl: dlq, queueUrl: source, source: "test", sqs, describe: `DLQ ${dlq}` };
}

/** An Io that keeps every line a command printed, out and err apart. */
export function recordingIo(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), signal: new AbortController().signal };
}
