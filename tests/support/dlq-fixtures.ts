// fauxqs set up for the DLQ commands: a client on it, queue pairs joined by a redrive policy, a DLQ filled the way
// SQS fills it, and an Io that keeps what a command printed.

import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../contracts/local-endpoints";
import type { Io } from "../../dlq/io";
import type { DlqTarget } from "../../dlq/queues";
import { startSqs } from "../../local/emulators";

export interface LocalSqs {
  endpoint: string;
  sqs: SQSClient;
  close(): Promise<void>;
}

/** fauxqs as the embedded cloud runs it (with the move-task operations), queue URLs on 127.0.0.1. */
export async function startLocalSqs(): Promise<LocalSqs> {
  const emulator = await startSqs({ loopbackQueueUrls: true });
  const sqs = new SQSClient({
    endpoint: emulator.endpoint,
    region: LOCAL_REGION,
    credentials: { ...LOCAL_CREDENTIALS },
  });
  return {
    endpoint: emulator.endpoint,
    sqs,
    async close() {
      sqs.destroy();
      await emulator.close();
    },
  };
}

export async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  return Attributes!.QueueArn!;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages);
}

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
