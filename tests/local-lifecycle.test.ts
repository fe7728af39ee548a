// How `npm run local -- up` stops: real processes, real signals. A stop always removes the state file and closes the
// emulators, however many signals arrive; a kill -9 of npm takes the cloud down with it; --persist brings the
// dead-letter queue back after a SIGKILL; the messages held are counted on the way out.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { GetQueueAttributesCommand, SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type EmbeddedCloudState, isAlive, PROJECT_ROOT } from "../contracts";
import { launcherChain, stopPlan } from "../local/stop-control";
import { localSqsClient, receiveDistinct } from "./support/local-sqs";

const ROOT = resolve(__dirname, "..");
const LOCAL_ROOT = join(ROOT, ".local", `test-lifecycle-${process.pid}`);
const STATE = join(LOCAL_ROOT, "state.json");
const started = new Set<ChildProcess>();

interface Up {
  npm: ChildProcess;
  state: EmbeddedCloudState;
  output: { stdout: string; stderr: string };
  closed: Promise<number | null>;
}

function readState(): EmbeddedCloudState | undefined {
  try {
    return JSON.parse(readFileSync(STATE, "utf8")) as EmbeddedCloudState;
  } catch {
    return undefined;
  }
}

/** Polls until `ready` holds; a generous deadline turns a hang into a failure, not a timing assertion. */
async function until<T>(what: string, ready: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const value = await ready();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** `npm run local -- up` in a process group of its own (so group signals reach npm, sh, tsx and the cloud only). */
async function startUp(...flags: string[]): Promise<Up> {
  const env: NodeJS.ProcessEnv = { ...process.env, VEHICLE_PIPELINE_LOCAL_ROOT: LOCAL_ROOT };
  for (const name of Object.keys(env)) if (name.startsWith("AWS_")) delete env[name];
  delete env.FORCE_COLOR;
  const npm = spawn("npm", ["run", "local", "--", "up", ...flags], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.add(npm);
  const output = { stdout: "", stderr: "" };
  npm.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output.stdout += chunk));
  npm.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output.stderr += chunk));
  const closed = new Promise<number | null>((done) => npm.on("close", (code) => done(code)));
  const state = await until("the cloud's state file", () => {
    const state = readState();
    const ready = state?.outputs.dlqUrl && isAlive(state.pid) && output.stdout.includes("embedded cloud up");
    return ready ? state : undefined;
  });
  return { npm, state, output, closed };
}

