import type { RatePhase } from "../contracts";

/**
 * When each message of a run is due, as an absolute schedule from the run's start.
 *
 * Why a schedule rather than sleeping between batches: sleeps accumulate timer lateness and the time
 * spent sending, so a loop that "sleeps 50 ms per batch of 10" drifts below 200/s. Here message n is due
 * at a fixed offset; a sender that falls behind (a slow call, a busy event loop) catches up on the next
 * tick, so the count over any finished phase is exact. Rate Infinity means "everything is due now".
 */
export class RateSchedule {
  readonly phases: readonly RatePhase[];
  /** Milliseconds until the schedule ends; Infinity for an open-ended rate. */
  readonly totalDurationMs: number;
  /** Messages the whole schedule lets out; Infinity when it never ends or the rate is unlimited. */
  readonly totalMessages: number;
  /** Per phase: start offset and the cumulative message count at its start. */
  private readonly starts: { atMs: number; messagesBefore: number }[];

  constructor(phases: readonly RatePhase[]) {
    if (phases.length === 0) throw new RangeError("a rate schedule needs at least one phase");
    for (const phase of phases) {
      if (!(phase.ratePerSecond >= 0)) throw new RangeError(`phase rate must be 0 or more, got ${phase.ratePerSecond}`);
      if (!(phase.durationMs > 0)) throw new RangeError(`phase duration must be above 0 ms, got ${phase.durationMs}`);
    }
    this.phases = phases;
    this.starts = [];
    let atMs = 0;
    let messagesBefore = 0;
    for (const phase of phases) {
      this.starts.push({ atMs, messagesBefore });
      atMs += phase.durationMs;
      messagesBefore += phase.ratePerSecond === 0 ? 0 : (phase.ratePerSecond * phase.durationMs) / 1000;
    }
    this.totalDurationMs = atMs;
    this.totalMessages = messagesBefore;
  }

  /** A constant rate, for `durationMs` or forever. */
  static constant(ratePerSecond: number, durationMs = Infinity): RateSchedule {
    return new RateSchedule([{ ratePerSecond, durationMs }]);
  }

  /** How many messages are due by `elapsedMs` (whole messages, capped at the schedule's total). */
  dueBy(elapsedMs: number): number {
    if (elapsedMs < 0) return 0;
    const index = this.phaseIndexAt(elapsedMs);
    if (index === -1) return Math.floor(this.totalMessages + 1e-9);
    const phase = this.phases[index]!;
    const start = this.starts[index]!;
    if (phase.ratePerSecond === Infinity) return Infinity;
    // The epsilon absorbs float error so that 200/s * 5 ms is exactly one message, not 0.9999999.
    return Math.floor(start.messagesBefore + (phase.ratePerSecond * (elapsedMs - start.atMs)) / 1000 + 1e-9);
  }

  /** Elapsed ms at which the n-th message (1-based) is due; Infinity if the schedule never lets it out. */
  timeOf(n: number): number {
    if (n <= 0) return 0;
    for (let i = 0; i < this.phases.length; i++) {
      const phase = this.phases[i]!;
      const start = this.starts[i]!;
      if (phase.ratePerSecond === 0) continue;
      if (phase.ratePerSecond === Infinity) return start.atMs;
      const end = start.messagesBefore + (phase.ratePerSecond * phase.durationMs) / 1000;
      if (n <= end + 1e-9) {
        return Math.max(start.atMs, start.atMs + ((n - start.messagesBefore) * 1000) / phase.ratePerSecond);
      }
    }
    return Infinity;
  }

  /** The target rate at `elapsedMs` (0 after the schedule ends). */
  rateAt(elapsedMs: number): number {
    const index = this.phaseIndexAt(elapsedMs);
    return index === -1 ? 0 : this.phases[index]!.ratePerSecond;
  }

  private phaseIndexAt(elapsedMs: number): number {
    for (let i = 0; i < this.phases.length; i++) {
      const start = this.starts[i]!.atMs;
      if (elapsedMs >= start && elapsedMs < start + this.phases[i]!.durationMs) return i;
    }
    return -1;
  }
}

/** Resolves after `ms`, or at once (without rejecting) when the signal aborts, so a pause never delays Ctrl-C. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.min(ms, 2 ** 31 - 1));
    signal?.addEventListener("abort", done, { once: true });
  });
}
