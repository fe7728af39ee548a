import type { EmbeddedCloud } from "./cloud";
import type { HeldMessages } from "./stop-control";

/** The count attributes of a queue fauxqs holds: visible, in flight, delayed. */
const QUEUE_DEPTH_ATTRIBUTES = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
];

/**
 * What the cloud's queues hold when `up` stops: the mapped queues' backlog, and every other queue (the DLQ), read
 * synchronously from fauxqs's store, as the stop path asks for it. The one place that reaches into fauxqs's store.
 */
export function heldMessages(cloud: EmbeddedCloud): HeldMessages {
  const { visible, inFlight } = cloud.backlog();
  const mapped = new Set(cloud.mappings.map((m) => m.config.queueUrl.slice(m.config.queueUrl.lastIndexOf("/") + 1)));
  let elsewhere = 0;
  for (const queue of cloud.deployed?.queues ?? []) {
    if (mapped.has(queue.name)) continue;
    const view = cloud.sqsEmulator.store?.getQueueByName(queue.name);
    for (const attribute of QUEUE_DEPTH_ATTRIBUTES) elsewhere += Number(view?.getAttribute(attribute) ?? 0);
  }
  return { queued: visible, inFlight, elsewhere };
}