/** A signal to the whole group, as a terminal's Ctrl-C sends it; the group may already have gone. */
function signalGroup(up: Up, signal: NodeJS.Signals): void {
  try {
    process.kill(-up.npm.pid!, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Resolves once the cloud process is gone and its state file with it. */
async function cloudGone(state: EmbeddedCloudState): Promise<void> {
  await until("the cloud to stop", () => !isAlive(state.pid) && !existsSync(STATE));
}

function sqsOf(state: EmbeddedCloudState): SQSClient {
  return localSqsClient(state.endpoints.sqs);
}

async function depth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const answer = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(answer.Attributes?.ApproximateNumberOfMessages) +
    Number(answer.Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

/** Sends n malformed messages to the vehicle queue: the consumer dead-letters each at once. */
async function deadLetter(sqs: SQSClient, state: EmbeddedCloudState, n: number): Promise<void> {
  for (let sent = 0; sent < n; sent += 10)
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: state.outputs.queueUrl!,
        Entries: Array.from({ length: Math.min(10, n - sent) }, (_, i) => ({
          Id: String(i),
          MessageBody: `not json ${sent + i}`,
        })),
      }),
    );
  await until("the DLQ to fill", async () => (await depth(sqs, state.outputs.dlqUrl!)) === n);
}

test.before(() => rmSync(LOCAL_ROOT, { recursive: true, force: true }));
test.after(() => {
  for (const npm of started)
    try {
      process.kill(-npm.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  rmSync(LOCAL_ROOT, { recursive: true, force: true, maxRetries: 5 });
});

test("stopPlan: --persist keeps, no terminal stops and counts the loss, a terminal drains first", () => {
  const held = { queued: 7, inFlight: 3, elsewhere: 2 };
  const journal = ".local/sqs/journal.jsonl";
  assert.equal(stopPlan({ queued: 0, inFlight: 0, elsewhere: 0 }, { persist: false, interactive: true, journal }), {
    action: "stop",
    message: "stopping: no messages queued",
  });
  const kept = stopPlan(held, { persist: true, interactive: true, journal });
  assert.is(kept.action, "stop");
  assert.match(kept.message, /10 messages queued or in flight \(3 in flight\) and 2 in the dead-letter queue kept in/);
  const lost = stopPlan(held, { persist: false, interactive: false, journal });
  assert.is(lost.action, "stop");
  assert.match(lost.message, /will be lost/);
  assert.is(stopPlan(held, { persist: false, interactive: true, journal }).action, "drain");
  assert.is(
    stopPlan({ queued: 0, inFlight: 0, elsewhere: 4 }, { persist: false, interactive: true, journal }).action,
    "stop",
  );
});

test("launcherChain follows parents up to the session leader", () => {
  const stats: Record<number, string> = {
    50: "50 (node (tsx)) S 40 30 30 0",
    40: "40 (sh) S 30 30 30 0",
    30: "30 (npm run) S 20 30 30 0",
  };
  const read = (pid: number) => {
    const stat = stats[pid];
    if (!stat) throw new Error("ENOENT");
    return stat;
  };
  assert.equal(launcherChain(50, read), [40, 30]);
  assert.equal(launcherChain(99, read), []);
  if (existsSync("/proc/self/stat")) assert.ok(launcherChain().includes(process.ppid));
});

test("Ctrl-C delivered twice within milliseconds to npm's process group still removes the state file", async () => {
  for (let attempt = 0; attempt < 2; attempt++) {
    const up = await startUp();
    // Back to back, so the second arrives while the first is being handled (never after the process is gone).
    signalGroup(up, "SIGINT");
    signalGroup(up, "SIGINT");
    await up.closed;
    await cloudGone(up.state);
    assert.match(up.output.stderr, /SIGINT: stopping: no messages queued/);
  }
});

test("kill -9 of npm takes the cloud down with it", async () => {
  const up = await startUp();
  process.kill(up.npm.pid!, "SIGKILL");
  await cloudGone(up.state);
  const sqs = sqsOf(up.state);
  await assert.not.ok(
    await depth(sqs, up.state.outputs.queueUrl!).then(
      () => true,
      () => false,
    ),
    "SQS still answers",
  );
  sqs.destroy();
  signalGroup(up, "SIGKILL");
});

test("--persist: the DLQ survives a SIGKILL of the cloud; a stop says what is kept or lost", async () => {
  let up = await startUp("--persist");
  let sqs = sqsOf(up.state);
  await deadLetter(sqs, up.state, 20);
  const before = await receiveDistinct(sqs, up.state.outputs.dlqUrl!, 20);
  assert.is(before.length, 20);
  sqs.destroy();
  process.kill(up.state.pid, "SIGKILL");
  await up.closed;

  up = await startUp("--persist");
  assert.match(up.output.stdout, /restored 20 in vehicles-dlq/);
  sqs = sqsOf(up.state);
  const after = new Map((await receiveDistinct(sqs, up.state.outputs.dlqUrl!, 20)).map((m) => [m.MessageId!, m]));
  for (const old of before) {
    const again = after.get(old.MessageId!);
    assert.ok(again, `DLQ message ${old.MessageId} is back`);
    assert.is(again!.Body, old.Body);
    assert.is(again!.Attributes?.SentTimestamp, old.Attributes?.SentTimestamp);
  }
  sqs.destroy();
  signalGroup(up, "SIGINT");
  await up.closed;
  await cloudGone(up.state);
  assert.match(up.output.stderr, /and 20 in the dead-letter queue kept in .*journal\.jsonl/, up.output.stderr);

  // Without --persist the queues start empty and the stop counts what is lost.
  up = await startUp();
  sqs = sqsOf(up.state);
  assert.is(await depth(sqs, up.state.outputs.dlqUrl!), 0);
  await deadLetter(sqs, up.state, 5);
  sqs.destroy();
  signalGroup(up, "SIGINT");
  await up.closed;
  await cloudGone(up.state);
  assert.match(up.output.stderr, /and 5 in the dead-letter queue will be lost/);
});

/**
 * Runs package.json's `npm start` line, as npm would, in a copy of the entry point and what it loads before its
 * install check, holding only the node_modules packages named.
 */
function startWithout(installed: readonly string[]): ReturnType<typeof spawnSync> & { stderr: string } {
  const checkout = mkdtempSync(join(tmpdir(), "no-install-"));
  try {
    for (const file of [
      "package.json",
      "scripts/load-tsx.mjs",
      "local/cli.ts",
      "local/install-check.ts",
      "local/stack-source.ts",
      ...readdirSync(join(PROJECT_ROOT, "contracts")).map((name) => `contracts/${name}`),
    ]) {
      mkdirSync(dirname(join(checkout, file)), { recursive: true });
      copyFileSync(join(PROJECT_ROOT, file), join(checkout, file));
    }
    for (const name of installed) {
      mkdirSync(join(checkout, "node_modules"), { recursive: true });
      symlinkSync(join(PROJECT_ROOT, "node_modules", name), join(checkout, "node_modules", name));
    }
    const { scripts } = JSON.parse(readFileSync(join(checkout, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    return spawnSync("sh", ["-c", scripts.start!], {
      cwd: checkout,
      encoding: "utf8",
      timeout: 60_000,
      // Without FORCE_COLOR, which a library in this process may set: Node warns on stderr when NO_COLOR is set too.
      env: { ...process.env, FORCE_COLOR: undefined },
    });
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
}

test("`npm start` without `npm ci` says what to run (exit 1) instead of a module stack trace", () => {
  const run = startWithout([]);
  assert.is(run.status, 1, run.stderr);
  assert.match(run.stderr, /^error: this command needs tsx, which is not installed\n/);
  assert.match(run.stderr, /\nrun `npm ci` in .*no-install-\w+ first\n$/);
  assert.not.match(run.stderr, /crash|\n {4}at /);
});

test("`npm start` with node_modules incomplete names every missing package (exit 1)", () => {
  const run = startWithout(["tsx"]);
  assert.is(run.status, 1, run.stderr);
  assert.match(run.stderr, /^error: the embedded cloud needs @aws-sdk\/client-sqs, .*, which are not installed\n/);
  assert.not.match(run.stderr, /needs .*tsx/);
  assert.match(run.stderr, /\nrun `npm ci` in .*no-install-\w+ first\n$/);
  assert.not.match(run.stderr, /crash|\n {4}at /);
});

test.run();
