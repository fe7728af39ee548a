/** fauxqs's store as far as finding a dead-letter queue's sources goes. */
interface QueueLister {
  listQueues(): Array<{ arn: string; getAttribute(name: string): string | undefined }>;
}

/**
 * The queues whose RedrivePolicy names a dead-letter queue, by ARN, read from fauxqs's store when asked: what a
 * StartMessageMoveTask without DestinationArn sends to, and so must be allowed to send to.
 */
export function redriveSourcesOf(store: QueueLister | undefined): (deadLetterQueueArn: string) => string[] {
  return (deadLetterQueueArn) =>
    (store?.listQueues() ?? [])
      .filter((queue) => {
        try {
          return JSON.parse(queue.getAttribute("RedrivePolicy") ?? "{}").deadLetterTargetArn === deadLetterQueueArn;
        } catch {
          return false; // an unreadable policy names no dead-letter queue
        }
      })
      .map((queue) => queue.arn);
}
