// `npm test`: type-check the whole program against the real @pulumi/aws types, check formatting and lint (Biome)
// and unused exports, files and dependencies (knip), and run every uvu suite under tests/, then end with the line
// CI reads: "N passed, N failed", where a failed check, a crashed suite and a suite past its time limit each count
// as at least one failure. `npm run test:unit` (--unit) runs the unit tier of scripts/test-suites.mjs only, without
// the checks. A positional argument is a pattern over test file names, as uvu's was: `npm test -- handlers`.
//
// Suites run in a pool of test processes (scripts/test-worker.mjs), longest first by the times the last run wrote
// to .build/test-times.json. Suites that call the same memoized setup run in one process, so it is paid once there;
// the checks take a place in the same pool. Each suite's output is printed whole when it finishes.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, setPriority } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  DEFAULT_SECONDS,
  INTEGRATION_SUITES,
  NOT_IN_UNIT,
  REAL_TIME_SUITES,
  SHARED_SETUPS,
  UNIT_SUITES,
} from "./test-suites.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TESTS = "tests";
const TIMES_FILE = join(ROOT, ".build", "test-times.json");
// Generous, several times the longest suite on two busy cores: a hang fails its suite instead of stalling CI.
const SUITE_TIMEOUT_MS = Number(process.env.TEST_SUITE_TIMEOUT_SECONDS ?? 600) * 1000;
// A suite with neither a recorded nor a default time (scripts/test-suites.mjs) is assumed to take this long.
const UNKNOWN_MS = 1_000;

