// fauxqs for tests: an emulator with a client on it, and the reads of a queue several tests make.

import { GetQueueAttributesCommand, type Message, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../contracts";
import { startSqs } from "../../local/emulators";

/** A client on a local SQS endpoint, with the credentials the embedded cloud accepts. */
export function localSqsClient(endpoint: string): SQSClient {
  return new SQSClient({ region: LOCAL_REGION, endpoint, credentials: { ...LOCAL_CREDENTIALS } });
}

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

export async function queueDepth(
  sqs: SQSClient,
  queueUrl: string,
  attribute: "ApproximateNumberOfMessages" | "ApproximateNumberOfMessagesNotVisible" = "ApproximateNumberOfMessages",
): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [attribute] }),
  );
  return Number(Attributes?.[attribute]);
}

/**
 * Every distinct message the queue hands out, up to `count`, held invisible for ten minutes so none comes round
 * again; stops early when a receive comes back empty.
 */
export async function receiveDistinct(sqs: SQSClient, queueUrl: string, count: number): Promise<Message[]> {
  const seen = new Map<string, Message>();
  while (seen.size < count) {
    const answer = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 600,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
      }),
    );
    if (!answer.Messages?.length) break;
    for (const message of answer.Messages) seen.set(message.MessageId!, message);
  }
  return [...seen.values()];
}
