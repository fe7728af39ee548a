// The SQS calls behind `npm run dlq`: read every message without consuming it, release, re-send, delete, and the
// message move task API.

import {
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { MAX_BATCH_ENTRIES, OperatorError } from "../contracts";
import { type DlqMessage, resendAttributes, toDlqMessage } from "./messages";

/**
 * How long the messages read by one command stay invisible to others: long enough to receive them all and act (a
 * 10,000-message DLQ reads in well under a minute), short enough that a crashed command's messages come back soon.
 */
export const DEFAULT_HOLD_SECONDS = 300;

/** An SQS call that failed after the SDK's retries: the command stops there, saying what SQS answered. */
class SqsCallError extends OperatorError {
  constructor(action: string, detail: string, cause?: unknown) {
    super(
      `${action} failed: ${detail}`,
      "check the queue URLs, --endpoint, --region and the credentials (AWS_PROFILE); messages already read come back " +
        "to the DLQ when their hold ends",
      { cause },
    );
  }
}

/** Sends one SQS request, turning its failure into an SqsCallError naming the action. */
async function call<T>(action: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw new SqsCallError(action, (error as Error)?.message ?? String(error), error);
  }
}

export function chunks<T>(items: readonly T[], size = MAX_BATCH_ENTRIES): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function queueAttributes(sqs: SQSClient, queueUrl: string): Promise<Record<string, string>> {
  const { Attributes } = await call("GetQueueAttributes", () =>
    sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] })),
  );
  return Attributes ?? {};
}

/**
 * Every message in the queue, held invisible for holdSeconds so each is received once: receive 10 at a time until
 * as many as ApproximateNumberOfMessages said were there have come, or three receives in a row return nothing (a
 * short poll samples only some of SQS's servers, so one empty answer does not mean the queue is empty). The caller
 * releases or deletes them. Messages arriving meanwhile may be read too.
 */
export async function receiveAll(
  sqs: SQSClient,
  queueUrl: string,
  options: { holdSeconds?: number; onProgress?: (received: number, expected: number) => void } = {},
): Promise<DlqMessage[]> {
  const expected = Number((await queueAttributes(sqs, queueUrl)).ApproximateNumberOfMessages ?? 0);
  const seen = new Map<string, DlqMessage>();
  let empty = 0;
  while (empty < 3 && seen.size < expected) {
    const { Messages = [] } = await call("ReceiveMessage", () =>
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: MAX_BATCH_ENTRIES,
          VisibilityTimeout: options.holdSeconds ?? DEFAULT_HOLD_SECONDS,
          WaitTimeSeconds: empty > 0 ? 1 : 0,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
      ),
    );
    empty = Messages.length === 0 ? empty + 1 : 0;
    for (const message of Messages) seen.set(message.MessageId ?? "", toDlqMessage(message));
    options.onProgress?.(seen.size, expected);
  }
  return [...seen.values()];
}

/** Makes held messages visible again at once (ChangeMessageVisibilityBatch to 0); nothing is consumed. */
export async function release(sqs: SQSClient, queueUrl: string, messages: readonly DlqMessage[]): Promise<void> {
  for (const batch of chunks(messages)) {
    await call("ChangeMessageVisibilityBatch", () =>
      sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle, VisibilityTimeout: 0 })),
        }),
      ),
    );
  }
}

/** Deletes up to 10 messages; throws when any entry failed, naming them. */
export async function deleteBatch(sqs: SQSClient, queueUrl: string, batch: readonly DlqMessage[]): Promise<void> {
  const { Failed = [] } = await call("DeleteMessageBatch", () =>
    sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })),
      }),
    ),
  );
  if (Failed.length > 0)
    throw new SqsCallError(
      "DeleteMessageBatch",
      `could not delete ${Failed.map((f) => `${batch[Number(f.Id)]?.messageId}: ${f.Message}`)}`,
    );
}

/** Re-sends up to 10 messages with their original body and eventId; returns the ones SQS accepted. */
export async function resendBatch(
  sqs: SQSClient,
  queueUrl: string,
  batch: readonly DlqMessage[],
): Promise<DlqMessage[]> {
  const { Successful = [] } = await call("SendMessageBatch", () =>
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((m, i) => ({ Id: String(i), MessageBody: m.body, MessageAttributes: resendAttributes(m) })),
      }),
    ),
  );
  return Successful.map((s) => batch[Number(s.Id)]!);
}

export async function deadLetterSources(sqs: SQSClient, dlqUrl: string): Promise<string[]> {
  return (
    (
      await call("ListDeadLetterSourceQueues", () =>
        sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl })),
      )
    ).queueUrls ?? []
  );
}

export async function startMoveTask(
  sqs: SQSClient,
  input: { sourceArn: string; destinationArn?: string; rate?: number },
): Promise<string> {
  const { TaskHandle } = await call("StartMessageMoveTask", () =>
    sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: input.sourceArn,
        DestinationArn: input.destinationArn,
        MaxNumberOfMessagesPerSecond: input.rate,
      }),
    ),
  );
  return TaskHandle ?? "";
}

export async function latestMoveTask(
  sqs: SQSClient,
  sourceArn: string,
): Promise<ListMessageMoveTasksResultEntry | undefined> {
  return (
    await call("ListMessageMoveTasks", () =>
      sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 })),
    )
  ).Results?.[0];
}

export async function cancelMoveTask(sqs: SQSClient, handle: string): Promise<number> {
  return (
    (await call("CancelMessageMoveTask", () => sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: handle }))))
      .ApproximateNumberOfMessagesMoved ?? 0
  );
}
