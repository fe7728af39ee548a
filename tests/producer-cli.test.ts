import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  INVALID_KIND_CODES,
  type InvalidKind,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  stateFilePath,
  writeState,
} from "../contracts";
import { parseVehicleMessage } from "../handlers/vehicle";
import { type RunningEmulator, startSqs } from "../local/emulators";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const cli = suite("producer CLI (child processes)");
const ROOT = path.resolve(__dirname, "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let sqsServer: RunningEmulator;
let sqs: SQSClient;
let scratch = "";
const children = new Set<ChildProcess>();

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `tsx producer ...` as a user would (the tsx CLI, from the repository root), with an environment
 * that cannot find a queue by accident: no QUEUE_URL, no pulumi on the PATH, and a state file that does
 * not exist (an embedded cloud may be running in this checkout).
 */
function runProducer(
  args: string[],
  env: Record<string, string> = {},
  onStart?: (child: ChildProcess, output: { stdout: string; stderr: string }) => void,
): Promise<Run> {
  const baseEnv: Record<string, string | undefined> = {
    ...process.env,
    QUEUE_URL: undefined,
    PATH: path.dirname(process.execPath),
    VEHICLE_PIPELINE_STATE_FILE: path.join(scratch, "no-cloud.json"),
  };
  delete baseEnv.QUEUE_URL;
  // The caller's AWS settings (a profile, keys, a region) are not this test's: each test passes the ones it means.
  for (const name of Object.keys(baseEnv)) if (name.startsWith("AWS_")) delete baseEnv[name];
  // npm test sets NO_COLOR; if FORCE_COLOR is set too (a library in this process may set it), Node prints a warning into stderr.
  delete baseEnv.FORCE_COLOR;
  const child = spawn(process.execPath, [TSX, "producer", ...args], {
    cwd: ROOT,
    env: { ...baseEnv, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  const output = { stdout: "", stderr: "" };
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output.stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output.stderr += chunk));
  onStart?.(child, output);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      children.delete(child);
      resolve({ code, signal, ...output });
    });
  });
}

async function newQueue(name: string): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
}

async function depth(queueUrl: string): Promise<number> {
  const answer = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Number(answer.Attributes?.ApproximateNumberOfMessages ?? 0);
}

cli.before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "producer-cli-"));
  sqsServer = await startSqs();
  sqs = new SQSClient({ endpoint: sqsServer.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
});

cli.after(async () => {
  for (const child of children) child.kill("SIGKILL");
  sqs.destroy();
  await sqsServer.close();
  await rm(scratch, { recursive: true, force: true });
});

cli("--dry-run prints JSON lines the consumer's parser accepts or rejects as labelled, and sends nothing", async () => {
  const run = await runProducer(["--dry-run", "--count", "200", "--invalid-ratio", "0.2", "--seed", "5"]);
  assert.is(run.code, 0, run.stderr);
  const lines = run.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { eventId: string; kind: "valid" | InvalidKind; body: string });
  assert.is(lines.length, 200);
  const counts: Record<string, number> = {};
  for (const line of lines) {
    assert.equal(Object.keys(line), ["eventId", "kind", "body"]);
    assert.match(line.eventId, UUIDV7);
    counts[line.kind] = (counts[line.kind] ?? 0) + 1;
    const parsed = parseVehicleMessage(line.body);
    if (line.kind === "valid") assert.ok(parsed.ok, line.body);
    else {
      assert.is(parsed.ok, false, line.body);
      if (!parsed.ok) assert.is(parsed.code, INVALID_KIND_CODES[line.kind], `${line.kind}: ${line.body}`);
    }
  }
  assert.equal(counts, { valid: 160, "invalid-json": 10, "missing-field": 10, "wrong-type": 10, "out-of-range": 10 });
  assert.is(new Set(lines.map((line) => line.eventId)).size, 200);
  // The same seed gives the same vehicles.
  const again = await runProducer(["--dry-run", "--count", "5", "--seed", "5", "--invalid-ratio", "0.2"]);
  assert.equal(
    again.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).body),
    lines.slice(0, 5).map((line) => line.body),
  );
  // --duration and --rate decide how many a dry run prints.
  const planned = await runProducer(["--dry-run", "--rate", "12000/m", "--duration", "500ms"]);
  assert.is(planned.stdout.trim().split("\n").length, 100);
});

