import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { isDeploymentFault, isTransientAwsError, OperatorError, UNREACHABLE_ERROR_CODES } from "../contracts";
import { messageAttributesOf, type OutgoingMessage } from "./messages";
import type { LatencyRecorder } from "./stats";

/** A message still not accepted after every attempt (or refused for good), with the queue's last word on it. */
export interface UnsentMessage {
  message: OutgoingMessage;
  code: string;
  reason: string;
}

export interface BatchOutcome {
  /** The messages the queue accepted, each with its messageId. */
  sent: OutgoingMessage[];
  unsent: UnsentMessage[];
  /** Entries sent again after a failure (a message sent three times counts two). */
  retried: number;
  /** SendMessageBatch calls made. */
  calls: number;
}

export interface RetryPolicy {
  /** Attempts per message, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Uniform [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Six attempts with delays of about 50, 100, 200, 400 and 800 ms ride out a throttling burst or an
 * emulator restart without holding a finished run open for long.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 50, maxDelayMs: 2000 };

/** The queue cannot take any message from us (it does not exist, or we may not send to it): stop the run. */
export class FatalSendError extends OperatorError {
  constructor(
    readonly code: string,
    detail: string,
    cause: unknown,
  ) {
    super(
      `SendMessageBatch failed with ${code}: ${detail}`,
      "check the queue URL, the endpoint and region, and that these credentials may send to the queue " +
        "(the stack's producerPolicyArn output grants it)",
      { cause },
    );
  }
}

/** Whether an unsent message's code says the endpoint could not be reached at all: no request was delivered. */
export function isUnreachableCode(code: string): boolean {
  return UNREACHABLE_ERROR_CODES.includes(code);
}

type CallError = Error & {
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  Code?: string;
  code?: string;
};

/**
 * What SQS or the network said went wrong: a socket's code (ECONNREFUSED, ...) for a request that never arrived, else
 * the AWS error code, which SDK v3 service errors carry as their `name` (QueueDoesNotExist, AccessDenied, ...).
 */
export function awsErrorCode(error: unknown): string {
  const e = error as CallError;
  return (isUnreachableCode(String(e?.code)) ? e.code : e?.name) || "Error";
}

/**
 * Whether a whole-call error is worth another try: throttling, 5xx, timeouts and network errors are; other bad
 * requests are not (a fault of the deployment, such as no such queue or a refused permission, stops the run before).
 */
function isRetryableCallError(error: unknown): boolean {
  if (isTransientAwsError(error)) return true;
  // No HTTP answer at all: connection refused, reset, timed out.
  return (error as CallError).$metadata?.httpStatusCode === undefined;
}

/** Delay before attempt `attempt` (2 = the first retry): exponential, capped, with "equal jitter" so concurrent senders spread out. */
function backoffMs(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 2));
  return ceiling / 2 + (policy.random ?? Math.random)() * (ceiling / 2);
}

/**
 * Sends one batch (1 to 10 messages) and retries what failed, keeping each message's eventId: entries
 * SendMessageBatch reports in `Failed` through no fault of ours, and whole calls that failed for a
 * retryable reason. A call that failed after SQS had stored the messages (a lost response) makes the
 * retry a duplicate; the unchanged eventId is what lets the consumer store it once.
 */
export async function sendBatch(
  sqs: SQSClient,
  queueUrl: string,
  batch: readonly OutgoingMessage[],
  options: { policy?: RetryPolicy; latency?: LatencyRecorder; sleep?: (ms: number) => Promise<void> } = {},
): Promise<BatchOutcome> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const outcome: BatchOutcome = { sent: [], unsent: [], retried: 0, calls: 0 };
  let pending = [...batch];
  let lastFailure = new Map<OutgoingMessage, { code: string; reason: string }>();

  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > policy.maxAttempts) {
      for (const message of pending)
        outcome.unsent.push({ message, ...(lastFailure.get(message) ?? { code: "Unknown", reason: "no answer" }) });
      break;
    }
    if (attempt > 1) {
      outcome.retried += pending.length;
      await sleep(backoffMs(attempt, policy));
    }
    // Entry ids only need to be unique within the call; the index keeps the mapping back trivial.
    const entries: SendMessageBatchRequestEntry[] = pending.map((message, index) => ({
      Id: String(index),
      MessageBody: message.body,
      MessageAttributes: messageAttributesOf(message),
    }));
    const started = performance.now();
    outcome.calls += 1;
    let response: SendMessageBatchCommandOutput;
    try {
      response = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      options.latency?.record(performance.now() - started);
    } catch (error) {
      const e = error as CallError;
      if (e.$metadata?.httpStatusCode !== undefined) options.latency?.record(performance.now() - started);
      const code = awsErrorCode(error);
      if (isDeploymentFault(error)) throw new FatalSendError(code, e.message, error);
      const failure = { code, reason: e.message };
      if (!isRetryableCallError(error)) {
        for (const message of pending) outcome.unsent.push({ message, ...failure });
        break;
      }
      lastFailure = new Map(pending.map((message) => [message, failure]));
      continue;
    }

    const { retry, failures } = sortResponse(pending, response, outcome);
    pending = retry;
    lastFailure = failures;
  }
  return outcome;
}

/**
 * Files each pending message by what the SendMessageBatch answer says of it: sent, unsent for good (a sender
 * fault), or to retry (any other failure, or not mentioned at all) with its failure.
 */
function sortResponse(
  pending: readonly OutgoingMessage[],
  response: SendMessageBatchCommandOutput,
  outcome: BatchOutcome,
): { retry: OutgoingMessage[]; failures: Map<OutgoingMessage, { code: string; reason: string }> } {
  const accepted = new Set<number>();
  for (const entry of response.Successful ?? []) {
    const message = pending[Number(entry.Id)];
    if (!message || !entry.MessageId) continue;
    accepted.add(Number(entry.Id));
    outcome.sent.push({ ...message, messageId: entry.MessageId });
  }
  const retry: OutgoingMessage[] = [];
  const failures = new Map<OutgoingMessage, { code: string; reason: string }>();
  for (const entry of response.Failed ?? []) {
    const message = pending[Number(entry.Id)];
    if (!message || accepted.has(Number(entry.Id))) continue;
    const failure = { code: entry.Code ?? "Unknown", reason: entry.Message ?? "" };
    accepted.add(Number(entry.Id));
    // A sender fault (too large, invalid characters) fails the same way every time: do not retry it.
    if (entry.SenderFault) outcome.unsent.push({ message, ...failure });
    else {
      retry.push(message);
      failures.set(message, failure);
    }
  }
  // An entry the answer does not mention at all is retried: we cannot know it arrived.
  pending.forEach((message, index) => {
    if (!accepted.has(index)) {
      retry.push(message);
      failures.set(message, {
        code: "MissingFromResponse",
        reason: "the response listed the entry neither as successful nor as failed",
      });
    }
  });
  return { retry, failures };
}
