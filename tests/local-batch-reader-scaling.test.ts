// The event source mapping's scaling model (local/batch-reader-scaling.ts) as a pure function: where it starts, how
// fast it steps out, where it stops, and how it scales back in.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { nextScaling, type ScalingState, scalingPolicy, startScaling } from "../local/batch-reader-scaling";

/** Feeds one observation every `everyMs` from `from` to `to` (inclusive) and returns the last state. */
function feed(
  policy: ReturnType<typeof scalingPolicy>,
  state: ScalingState,
  from: number,
  to: number,
  everyMs: number,
  waiting: boolean,
): ScalingState {
  let s = state;
  for (let t = from; t <= to; t += everyMs) s = nextScaling(policy, s, t, waiting);
  return s;
}

test("starts with five concurrent batches, or maximumConcurrency when that is lower", () => {
  assert.is(startScaling(scalingPolicy(10), 0).readers, 5);
  assert.is(startScaling(scalingPolicy(1000), 0).readers, 5);
  assert.is(startScaling(scalingPolicy(2), 0).readers, 2);
  const policy = scalingPolicy(10);
  assert.is(policy.floor, 5);
  assert.is(policy.maximum, 10);
  assert.is(policy.scaleOutIntervalMs, 200, "300 more per minute");
});

test("while messages wait it adds one reader per 200 ms however often it is asked, up to 300 a minute", () => {
  const policy = scalingPolicy(1000);
  let s = startScaling(policy, 0);
  s = nextScaling(policy, s, 199, true);
  assert.is(s.readers, 5, "not before 200 ms");
  s = nextScaling(policy, s, 200, true);
  assert.is(s.readers, 6);
  s = feed(policy, s, 201, 399, 1, true);
  assert.is(s.readers, 6, "observations every millisecond still add one per 200 ms");
  s = feed(policy, startScaling(policy, 0), 0, 60_000, 10, true);
  assert.is(s.readers, 5 + 300);
});

test("it never goes above maximumConcurrency", () => {
  const policy = scalingPolicy(10);
  const s = feed(policy, startScaling(policy, 0), 0, 10_000, 50, true);
  assert.is(s.readers, 10);
  const two = scalingPolicy(2);
  assert.is(feed(two, startScaling(two, 0), 0, 10_000, 50, true).readers, 2);
});

test("once nothing waits it scales in one reader every 3 s, down to the floor of five", () => {
  const policy = scalingPolicy(10);
  let s = feed(policy, startScaling(policy, 0), 0, 1_000, 100, true);
  assert.is(s.readers, 10);
  const quietFrom = 1_000;
  s = feed(policy, s, quietFrom + 100, quietFrom + 2_900, 100, false);
  assert.is(s.readers, 10, "a lull under 3 s keeps every reader");
  s = nextScaling(policy, s, quietFrom + 3_000, false);
  assert.is(s.readers, 9);
  s = feed(policy, s, quietFrom + 3_100, quietFrom + 5_900, 100, false);
  assert.is(s.readers, 9, "one at a time, 3 s apart");
  s = feed(policy, s, quietFrom + 6_000, quietFrom + 60_000, 100, false);
  assert.is(s.readers, 5, "never below the floor");
});

test("messages waiting again during scale-in stop it and start the wait for quiet over", () => {
  const policy = scalingPolicy(10);
  let s = feed(policy, startScaling(policy, 0), 0, 1_000, 100, true);
  s = feed(policy, s, 1_100, 4_000, 100, false);
  assert.is(s.readers, 9);
  s = nextScaling(policy, s, 4_500, true);
  assert.is(s.readers, 10, "scaled out again: 500 ms since the last change");
  s = feed(policy, s, 4_600, 7_400, 100, false);
  assert.is(s.readers, 10, "quiet for less than 3 s since messages last waited");
  s = nextScaling(policy, s, 7_500, false);
  assert.is(s.readers, 9);
});

test("a mapping that never saw messages waiting stays at its initial readers", () => {
  const policy = scalingPolicy(10);
  assert.is(feed(policy, startScaling(policy, 0), 0, 120_000, 1_000, false).readers, 5);
});

test.run();