cli("a bad flag exits 2 with the flag, an example and a pointer to --help", async () => {
  const run = await runProducer(["--rate", "abc"]);
  assert.is(run.code, 2);
  assert.is(
    run.stderr,
    `error: invalid --rate "abc": expected a number per second, e.g. 200/s (also 200, 12000/m or max)\nrun \`tsx producer --help\` for usage\n`,
  );
  assert.is(run.stdout, "");
  const url = await runProducer(["--queue-url", "nope"]);
  assert.is(url.code, 2);
  assert.match(url.stderr, /^error: invalid --queue-url "nope": expected an http\(s\) URL/);
  const env = await runProducer(["--count", "1"], { QUEUE_URL: "nope" });
  assert.is(env.code, 2);
  assert.match(env.stderr, /^error: invalid \$QUEUE_URL "nope": expected an http\(s\) URL/);
  const help = await runProducer(["--help"]);
  assert.is(help.code, 0);
  assert.match(help.stdout, /Usage: tsx producer \[options\]/);
  assert.match(help.stdout, /--profile <phases>/);
});

cli("no queue anywhere: exits 2 and says how to give one", async () => {
  const run = await runProducer(["--count", "1"]);
  assert.is(run.code, 2);
  assert.match(run.stderr, /^error: no vehicle queue\. Give one of:/);
  assert.match(run.stderr, /pulumi stack output queueUrl: the pulumi CLI is not on the PATH/);
  assert.match(run.stderr, /embedded cloud \(.*no-cloud\.json\): not running \(no state file\)/);
});

cli(
  "a queue that refuses us (it does not exist) is an operator error: exit 1, what SQS said and what to check",
  async () => {
    const missing = `${sqsServer.endpoint}/000000000000/no-such-queue`;
    const run = await runProducer(["--count", "1", "--queue-url", missing]);
    assert.is(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /\nerror: SendMessageBatch failed with QueueDoesNotExist: the queue .*no-such-queue does not exist/,
    );
    assert.match(
      run.stderr,
      /\ncheck the queue URL, the endpoint and region, and that these credentials may send to the queue/,
    );
    assert.not.match(run.stderr, /crash|\n {4}at /);
  },
);

/** The state file an embedded cloud on fauxqs would write, naming this queue; returns its path. */
function cloudStateFor(name: string, queueUrl: string): string {
  const localRoot = path.join(scratch, name);
  writeState(localRoot, {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    region: LOCAL_REGION,
    endpoints: { sqs: sqsServer.endpoint, dynamodb: "http://127.0.0.1:1" },
    outputs: { queueUrl },
  });
  return stateFilePath(localRoot);
}

cli("the embedded cloud's state file is found, and --json prints a machine-readable summary", async () => {
  const queueUrl = await newQueue("cli-state");
  const state = cloudStateFor("state", queueUrl);
  const run = await runProducer(["--count", "30", "--rate", "max", "--invalid-ratio", "0.1", "--json"], {
    VEHICLE_PIPELINE_STATE_FILE: state,
  });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, /from embedded cloud\) via http:\/\/127\.0\.0\.1:\d+, test credentials/);
  assert.not.match(run.stderr, /NodeVersionSupportWarning/);
  const summary = JSON.parse(run.stdout);
  assert.is(summary.sent, 30);
  assert.is(summary.failed, 0);
  assert.equal(summary.invalid, { "invalid-json": 1, "missing-field": 1, "wrong-type": 1, "out-of-range": 0 });
  assert.is(summary.messages, undefined, "the per-message list is for the API, not the terminal");
  assert.ok(summary.peakRssBytes > 0);
  assert.is(await depth(queueUrl), 30);
});

cli("a real SIGINT stops sending, finishes in-flight batches, prints the summary and exits 130", async () => {
  const queueUrl = await newQueue("cli-sigint");
  let interrupted = false;
  const run = await runProducer(["--rate", "100/s", "--duration", "5m"], { QUEUE_URL: queueUrl }, (child) => {
    const poll = setInterval(async () => {
      if (interrupted) return;
      if ((await depth(queueUrl)) > 0) {
        interrupted = true;
        clearInterval(poll);
        child.kill("SIGINT");
      }
    }, 100);
    child.on("close", () => clearInterval(poll));
  });
  assert.ok(interrupted);
  assert.is(run.code, 130, run.stderr);
  assert.match(run.stderr, /SIGINT: stopping; waiting for the batches in flight/);
  assert.match(run.stdout, /stopped by {5}Ctrl-C \/ abort/);
  const sent = /sent {11}(\d+) of (\d+)/.exec(run.stdout);
  assert.ok(sent, run.stdout);
  assert.is(sent![1], sent![2], "every message made was sent");
  assert.is(await depth(queueUrl), Number(sent![1]), "the summary matches the queue");
});

