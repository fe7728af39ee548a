/**
 * How many batches an SQS event source mapping processes at once, as AWS documents it in "Configuring scaling behavior
 * for SQS event source mappings" (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html):
 *
 * - "When messages are available, Lambda starts processing five batches at a time with five concurrent invocations";
 *   with maximumConcurrency below five, that many.
 * - "If messages are still available, Lambda increases the number of processes that are reading batches by up to 300
 *   more instances per minute", never above maximumConcurrency: one more batch reader every 200 ms.
 * - "When traffic is low, Lambda scales back the processing to five concurrent batches"; the optimisation "to as few as
 *   2 concurrent batches" is "not available when you enable the maximum concurrency setting", which this stack sets,
 *   so the floor stays at five (or maximumConcurrency when lower).
 *
 * The page gives no cadence for scaling back. This model takes one batch reader away every 3 s once 3 s have passed
 * without messages waiting: twenty a minute, a fifteenth of the scale-out rate, so a lull of a few seconds between
 * bursts keeps the readers a burst needed, and a mapping left with nothing waiting is back at its floor within
 * 3 s x (maximumConcurrency - 5). On AWS the pollers are observed to linger longer; the report draws both the modelled
 * readers and the concurrency they allowed.
 *
 * A pure function of the observations, so it is tested directly; the event source mapping (event-source-mapping.ts)
 * feeds it and runs that many batch readers.
 */

/** AWS's numbers for one mapping, and the scale-in cadence chosen here. */
export interface ScalingPolicy {
  /** Concurrent batches when messages first become available. */
  initial: number;
  /** The fewest concurrent batches once the mapping has scaled back. */
  floor: number;
  /** maximumConcurrency. */
  maximum: number;
  /** One more reader at most this often while messages are waiting (300 per minute). */
  scaleOutIntervalMs: number;
  /** One fewer reader at most this often, once nothing has waited for as long. */
  scaleInIntervalMs: number;
}

/** Five concurrent batches to start and to fall back to, per AWS. */
const STARTING_BATCHES = 5;
/** Up to 300 more batch readers per minute. */
const SCALE_OUT_PER_MINUTE = 300;
/** Chosen here (AWS states none): see the module comment. */
const SCALE_IN_INTERVAL_MS = 3_000;

export function scalingPolicy(maximumConcurrency: number): ScalingPolicy {
  const maximum = Math.max(1, Math.floor(maximumConcurrency));
  const initial = Math.min(STARTING_BATCHES, maximum);
  return {
    initial,
    floor: initial,
    maximum,
    scaleOutIntervalMs: 60_000 / SCALE_OUT_PER_MINUTE,
    scaleInIntervalMs: SCALE_IN_INTERVAL_MS,
  };
}

export interface ScalingState {
  /** Batch readers allowed now: the most batches the mapping may process at once. */
  readers: number;
  /** When readers last changed (or the model started). */
  changedAt: number;
  /** When messages were last seen waiting for a reader; undefined before the first time. */
  waitingSeenAt: number | undefined;
}

export function startScaling(policy: ScalingPolicy, now: number): ScalingState {
  return { readers: policy.initial, changedAt: now, waitingSeenAt: undefined };
}

/**
 * The state after one observation at `now`: whether messages were waiting that no reader had taken (a receive came
 * back full and the queue still held visible messages, or every reader was busy while messages were visible).
 * Observations may come at any rate; the intervals bound how fast readers change.
 */
export function nextScaling(
  policy: ScalingPolicy,
  state: ScalingState,
  now: number,
  messagesWaiting: boolean,
): ScalingState {
  if (messagesWaiting) {
    const waitingSeenAt = now;
    if (state.readers < policy.maximum && now - state.changedAt >= policy.scaleOutIntervalMs)
      return { readers: state.readers + 1, changedAt: now, waitingSeenAt };
    return { ...state, waitingSeenAt };
  }
  const quietFor = now - (state.waitingSeenAt ?? state.changedAt);
  if (
    state.readers > policy.floor &&
    quietFor >= policy.scaleInIntervalMs &&
    now - state.changedAt >= policy.scaleInIntervalMs
  )
    return { ...state, readers: state.readers - 1, changedAt: now };
  return state;
}
