import type { FastifyInstance } from "fastify";
import type { FaultInjector } from "./injector";

/** The queues some queue's RedrivePolicy names as its dead-letter queue (by name). */
export type DeadLetterQueueTest = (queueName: string) => boolean;

/** fauxqs's store as far as finding dead-letter queues goes. */
interface QueueLister {
  listQueues(
    prefix?: string,
    maxResults?: number,
  ): Array<{ arn: string; getAttribute(name: string): string | undefined }>;
}

/** A queue is a DLQ when another queue's RedrivePolicy targets its ARN (read from fauxqs's store on every call). */
export function deadLetterQueuesOf(store: QueueLister | undefined): DeadLetterQueueTest {
  return (name) => {
    for (const queue of store?.listQueues() ?? []) {
      const policy = queue.getAttribute("RedrivePolicy");
      if (!policy) continue;
      try {
        const target = String(JSON.parse(policy).deadLetterTargetArn ?? "");
        if (target.slice(target.lastIndexOf(":") + 1) === name) return true;
      } catch {
        // an unreadable policy targets nothing
      }
    }
    return false;
  };
}

/**
 * dlq-send-fail in SQS's request path (a fastify preHandler on fauxqs's app), so any client's SendMessage to a
 * dead-letter queue can meet it: answered with SQS's InternalFailure (HTTP 500), which the SDK retries before
 * the caller sees it.
 */
export function registerSqsFaultHooks(
  app: FastifyInstance,
  faults: FaultInjector,
  isDeadLetterQueue: DeadLetterQueueTest,
): void {
  if (!faults.enabled("dlq-send-fail")) return;
  app.addHook("preHandler", async (request, reply) => {
    const target = String(request.headers["x-amz-target"] ?? "");
    if (target !== "AmazonSQS.SendMessage" && target !== "AmazonSQS.SendMessageBatch") return;
    const url = String((request.body as { QueueUrl?: unknown } | undefined)?.QueueUrl ?? "");
    if (!isDeadLetterQueue(url.slice(url.lastIndexOf("/") + 1))) return;
    if (!faults.roll("dlq-send-fail")) return;
    return reply
      .code(500)
      .header("content-type", "application/x-amz-json-1.0")
      .header("x-amzn-query-error", "InternalFailure;Receiver")
      .send(
        JSON.stringify({
          __type: "com.amazon.coral.service#InternalFailure",
          message: "We encountered an internal error. Please try again.",
        }),
      );
  });
}
