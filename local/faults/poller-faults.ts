import type { FastifyInstance } from "fastify";
import type { PollerSqsApi } from "../event-source-mapping";
import { injectSqsAction } from "../fauxqs-inject";
import { type FaultInjector, messageKey } from "./injector";

/** Makes an in-flight message visible again at once (ChangeMessageVisibility to 0). */
export type MakeVisible = (queueUrl: string, receiptHandle: string) => Promise<void>;

/** ChangeMessageVisibility through fauxqs's app, the pollers' own (AWS-internal) path; SQS misbehaving, not a caller. */
export function injectedMakeVisible(app: FastifyInstance, host: string): MakeVisible {
  return async (queueUrl, receiptHandle) => {
    await injectSqsAction(
      app,
      host,
      "ChangeMessageVisibility",
      { QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 },
      "internal",
    );
  };
}

/** What the pollers saw of the faults' effects. */
export interface PollerFaultStats {
  /** Messages received with ApproximateReceiveCount above 1 (every redelivery, whatever caused it). */
  redeliveries: number;
}

/**
 * The event source mapping's SQS calls with the standard queue's at-least-once behaviour made visible:
 * - sqs-duplicate: a received message is made visible again while this delivery is in flight, so another poller
 *   receives it too (fauxqs then treats the first receipt handle as stale, as SQS may);
 * - sqs-delete-fail: DeleteMessageBatch entries reported Failed (InternalError), so those messages come back after
 *   the visibility timeout.
 */
export function withPollerFaults(
  api: PollerSqsApi,
  faults: FaultInjector,
  makeVisible: MakeVisible,
  stats: PollerFaultStats,
): PollerSqsApi {
  // Receipt handle -> message key, so a failed delete can be noted against the message it left behind.
  const keys = new Map<string, string>();
  return {
    async receiveMessage(input, signal) {
      const messages = await api.receiveMessage(input, signal);
      for (const message of messages) {
        if (Number(message.Attributes?.ApproximateReceiveCount ?? 1) > 1) stats.redeliveries += 1;
        if (faults.enabled("sqs-delete-fail") && message.ReceiptHandle)
          keys.set(message.ReceiptHandle, messageKey(message.MessageId, message.MessageAttributes));
        if (message.ReceiptHandle && faults.roll("sqs-duplicate")) {
          faults.note([messageKey(message.MessageId, message.MessageAttributes)], "sqs-duplicate");
          await makeVisible(String(input.QueueUrl), message.ReceiptHandle);
        }
      }
      return messages;
    },
    async deleteMessageBatch(input) {
      const entries = input.Entries ?? [];
      const failing = new Set(entries.filter(() => faults.roll("sqs-delete-fail")).map((e) => e.Id));
      const kept = entries.filter((e) => !failing.has(e.Id));
      for (const entry of entries) {
        const key = keys.get(entry.ReceiptHandle ?? "");
        keys.delete(entry.ReceiptHandle ?? "");
        if (key && failing.has(entry.Id)) faults.note([key], "sqs-delete-fail");
      }
      const result: Awaited<ReturnType<PollerSqsApi["deleteMessageBatch"]>> =
        kept.length > 0 ? await api.deleteMessageBatch({ ...input, Entries: kept }) : { Successful: [], Failed: [] };
      const failed = [...failing].map((Id) => ({
        Id,
        SenderFault: false,
        Code: "InternalError",
        Message: "fault injected by the embedded cloud (sqs-delete-fail)",
      }));
      return { Successful: result.Successful ?? [], Failed: [...(result.Failed ?? []), ...failed] };
    },
  };
}