async function main() {
  const started = performance.now();
  const options = readOptions();
  const tierProblems = checkTiers();
  for (const problem of tierProblems) console.log(`suite lists: ${problem}`);
  const suites = selectSuites(options);
  if (!options.unit && suites.includes("dashboard-browser.test.ts")) await ensureChromium();

  const times = readTimes();
  const jobs = [...(options.unit ? [] : checkJobs(times)), ...suiteJobs(suites, times)];
  jobs.sort((a, b) => b.estimateMs - a.estimateMs);
  console.log(
    `${suites.length} suites and ${jobs.filter((j) => j.kind === "check").length} checks in ${options.jobs} ` +
      `processes, longest first (${times.measured ? "times from the last run" : "default times"})`,
  );

  const results = await runPool(jobs, options.jobs, started);
  const wallMs = performance.now() - started;
  let reportFailed = 0;
  try {
    writeTimes(times, results, wallMs, options.jobs);
    printSummary(results, wallMs);
  } catch (error) {
    // The suites' own counts still stand; a broken summary is one more failure.
    console.error(error);
    reportFailed = 1;
  }

  const suiteResults = results.filter((r) => r.kind === "suite");
  const passed = suiteResults.reduce((n, r) => n + r.passed, 0);
  const failed =
    suiteResults.reduce((n, r) => n + r.failed, 0) +
    results.filter((r) => r.kind === "check" && !r.ok).length +
    (tierProblems.length > 0 ? 1 : 0) +
    (suites.length === 0 ? 1 : 0) +
    reportFailed;
  if (suites.length === 0) console.log(`no test file matches ${options.pattern}`);
  // Repeated at the end, where a reader of a long log looks first.
  for (const problem of tierProblems) console.log(`suite lists: ${problem}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

function readOptions() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { unit: { type: "boolean", default: false }, jobs: { type: "string" } },
  });
  const jobs = Number(values.jobs ?? process.env.TEST_JOBS ?? defaultJobs(values.unit));
  if (!Number.isInteger(jobs) || jobs < 1) throw new TypeError(`--jobs must be a whole number above 0, got ${jobs}`);
  return { unit: values.unit, jobs, pattern: positionals[0] ?? "\\.test\\.ts$" };
}

/**
 * One process per core for the unit tier, which only computes. One more for the whole suite, whose suites wait on
 * emulators, visibility timeouts and child processes for much of their time (the longest mostly waits on the faults
 * stack's visibility timeout).
 */
function defaultJobs(unit) {
  return availableParallelism() + (unit ? 0 : 1);
}

function testFiles() {
  return readdirSync(join(ROOT, TESTS))
    .filter((name) => name.endsWith(".test.ts"))
    .sort();
}

/** Every test file in exactly one tier list, and every listed file present. */
function checkTiers() {
  const problems = [];
  const files = new Set(testFiles());
  const listed = [...UNIT_SUITES, ...INTEGRATION_SUITES];
  for (const name of files) {
    const count = listed.filter((l) => l === name).length;
    if (count === 0) problems.push(`${TESTS}/${name} is in no tier: add it to UNIT_SUITES or INTEGRATION_SUITES`);
    if (count > 1) problems.push(`${TESTS}/${name} is listed ${count} times`);
  }
  for (const name of new Set([...listed, ...REAL_TIME_SUITES]))
    if (!files.has(name)) problems.push(`${name} is listed in scripts/test-suites.mjs but not in ${TESTS}/`);
  for (const name of UNIT_SUITES.filter((n) => files.has(n))) {
    const starts = NOT_IN_UNIT.exec(readFileSync(join(ROOT, TESTS, name), "utf8"));
    if (starts) problems.push(`${TESTS}/${name} uses ${starts[0]}: move it to INTEGRATION_SUITES`);
  }
  for (const name of INTEGRATION_SUITES.filter((n) => files.has(n)))
    if (!NOT_IN_UNIT.test(readFileSync(join(ROOT, TESTS, name), "utf8")))
      console.log(`note: ${TESTS}/${name} uses nothing the unit tier leaves out: could it be in UNIT_SUITES?`);
  return problems;
}

function selectSuites({ unit, pattern }) {
  const matches = new RegExp(pattern);
  const unitSuites = new Set(UNIT_SUITES);
  return testFiles().filter((name) => matches.test(name) && (!unit || unitSuites.has(name)));
}

// --- the checks ----------------------------------------------------------------------------------------------------

function checkJobs(times) {
  return [
    { name: "typecheck", command: ["tsc", "--noEmit"] },
    { name: "format and lint (biome ci)", command: ["biome", "ci", "--colors=off", "."] },
    { name: "unused code (knip)", command: ["knip"] },
  ].map((check) => ({
    kind: "check",
    ...check,
    estimateMs: times.checks[check.name] ?? defaultMs(check.name),
  }));
}

// --- suites and the groups that share a process ----------------------------------------------------------------------

/** One job per group of suites sharing a setup (run in one process), one per other suite. */
function suiteJobs(suites, times) {
  const groups = new Map();
  const jobs = [];
  for (const name of suites) {
    const source = readFileSync(join(ROOT, TESTS, name), "utf8");
    const setup = SHARED_SETUPS.find((s) => s.uses.test(source));
    const estimateMs = times.suites[name] ?? defaultMs(name);
    if (!setup) {
      jobs.push({ kind: "suites", name, suites: [name], estimateMs });
      continue;
    }
    if (!groups.has(setup.name)) {
      const group = { kind: "suites", name: `sharing the ${setup.name}`, suites: [], estimateMs: 0 };
      groups.set(setup.name, group);
      jobs.push(group);
    }
    const group = groups.get(setup.name);
    group.suites.push(name);
    group.estimateMs += estimateMs;
  }
  if (suites.length === testFiles().length)
    for (const setup of SHARED_SETUPS.filter((s) => !groups.has(s.name)))
      console.log(
        `note: no suite uses ${setup.uses} (the ${setup.name}): update SHARED_SETUPS in scripts/test-suites.mjs`,
      );
  return jobs;
}

// --- the pool --------------------------------------------------------------------------------------------------------

/** Runs the jobs on `size` places, each taking the next job (longest first) when it is free; returns every result. */
async function runPool(jobs, size, started) {
  const queue = [...jobs];
  const results = [];
  const places = Array.from({ length: Math.min(size, jobs.length) }, async (_, index) => {
    const place = index + 1;
    // One test process per priority this place has needed (see REAL_TIME_SUITES), each kept for the next suite.
    const workers = new Map();
    const record = (result, startMs) => {
      results.push({ ...result, place, startMs: Math.round(startMs - started) });
      (result.kind === "check" ? printCheck : printSuite)(result);
    };
    try {
      for (let job = queue.shift(); job; job = queue.shift()) {
        if (job.kind === "check") {
          const startMs = performance.now();
          record(await runCheck(job), startMs);
          continue;
        }
        const niceness = job.suites.some((suite) => REAL_TIME_SUITES.includes(suite)) ? 0 : UNHURRIED_NICENESS;
        for (const suite of job.suites) {
          if (!workers.get(niceness)?.alive) workers.set(niceness, new Worker(place, niceness));
          const startMs = performance.now();
          record(await workers.get(niceness).run(suite), startMs);
        }
      }
    } finally {
      await Promise.all([...workers.values()].map((worker) => worker.close()));
    }
  });
  // Every place finishes before a runner error is raised, so the totals line stays the last line.
  const failedPlace = (await Promise.allSettled(places)).find((p) => p.status === "rejected");
  if (failedPlace) throw failedPlace.reason;
  return results;
}

const CHILD_ENV = {
  ...withoutForceColor(process.env),
  NO_COLOR: "1",
  NODE_DISABLE_COLORS: "1",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

// Plain output; Node warns when FORCE_COLOR and NO_COLOR are both set.
function withoutForceColor(env) {
  const { FORCE_COLOR, ...rest } = env;
  return rest;
}

/** Every process this run started and has not seen exit, for a stop (Ctrl-C) to end. */
const running = new Set();

// Not detached: a test process in a session of its own would see another process tree than under a terminal.
function startProcess(command, args, stdio, env = CHILD_ENV) {
  const child = spawn(command, args, { cwd: ROOT, env, stdio });
  running.add(child);
  child.on("exit", () => running.delete(child));
  // A failed spawn emits 'error' and 'close' (a negative code), never 'exit': the Worker listens for it too.
  child.on("error", (error) => {
    running.delete(child);
    console.error(`could not start ${command}: ${error.message}`);
  });
  return child;
}

/** Kills a process and every process below it (read from /proc where there is one), e.g. a suite past its limit. */
function killTree(child) {
  for (const pid of [child.pid, ...descendantsOf(child.pid)]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function descendantsOf(root) {
  const children = new Map();
  let entries = [];
  try {
    entries = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return []; // no /proc: only the process itself is stopped
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // The fields after the command name, which sits in parentheses and may hold spaces; the second is the parent.
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(pid)]);
    } catch {
      // exited while we looked
    }
  }
  const found = [];
  for (let queue = [root]; queue.length > 0; ) {
    const next = children.get(queue.shift()) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, () => {
    for (const child of running) killTree(child);
    process.exit(130);
  });

// Niceness (CPU priority, higher yields more) of the checks, which only need CPU, and of the test processes that run
// suites other than REAL_TIME_SUITES: those count on being scheduled in time and run at the usual priority.
const CHECK_NICENESS = 10;
const UNHURRIED_NICENESS = 5;

function lowerPriority(child, niceness) {
  if (niceness === 0) return;
  try {
    setPriority(child.pid, niceness);
  } catch {
    // not allowed here: it runs at the usual priority
  }
}

/** A whole-repository check, its output kept for printing when it is done. */
function runCheck(job) {
  return new Promise((resolve) => {
    const started = performance.now();
    const [command, ...args] = job.command;
    const child = startProcess(join(ROOT, "node_modules", ".bin", command), args, ["ignore", "pipe", "pipe"]);
    lowerPriority(child, CHECK_NICENESS);
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n${job.name} ran longer than ${SUITE_TIMEOUT_MS / 1000} s and was stopped\n`;
      killTree(child);
    }, SUITE_TIMEOUT_MS);
    child.on("error", (error) => (output += `\n${error.message}\n`));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ kind: "check", name: job.name, ok: code === 0, ms: performance.now() - started, output });
    });
  });
}

