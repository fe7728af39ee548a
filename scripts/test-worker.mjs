// One test process of `npm test`: it runs the uvu suites (test files) scripts/test.mjs hands it, one at a time, in
// this process, so suites given to the same process share what they memoize (tests/support/pulumi.ts and
// tests/support/language-host.ts), as they did when uvu ran every file in one process.
//
// Started as `node --require tsx/cjs scripts/test.mjs --worker` with stdout and stderr on one pipe. It reads one
// suite path per line on stdin and answers on stdout with a begin line, the suite's own output (uvu's dots and
// failures, whatever the tests print) and an end line holding the counts; both lines start with the token the
// parent passed in TEST_WORKER_TOKEN, so no test output can be mistaken for them. The counts come from uvu's
// runners themselves, not from its printed totals. The process exits when stdin closes.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url);

/** Writes through the stream's own write, as it was when the worker started (a test may wrap it and forget to restore). */
const writeOut = process.stdout.write.bind(process.stdout);

function announce(token, message) {
  writeOut(`\n${token}${JSON.stringify(message)}\n`);
}

/**
 * Loads one test file and runs the suites it queued with `.run()`, the way uvu's own exec does, returning the counts.
 * uvu's runner swallows an error thrown by a before or after hook (it returns from a finally block), so a test that
 * did not pass is counted from the numbers (total minus passed), never from the printed errors alone.
 */
async function runSuite(file) {
  // uvu reads these globals at call time: each file gets a fresh queue, so counts are per file.
  globalThis.UVU_QUEUE = [[null]];
  globalThis.UVU_INDEX = 0;
  require(resolve(file));
  const runners = globalThis.UVU_QUEUE[0].slice(1);
  const counts = { total: 0, passed: 0, skipped: 0, failed: 0, notes: [] };
  if (runners.length === 0) {
    counts.failed = 1;
    counts.notes.push("the file queued no suite: it never calls test.run() or suite.run()");
  }
  for (const run of runners) {
    const [errors, passed, skipped, total] = await run();
    counts.total += total;
    counts.passed += passed;
    counts.skipped += skipped;
    const failed = total - passed;
    if (typeof errors === "string") {
      writeOut(`\n${errors}\n`);
      counts.failed += Math.max(failed, 1);
    } else if (failed > 0) {
      counts.failed += failed;
      counts.notes.push(
        `${failed} of ${total} tests did not pass and uvu printed no error: a before or after hook threw`,
      );
    }
  }
  return counts;
}

/**
 * CPU milliseconds used so far by this process (its threads included) and, where /proc tells, by the processes it
 * started that have ended: a suite whose wall time is far above its CPU time was mostly waiting.
 */
function cpuMs() {
  const { user, system } = process.cpuUsage();
  let children = 0;
  try {
    // cutime and cstime, in clock ticks (USER_HZ, 100 on Linux), after the command name in parentheses.
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
    children = (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    // no /proc: this process only
  }
  return (user + system) / 1000 + children;
}

export async function runWorker() {
  const token = process.env.TEST_WORKER_TOKEN;
  if (!token) throw new Error("TEST_WORKER_TOKEN is not set: scripts/test.mjs starts this worker");
  // uvu decides when it is first loaded whether to run suites by itself (a file started alone) or leave that to a
  // runner (its CLI sets this): here the worker runs them.
  globalThis.UVU_DEFER = 1;
  require("uvu");
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const file = line.trim();
    if (!file) continue;
    announce(token, { begin: file });
    const started = performance.now();
    const cpu = cpuMs();
    let counts;
    try {
      counts = await runSuite(file);
    } catch (error) {
      // Loading the file threw (a syntax error, a failing import, a throw at top level).
      writeOut(`\n${error?.stack ?? String(error)}\n`);
      counts = { total: 0, passed: 0, skipped: 0, failed: 1, notes: ["the file threw while loading"] };
    }
    const used = cpuMs() - cpu;
    announce(token, { end: file, ms: Math.round(performance.now() - started), cpuMs: Math.round(used), ...counts });
  }
  // Every suite reported: leave now, whatever handles a test left open (the parent has everything it needs).
  process.exit(0);
}