cli("the embedded cloud gets its test credentials whatever AWS profile or keys the shell holds", async () => {
  const queueUrl = await newQueue("cli-shell-aws");
  const state = cloudStateFor("state-shell-aws", queueUrl);
  const run = await runProducer(["--count", "20", "--rate", "max", "--json"], {
    VEHICLE_PIPELINE_STATE_FILE: state,
    AWS_PROFILE: "nonexistent",
    AWS_ACCESS_KEY_ID: "x",
    AWS_SECRET_ACCESS_KEY: "y",
    AWS_REGION: "eu-west-3",
  });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, /test credentials/);
  assert.is(JSON.parse(run.stdout).sent, 20);
  assert.is(await depth(queueUrl), 20);
});

/** A queue on an emulator of its own, which the test can stop while the producer sends to it. */
async function doomedQueue(): Promise<{ emulator: RunningEmulator; queueUrl: string; client: SQSClient }> {
  const emulator = await startSqs();
  const client = new SQSClient({ endpoint: emulator.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const queueUrl = (await client.send(new CreateQueueCommand({ QueueName: "doomed" }))).QueueUrl!;
  return { emulator, queueUrl, client };
}

cli("the queue's endpoint going away mid-run stops the producer: exit 1, JSON summary, unsent listed", async () => {
  const { emulator, queueUrl, client } = await doomedQueue();
  let stopped = false;
  const run = await runProducer(
    ["--queue-url", queueUrl, "--endpoint", emulator.endpoint, "--rate", "100/s", "--duration", "10m", "--json"],
    {},
    (child) => {
      const poll = setInterval(async () => {
        if (stopped) return;
        const answer = await client.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
        );
        if (Number(answer.Attributes?.ApproximateNumberOfMessages) > 0) {
          stopped = true;
          clearInterval(poll);
          client.destroy();
          await emulator.close();
        }
      }, 100);
      child.on("close", () => clearInterval(poll));
    },
  );
  assert.ok(stopped);
  assert.is(run.code, 1, run.stderr);
  const summary = JSON.parse(run.stdout);
  assert.is(summary.stoppedBy, "unreachable");
  assert.ok(summary.sent > 0);
  assert.ok(summary.failed > 0);
  assert.is(summary.unsent.length, summary.failed);
  assert.ok(summary.failures.ECONNREFUSED > 0, JSON.stringify(summary.failures));
  assert.not.match(run.stderr, /raise --concurrency/);
});

cli("a dead endpoint from the start: the human summary names the cause, exit 1", async () => {
  const { emulator, queueUrl, client } = await doomedQueue();
  client.destroy();
  await emulator.close();
  const run = await runProducer(["--queue-url", queueUrl, "--rate", "100/s", "--duration", "10m"]);
  assert.is(run.code, 1, run.stderr);
  assert.match(run.stdout, /stopped by {5}the endpoint: nothing answers there \(connect ECONNREFUSED/);
  assert.match(run.stdout, /failed {9}\d+ \(ECONNREFUSED \d+\)/);
  assert.match(run.stdout, /unsent .*ECONNREFUSED/);
  assert.not.match(run.stderr + run.stdout, /raise --concurrency/);
});

cli("messages left unsent make the exit status 1 and are listed", async () => {
  // A minimal SQS-compatible endpoint that refuses every entry as the sender's fault (not retryable).
  const refusing: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      res.setHeader("content-type", "application/x-amz-json-1.0");
      if (req.headers["x-amz-target"] !== "AmazonSQS.SendMessageBatch") {
        res.end(JSON.stringify({ Attributes: { MaximumMessageSize: "262144" } }));
        return;
      }
      const entries = (JSON.parse(body) as { Entries: { Id: string }[] }).Entries;
      res.end(
        JSON.stringify({
          Successful: [],
          Failed: entries.map((entry) => ({
            Id: entry.Id,
            SenderFault: true,
            Code: "InvalidMessageContents",
            Message: "refused by the test endpoint",
          })),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
  try {
    const endpoint = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
    const run = await runProducer([
      "--count",
      "3",
      "--rate",
      "max",
      "--endpoint",
      endpoint,
      "--queue-url",
      `${endpoint}/000000000000/q`,
    ]);
    assert.is(run.code, 1, run.stderr);
    assert.match(run.stdout, /failed {9}3 \(InvalidMessageContents 3\)/);
    assert.match(run.stdout, /unsent [0-9a-f-]{36} \(valid\): InvalidMessageContents refused by the test endpoint/);
  } finally {
    await new Promise<void>((resolve) => {
      refusing.close(() => resolve());
      refusing.closeAllConnections();
    });
  }
});

cli.run();