/**
 * A test process (scripts/test-worker.mjs) that runs one suite after another. If it dies or a suite overruns its
 * time limit, the suite fails with what it printed so far and the next suite gets a new process.
 */
class Worker {
  constructor(number, niceness) {
    this.number = number;
    this.token = `@@test-worker-${randomBytes(8).toString("hex")}@@`;
    // stdout and stderr on one pipe, so a suite's output keeps its order.
    this.child = startProcess(
      "sh",
      [
        "-c",
        'exec "$0" "$@" 2>&1',
        process.execPath,
        "--require",
        "tsx/cjs",
        fileURLToPath(import.meta.url),
        "--worker",
      ],
      ["pipe", "pipe", "ignore"],
      { ...CHILD_ENV, TEST_WORKER_TOKEN: this.token },
    );
    lowerPriority(this.child, niceness);
    this.alive = true;
    this.text = "";
    this.current = undefined;
    this.child.stdin.on("error", () => undefined); // a write after it died: the exit below reports it
    const stdoutEnded = new Promise((resolve) => this.child.stdout.on("end", resolve));
    this.child.stdout.setEncoding("utf8").on("data", (chunk) => this.receive(chunk));
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => resolve({ code, signal }));
      this.child.on("error", (error) => resolve({ code: error.code, signal: null }));
    });
    this.exited.then(async ({ code, signal }) => {
      this.alive = false;
      // What it wrote last may still be in the pipe; a process it started may hold the pipe open, so not for long.
      await Promise.race([stdoutEnded, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      this.exitNote = `the test process exited (${signal ?? `code ${code}`}) before the suite ended`;
      this.finish({ failed: 1, notes: [this.exitNote] });
    });
  }

  run(suite) {
    return new Promise((resolve) => {
      this.current = { suite, resolve, output: "", started: performance.now() };
      if (this.exitNote) return this.finish({ failed: 1, notes: [this.exitNote] });
      this.current.timer = setTimeout(() => {
        this.finish({
          failed: 1,
          notes: [`timed out after ${SUITE_TIMEOUT_MS / 1000} s: its test process was stopped`],
        });
        this.alive = false;
        killTree(this.child);
      }, SUITE_TIMEOUT_MS);
      this.child.stdin.write(`${TESTS}/${suite}\n`);
    });
  }

  /** Splits the stream into the current suite's output and the worker's begin and end lines. */
  receive(chunk) {
    this.text += chunk;
    for (;;) {
      const at = this.text.indexOf(this.token);
      if (at < 0) {
        // Keep a tail that could be the start of a token cut across chunks.
        const keep = Math.max(0, this.text.length - this.token.length);
        this.append(this.text.slice(0, keep));
        this.text = this.text.slice(keep);
        return;
      }
      const end = this.text.indexOf("\n", at);
      if (end < 0) return;
      this.append(this.text.slice(0, at).replace(/\n$/, ""));
      const message = JSON.parse(this.text.slice(at + this.token.length, end));
      this.text = this.text.slice(end + 1);
      if (message.end) this.finish({ ...message, measured: true });
    }
  }

  append(text) {
    if (this.current) this.current.output += text;
  }

  finish(counts) {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    clearTimeout(current.timer);
    current.output += this.text;
    this.text = "";
    current.resolve({
      kind: "suite",
      name: current.suite,
      worker: this.number,
      ms: counts.measured ? counts.ms : performance.now() - current.started,
      cpuMs: counts.cpuMs,
      total: counts.total ?? 0,
      passed: counts.passed ?? 0,
      skipped: counts.skipped ?? 0,
      failed: counts.failed ?? 1,
      notes: counts.notes ?? [],
      output: current.output,
    });
  }

  /** Closes stdin, which ends the worker; one that does not leave within a few seconds is stopped. */
  async close() {
    if (!this.alive) return;
    this.child.stdin.end();
    const timer = setTimeout(() => killTree(this.child), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

// --- output ----------------------------------------------------------------------------------------------------------

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function printCheck(result) {
  const output = result.output.trim();
  if (output) console.log(output);
  console.log(`${result.name}: ${result.ok ? "ok" : "FAILED"} in ${seconds(result.ms)}\n`);
}

function printSuite(result) {
  const verdict =
    result.failed > 0 ? `FAILED (${result.failed} failed, ${result.passed} passed)` : `${result.passed} passed`;
  console.log(`${TESTS}/${result.name}: ${verdict} in ${seconds(result.ms)} [process ${result.worker}]`);
  const output = result.output.replace(/^\n+/, "").trimEnd();
  if (output) console.log(output);
  for (const note of result.notes) console.log(`  ${note}`);
  console.log("");
}

function printSummary(results, wallMs) {
  const suites = results.filter((r) => r.kind === "suite").sort((a, b) => b.ms - a.ms);
  const width = Math.max(0, ...suites.map((r) => r.name.length));
  console.log("suites by wall time, with the CPU time they used (their test process and the processes they started):");
  const quick = suites.filter((r) => r.ms < 100 && r.failed === 0);
  for (const r of suites.filter((x) => !quick.includes(x))) {
    const cpu = r.cpuMs === undefined ? "" : seconds(r.cpuMs);
    const line = `  ${seconds(r.ms).padStart(8)}  ${cpu.padStart(8)}  ${r.name.padEnd(width)}  ${r.failed > 0 ? "FAILED" : ""}`;
    console.log(line.trimEnd());
  }
  if (quick.length > 0) console.log(`  and ${quick.length} suites under 0.1 s`);
  for (const r of results.filter((x) => x.kind === "check"))
    console.log(`  ${seconds(r.ms).padStart(8)}  ${"".padStart(8)}  ${r.name}  ${r.ok ? "" : "FAILED"}`.trimEnd());
  const failed = suites.filter((r) => r.failed > 0).map((r) => r.name);
  const failedChecks = results.filter((r) => r.kind === "check" && !r.ok).map((r) => r.name);
  if (failed.length + failedChecks.length > 0) console.log(`failed: ${[...failedChecks, ...failed].join(", ")}`);
  console.log(`wall time ${seconds(wallMs)}; per-suite times in ${TIMES_FILE.slice(ROOT.length + 1)}`);
}

// --- recorded times --------------------------------------------------------------------------------------------------

/** The last run's times by suite and check name; empty (so the defaults apply) when there is no readable file. */
function readTimes() {
  try {
    const recorded = JSON.parse(readFileSync(TIMES_FILE, "utf8"));
    const suites = Object.fromEntries(recorded.suites.map((s) => [s.name, s.ms]));
    const checks = Object.fromEntries(recorded.checks.map((c) => [c.name, c.ms]));
    return { measured: true, suites, checks };
  } catch {
    return { measured: false, suites: {}, checks: {} };
  }
}

function defaultMs(name) {
  return name in DEFAULT_SECONDS ? DEFAULT_SECONDS[name] * 1000 : UNKNOWN_MS;
}

/**
 * Each suite's and check's latest time, with when it started (ms after the run began) and in which process; suites
 * this run did not select keep the time they had, deleted ones are dropped.
 */
function writeTimes(times, results, wallMs, jobs) {
  const files = new Set(testFiles());
  const kept = Object.entries(times.suites).filter(([name]) => files.has(name));
  const suites = Object.fromEntries(kept.map(([name, ms]) => [name, { ms }]));
  const checks = Object.fromEntries(Object.entries(times.checks).map(([n, ms]) => [n, { ms }]));
  for (const r of results) {
    const entry = { ms: Math.round(r.ms), cpuMs: r.cpuMs, startMs: r.startMs, process: r.place };
    if (r.failed > 0 || r.ok === false) entry.failed = true;
    (r.kind === "suite" ? suites : checks)[r.name] = entry;
  }
  const list = (entries) =>
    Object.entries(entries)
      .map(([name, entry]) => ({ name, ...entry }))
      .sort((a, b) => b.ms - a.ms);
  mkdirSync(dirname(TIMES_FILE), { recursive: true });
  const record = { wallMs: Math.round(wallMs), jobs, suites: list(suites), checks: list(checks) };
  writeFileSync(TIMES_FILE, `${JSON.stringify(record, null, 2)}\n`);
}

// --- Chromium --------------------------------------------------------------------------------------------------------

// The dashboard's browser test drives Debian's Chromium; a fresh machine of ours lacks it, and only Debian's
// packages are reachable (no browser downloads), so install it the same way CI does when we may.
async function ensureChromium() {
  const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (existsSync(chromium)) return;
  if (process.getuid?.() !== 0) {
    console.error(
      `${chromium} is missing: install Debian's chromium package (or set CHROMIUM_PATH); the dashboard browser test needs it`,
    );
    return;
  }
  await new Promise((resolve) => {
    const child = spawn("bash", [".ci/install-chromium.sh"], { cwd: ROOT, stdio: "inherit" });
    child.on("error", (error) => console.error(`could not install chromium: ${error.message}`));
    child.on("close", resolve);
  });
}

// Last, once every declaration above is initialized.
if (process.argv[2] === "--worker") {
  const { runWorker } = await import("./test-worker.mjs");
  await runWorker();
} else {
  // Whatever goes wrong in the runner itself still ends in the totals line CI reads.
  process.exitCode = await main().catch((error) => {
    console.error(error);
    console.log("0 passed, 1 failed");
    return 1;
  });
}
