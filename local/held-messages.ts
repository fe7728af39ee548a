import type { EmbeddedCloud } from "./cloud";
import { queueDepth } from "./fauxqs-store";
import type { HeldMessages } from "./stop-control";

/**
 * What the cloud's queues hold when `up` stops: the mapped queues' backlog, and every other queue (the DLQ), read
 * synchronously from fauxqs's store, as the stop path asks for it.
 */
export function heldMessages(cloud: EmbeddedCloud): HeldMessages {
  const { visible, inFlight } = cloud.backlog();
  const mapped = new Set(cloud.mappings.map((m) => m.config.queueUrl.slice(m.config.queueUrl.lastIndexOf("/") + 1)));
  let elsewhere = 0;
  for (const queue of cloud.deployed?.queues ?? []) {
    if (mapped.has(queue.name)) continue;
    const depth = queueDepth(cloud.sqsEmulator.store?.getQueueByName(queue.name));
    elsewhere += depth.visible + depth.inFlight + depth.delayed;
  }
  return { queued: visible, inFlight, elsewhere };
}
