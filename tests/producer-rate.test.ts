import { suite } from "uvu";
import * as assert from "uvu/assert";
import { formatProgress } from "../producer/format";
import { plannedCount } from "../producer/produce";
import { pause, RateSchedule } from "../producer/rate";
import { LatencyRecorder, RecentRate } from "../producer/stats";

const schedule = suite("producer rate schedule and stats");

schedule("a constant rate lets out exactly rate x time, with no drift", () => {
  const s = RateSchedule.constant(200, 20_000);
  assert.is(s.dueBy(0), 0);
  assert.is(s.dueBy(4.9), 0);
  assert.is(s.dueBy(5), 1);
  assert.is(s.dueBy(1000), 200);
  assert.is(s.dueBy(19_999.9), 3999);
  assert.is(s.dueBy(20_000), 4000);
  assert.is(s.dueBy(60_000), 4000, "nothing after the end");
  assert.is(s.totalMessages, 4000);
  assert.is(s.timeOf(1), 5);
  assert.is(s.timeOf(4000), 20_000);
  assert.is(s.timeOf(4001), Infinity);
  // Over a long run the n-th message is due at exactly n / rate, float error included.
  assert.is(RateSchedule.constant(2000).dueBy(3_600_000), 7_200_000);
  assert.is(RateSchedule.constant(3).timeOf(3), 1000);
});

schedule("profile phases, including a 0/s pause in the middle and at the end", () => {
  const s = new RateSchedule([
    { ratePerSecond: 50, durationMs: 2000 },
    { ratePerSecond: 0, durationMs: 1000 },
    { ratePerSecond: 400, durationMs: 1000 },
    { ratePerSecond: 0, durationMs: 2000 },
  ]);
  assert.is(s.totalDurationMs, 6000);
  assert.is(s.totalMessages, 500);
  assert.is(s.dueBy(2000), 100);
  assert.is(s.dueBy(2999), 100, "paused");
  assert.is(s.dueBy(3500), 300);
  assert.is(s.dueBy(5999), 500);
  assert.is(s.timeOf(100), 2000);
  assert.is(s.timeOf(101), 3002.5, "the first message after the pause comes one interval into the next phase");
  assert.is(s.timeOf(501), Infinity);
  assert.is(s.rateAt(500), 50);
  assert.is(s.rateAt(2500), 0);
  assert.is(s.rateAt(3000), 400);
  assert.is(s.rateAt(7000), 0);
});

schedule("an unlimited rate makes everything due at once", () => {
  const s = RateSchedule.constant(Infinity, 1000);
  assert.is(s.dueBy(0), Infinity);
  assert.is(s.timeOf(1_000_000), 0);
});

schedule("bad phases are refused", () => {
  assert.throws(() => new RateSchedule([]), /at least one phase/);
  assert.throws(() => new RateSchedule([{ ratePerSecond: -1, durationMs: 1 }]), /0 or more/);
  assert.throws(() => new RateSchedule([{ ratePerSecond: 1, durationMs: 0 }]), /above 0 ms/);
});

schedule("plannedCount (what --dry-run prints)", () => {
  assert.is(plannedCount({ rate: 200, durationMs: 2000 }), 400);
  assert.is(plannedCount({ rate: 200, durationMs: 2000, count: 50 }), 50);
  assert.is(plannedCount({ count: 7 }), 7);
  assert.is(
    plannedCount({
      profile: [
        { ratePerSecond: 10, durationMs: 1500 },
        { ratePerSecond: 0, durationMs: 1000 },
      ],
    }),
    15,
  );
  assert.is(plannedCount({}), 10, "open-ended: the dry-run default");
});

schedule("pause returns early when the signal aborts, and never rejects", async () => {
  // Raced against a 10 s timer: a pause that ignored the signal would lose the race instead of just taking a minute.
  const within = async (pending: Promise<void>) => {
    let timer: NodeJS.Timeout | undefined;
    const winner = await Promise.race([
      pending.then(() => "pause"),
      new Promise<string>((done) => (timer = setTimeout(() => done("timer"), 10_000))),
    ]);
    clearTimeout(timer);
    return winner;
  };
  const controller = new AbortController();
  const pending = pause(60_000, controller.signal);
  controller.abort();
  assert.is(await within(pending), "pause");
  assert.is(await within(pause(60_000, controller.signal)), "pause");
});

schedule("latency recorder grows past its first buffer and summarises", () => {
  const recorder = new LatencyRecorder();
  for (let i = 2000; i >= 1; i--) recorder.record(i);
  const summary = recorder.summary();
  assert.is(summary.count, 2000);
  assert.is(summary.p50, 1000);
  assert.is(summary.p95, 1900);
  assert.is(summary.p99, 1980);
  assert.is(summary.max, 2000);
  assert.is(summary.mean, 1000.5);
  assert.equal(new LatencyRecorder().summary(), { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 });
});

schedule("recent rate looks at the last window only", () => {
  const recent = new RecentRate(3000);
  recent.update(0, 0);
  assert.is(recent.update(1000, 100), 100);
  recent.update(2000, 200);
  recent.update(3000, 300);
  recent.update(4000, 300);
  // At 5000 ms the window starts at 2000 ms: 100 messages in 3 s; the first 2 s no longer count.
  assert.is(recent.update(5000, 300), (300 - 200) / 3);
});

schedule("the progress line shows target, achieved, counts, and warns when the sender falls behind", () => {
  const progress = {
    elapsedMs: 12_345,
    targetRate: 200,
    currentRate: 199.5,
    averageRate: 198.04,
    generated: 2440,
    sent: 2430,
    retried: 3,
    failed: 1,
    inFlight: 2,
    behind: 0,
  };
  assert.is(
    formatProgress(progress),
    "  12.3 s  target 200/s  achieved 200/s (avg 198/s)  sent 2430  retried 3  failed 1  in flight 2",
  );
  assert.not.match(
    formatProgress({ ...progress, behind: 150 }),
    /behind/,
    "less than a second of backlog is normal batching",
  );
  assert.match(formatProgress({ ...progress, behind: 900 }), /behind by 900 \(raise --concurrency\?\)$/);
  assert.match(
    formatProgress({ ...progress, targetRate: Infinity, currentRate: 2500 }),
    /target max {2}achieved 2500\/s/,
  );
});

schedule.run();
