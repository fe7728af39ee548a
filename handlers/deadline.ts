import type { Context } from "aws-lambda";

/**
 * The share of an invocation's time kept back from its AWS calls, at most MAX_MARGIN_MS: enough to report a
 * record whose write did not answer as a batch item failure and flush the metrics before Lambda's timeout, which
 * would otherwise fail the whole batch and send every record, stored or not, back to the queue.
 */
const MARGIN_SHARE = 0.25;
const MAX_MARGIN_MS = 1_000;

/** Name of the abort reason: not one the SDK retries, so an aborted call is not tried again past the deadline. */
const DEADLINE_ABORT = "InvocationDeadline";

/** One invocation's deadline for its AWS calls: abort them when it passes. */
export interface CallDeadline {
  signal: AbortSignal;
  /** Milliseconds the calls were given. */
  budgetMs: number;
  /** Clears the timer once the invocation is done. */
  cancel(): void;
}

/** How long an invocation's calls may take: the remaining time less the margin. */
export function callBudgetMs(remainingMs: number): number {
  return Math.max(0, Math.floor(remainingMs - Math.min(MAX_MARGIN_MS, remainingMs * MARGIN_SHARE)));
}

/** The deadline for this invocation's AWS calls; undefined when the context gives no remaining time (tests). */
export function callDeadline(context: Pick<Context, "getRemainingTimeInMillis"> | undefined): CallDeadline | undefined {
  if (typeof context?.getRemainingTimeInMillis !== "function") return undefined;
  const budgetMs = callBudgetMs(context.getRemainingTimeInMillis());
  const controller = new AbortController();
  const reason = new Error(`the invocation's ${budgetMs} ms for AWS calls ran out`);
  reason.name = DEADLINE_ABORT;
  const timer = setTimeout(() => controller.abort(reason), budgetMs);
  return { signal: controller.signal, budgetMs, cancel: () => clearTimeout(timer) };
}

/**
 * The error a call cut short by the deadline is reported with. Named TimeoutError, which the failure classification
 * treats as transient: the record becomes a batch item failure and its next delivery retries it (a write that did
 * land meets the condition there, as a duplicate).
 */
export function deadlineError(what: string, budgetMs: number): Error {
  const error = new Error(`${what} did not answer within the invocation's ${budgetMs} ms for AWS calls`);
  error.name = "TimeoutError";
  return error;
}
