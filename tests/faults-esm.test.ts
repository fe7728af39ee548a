// The event source mapping's settle step against fauxqs, directly: with ReportBatchItemFailures, the records the
// function lists in batchItemFailures stay in the queue and come back after the visibility timeout; the others are
// deleted. A mapping that deleted the whole batch anyway would lose every listed record, and no end-to-end test
// without failures would notice.

import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../contracts";
import { startSqs } from "../local/emulators";
import { SqsEventSourceMapping } from "../local/event-source-mapping";
import type { InvocationResult, LambdaService } from "../local/lambda-service";

const esm = suite("event source mapping settles partial batch responses");

/** A stand-in for the Lambda runtime that fails the odd-numbered bodies on their first delivery only. */
function fakeRuntime(receipts: Map<string, number[]>) {
  return {
    // Its invocations never wait for an environment.
    canStartInvocation: true,
    async invoke(event: SQSEvent): Promise<InvocationResult> {
      const failures: { itemIdentifier: string }[] = [];
      for (const record of event.Records) {
        const count = Number(record.attributes.ApproximateReceiveCount);
        receipts.set(record.body, [...(receipts.get(record.body) ?? []), count]);
        if (Number(record.body.slice(1)) % 2 === 1 && count === 1) failures.push({ itemIdentifier: record.messageId });
      }
      return {
        requestId: "fake",
        coldStart: false,
        outcome: { kind: "ok", response: { batchItemFailures: failures }, durationMs: 1 },
      };
    },
  } as unknown as LambdaService;
}

esm("listed records stay and come back after the visibility timeout; the others are deleted once", async () => {
  const emulator = await startSqs({ loopbackQueueUrls: true });
  const sqs = new SQSClient({ endpoint: emulator.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const receipts = new Map<string, number[]>();
  let mapping: SqsEventSourceMapping | undefined;
  try {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: "partial-batch", Attributes: { VisibilityTimeout: "1" } }),
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: `m${i}` })),
      }),
    );
    mapping = new SqsEventSourceMapping(
      {
        uuid: "00000000-partial",
        queueUrl: QueueUrl!,
        queueArn: "arn:aws:sqs:us-east-1:000000000000:partial-batch",
        region: LOCAL_REGION,
        batchSize: 10,
        batchingWindowSeconds: 0,
        maximumConcurrency: 2,
        reportBatchItemFailures: true,
        enabled: true,
      },
      sqs,
      fakeRuntime(receipts),
    );
    mapping.start();
    const odd = (body: string) => Number(body.slice(1)) % 2 === 1;
    // Hang guard only: the odd ones come back after about a second.
    const deadline = Date.now() + 30_000;
    const done = () => [...receipts].filter(([body, counts]) => odd(body) && counts.includes(2)).length === 5;
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await mapping.stop();
    assert.is(receipts.size, 10, "every message was delivered");
    for (const [body, counts] of receipts) {
      if (odd(body)) assert.equal(counts, [1, 2], `${body} was listed as failed: delivered again, then deleted`);
      else assert.equal(counts, [1], `${body} succeeded: deleted after its first delivery`);
    }
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    assert.is(Attributes?.ApproximateNumberOfMessages, "0");
    assert.is(Attributes?.ApproximateNumberOfMessagesNotVisible, "0");
    assert.is(mapping.stats.failedItems, 5);
  } finally {
    await mapping?.stop();
    sqs.destroy();
    await emulator.close();
  }
});

esm.run();
