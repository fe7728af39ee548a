import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  askStackOutputs,
  chooseSqsClient,
  discoverQueue,
  findPulumi,
  pulumiOnPath,
  QueueNotFoundError,
  RegionMissingError,
  UsageError,
} from "../contracts";

const discovery = suite("queue discovery and the SQS client choice");
let dir = "";

discovery.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "producer-discovery-"));
});
discovery.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FLAG = "https://sqs.eu-west-1.amazonaws.com/123456789012/from-flag";
const ENV = "https://sqs.eu-west-1.amazonaws.com/123456789012/from-env";
const PULUMI = "https://sqs.eu-west-1.amazonaws.com/123456789012/from-pulumi";
const LOCAL = "http://sqs.us-east-1.localhost:4711/000000000000/from-local";
const running = () => true;

async function stateFile(content: unknown): Promise<string> {
  const file = path.join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

const localState = {
  pid: 4242,
  startedAt: "2026-11-28T00:00:00Z",
  region: "us-east-1",
  endpoints: { sqs: "http://127.0.0.1:4711", dynamodb: "http://127.0.0.1:4712" },
  outputs: { queueUrl: LOCAL },
};

discovery("order: --queue-url, then $QUEUE_URL, then pulumi, then the embedded cloud", async () => {
  const file = await stateFile(localState);
  const pulumi = async () => ({ ok: true as const, url: PULUMI });
  assert.equal(
    await discoverQueue({
      flag: FLAG,
      env: { QUEUE_URL: ENV },
      askPulumi: pulumi,
      stateFile: file,
      isRunning: running,
    }),
    { url: FLAG, source: "--queue-url" },
  );
  assert.equal(
    await discoverQueue({ env: { QUEUE_URL: ENV }, askPulumi: pulumi, stateFile: file, isRunning: running }),
    { url: ENV, source: "$QUEUE_URL" },
  );
  assert.equal(await discoverQueue({ env: {}, askPulumi: pulumi, stateFile: file, isRunning: running }), {
    url: PULUMI,
    source: "pulumi stack output",
  });
  assert.equal(await discoverQueue({ env: { PATH: "" }, stateFile: file, isRunning: running }), {
    url: LOCAL,
    source: "embedded cloud",
    endpoint: "http://127.0.0.1:4711",
    region: "us-east-1",
  });
  // Pulumi on the PATH but without a stack: fall through to the embedded cloud.
  const noStack = async () => ({ ok: false as const, why: "no answer (error: no stack selected)" });
  assert.is(
    (await discoverQueue({ env: {}, askPulumi: noStack, stateFile: file, isRunning: running })).source,
    "embedded cloud",
  );
});

discovery("nothing found: the error lists every source tried and how to give a queue", async () => {
  const noStack = async () => ({ ok: false as const, why: "no answer (error: no stack selected)" });
  try {
    await discoverQueue({
      env: { QUEUE_URL: "  " },
      askPulumi: noStack,
      stateFile: path.join(dir, "missing.json"),
      isRunning: running,
    });
    assert.unreachable("should throw");
  } catch (error) {
    assert.instance(error, QueueNotFoundError);
    const message = (error as Error).message;
    assert.match(
      message,
      /^no vehicle queue\. Give one of:\n {2}--queue-url https:\/\/sqs\.us-east-1\.amazonaws\.com\/123456789012\/vehicle-queue\n {2}QUEUE_URL=<url>/,
    );
    assert.match(message, /npm run local -- up/);
    assert.match(
      message,
      /- --queue-url: not given\n {2}- \$QUEUE_URL: not set\n {2}- pulumi stack output queueUrl: no answer \(error: no stack selected\)\n {2}- embedded cloud \(.*missing\.json\): not running \(no state file\)$/,
    );
  }
});

discovery("the DLQ is found the same way, by its own flag, variable and output", async () => {
  const dlq = "http://127.0.0.1:4711/000000000000/from-local-dlq";
  const file = await stateFile({ ...localState, outputs: { queueUrl: LOCAL, dlqUrl: dlq } });
  assert.equal(await discoverQueue({ output: "dlqUrl", flag: FLAG, env: {} }), { url: FLAG, source: "--dlq-url" });
  assert.equal(await discoverQueue({ output: "dlqUrl", env: { DLQ_URL: ` ${ENV} `, QUEUE_URL: PULUMI } }), {
    url: ENV,
    source: "$DLQ_URL",
  });
  assert.is(
    (await discoverQueue({ output: "dlqUrl", env: { PATH: "" }, stateFile: file, isRunning: running })).url,
    dlq,
  );
  try {
    await discoverQueue({ output: "dlqUrl", env: { PATH: "" }, stateFile: path.join(dir, "missing.json") });
    assert.unreachable("should throw");
  } catch (error) {
    assert.instance(error, QueueNotFoundError);
    const message = (error as Error).message;
    assert.match(message, /^no dead-letter queue\. Give one of:\n {2}--dlq-url https:/);
    assert.match(message, /- \$DLQ_URL: not set\n {2}- pulumi stack output dlqUrl: the pulumi CLI is not on the PATH/);
  }
});

discovery(
  "$QUEUE_URL and $DLQ_URL are checked like their flags: not a URL is a usage error naming the variable",
  async () => {
    for (const [output, name] of [
      ["queueUrl", "QUEUE_URL"],
      ["dlqUrl", "DLQ_URL"],
    ] as const) {
      try {
        await discoverQueue({ output, env: { [name]: "vehicle-queue" } });
        assert.unreachable("should throw");
      } catch (error) {
        assert.instance(error, UsageError);
        assert.not.instance(error, QueueNotFoundError);
        assert.match(
          (error as Error).message,
          new RegExp(`^invalid \\$${name} "vehicle-queue": expected an http\\(s\\) URL`),
        );
      }
    }
  },
);

discovery("a stale, broken or incomplete state file is skipped with the reason", async () => {
  const reasons: string[] = [];
  for (const [content, isRunning] of [
    [localState, () => false],
    ["{not json", running],
    [{ pid: 1, outputs: {} }, running],
  ] as const) {
    try {
      await discoverQueue({ env: { PATH: "" }, stateFile: await stateFile(content), isRunning });
      assert.unreachable("should throw");
    } catch (error) {
      reasons.push((error as QueueNotFoundError).tried.at(-1)!);
    }
  }
  assert.match(reasons[0]!, /stale state file: the cloud's process 4242 is not running/);
  assert.match(reasons[1]!, /the state file is not JSON/);
  assert.match(reasons[2]!, /the state file has no outputs.queueUrl/);
  assert.match(
    (await discoverQueue({ env: { PATH: "" }, stateFile: await stateFile({ ...localState, pid: process.pid }) })).url,
    /from-local/,
    "a live pid passes the real check",
  );
});

discovery("a real `pulumi` executable on the PATH is asked for the stack outputs", async () => {
  const bin = path.join(dir, "bin");
  await import("node:fs/promises").then((fs) => fs.mkdir(bin));
  const fake = path.join(bin, "pulumi");
  // The selected stack has queueUrl only; stack "other" answers text that is not JSON; any other stack is unknown.
  await writeFile(
    fake,
    [
      "#!/bin/sh",
      `echo "$*" >> "${path.join(dir, "pulumi-calls")}"`,
      `[ "$*" = "stack output --json" ] && echo '{"queueUrl": "${PULUMI}"}' && exit 0`,
      `[ "$*" = "stack output --json --stack other" ] && echo "Current stack outputs (0)" && exit 0`,
      `[ "$*" = "stack output --json --stack gone" ] && echo "error: no stack named 'gone' found" >&2 && exit 255`,
      'echo "error: bad args: $*" >&2; exit 1',
      "",
    ].join("\n"),
  );
  await chmod(fake, 0o755);
  const PATH = `${path.join(dir, "nowhere")}${path.delimiter}${bin}`;
  const ask = await pulumiOnPath({ PATH });
  assert.ok(ask, "found on the PATH");
  assert.equal(await ask!("queueUrl"), { ok: true, url: PULUMI });
  assert.equal(await ask!("dlqUrl"), { ok: false, why: "the stack has no output dlqUrl" });
  assert.is(readFileSync(path.join(dir, "pulumi-calls"), "utf8"), "stack output --json\n", "asked once for both");
  assert.is(await pulumiOnPath({ PATH: path.join(dir, "nowhere") }), undefined);
  const found = await discoverQueue({ env: { PATH: bin }, stateFile: path.join(dir, "missing.json") });
  assert.equal(found, { url: PULUMI, source: "pulumi stack output" });

  assert.is(await findPulumi({ PATH }), fake);
  assert.equal(await askStackOutputs(fake, { env: { PATH } }), { ok: true, outputs: { queueUrl: PULUMI } });
  assert.equal(await askStackOutputs(fake, { stack: "gone", env: { PATH } }), {
    ok: false,
    why: "no answer (error: no stack named 'gone' found)",
  });
  const other = await askStackOutputs(fake, { stack: "other", env: { PATH } });
  assert.is(other.ok, false);
  assert.match((other as { why: string }).why, /not JSON/);
});

discovery("client: AWS queue URLs use the SDK's endpoint and credential chain, with the region from the URL", () => {
  const choice = chooseSqsClient({ queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/q", env: {} });
  assert.is(choice.endpoint, undefined);
  assert.is(choice.region, "eu-west-1");
  assert.is(choice.emulator, false);
  assert.is(choice.config.credentials, undefined);
  assert.is(
    chooseSqsClient({
      queueUrl: "https://sqs.eu-west-1.amazonaws.com/1/q",
      region: "us-west-2",
      env: { AWS_REGION: "ap-south-1" },
    }).region,
    "us-west-2",
  );
  assert.is(
    chooseSqsClient({ queueUrl: "https://sqs.eu-west-1.amazonaws.com/1/q", env: { AWS_REGION: "ap-south-1" } }).region,
    "ap-south-1",
  );
  assert.throws(
    () => chooseSqsClient({ queueUrl: "https://queue.amazonaws.com/1/q", env: {} }),
    (error: Error) =>
      error instanceof RegionMissingError && /pass --region, e\.g\. --region eu-west-1/.test(error.message),
  );
});

discovery("client: emulator queue URLs get a loopback endpoint and test credentials unless the user has some", () => {
  const fauxqs = chooseSqsClient({ queueUrl: "http://sqs.us-east-1.localhost:4711/000000000000/q", env: {} });
  assert.is(fauxqs.endpoint, "http://127.0.0.1:4711");
  assert.is(fauxqs.region, "us-east-1");
  assert.is(fauxqs.emulator, true);
  const credentials = fauxqs.config.credentials as { accessKeyId: string; secretAccessKey: string };
  assert.equal([credentials.accessKeyId, credentials.secretAccessKey], ["test", "test"]);
  const ownKeys = chooseSqsClient({
    queueUrl: "http://localstack:4566/000000000000/q",
    env: { AWS_ACCESS_KEY_ID: "mine" },
  });
  assert.is(ownKeys.endpoint, "http://localstack:4566");
  assert.is(ownKeys.region, "us-east-1");
  assert.is(ownKeys.config.credentials, undefined);
  const flagged = chooseSqsClient({
    queueUrl: "https://sqs.eu-west-1.amazonaws.com/1/q",
    endpoint: "http://127.0.0.1:9",
    discoveredEndpoint: "http://127.0.0.1:8",
    env: {},
  });
  assert.is(flagged.endpoint, "http://127.0.0.1:9", "--endpoint wins over the discovered one");
  assert.is(flagged.region, "eu-west-1");
  assert.is(
    chooseSqsClient({ queueUrl: LOCAL, discoveredEndpoint: "http://127.0.0.1:8", env: {} }).endpoint,
    "http://127.0.0.1:8",
  );
  assert.is(
    chooseSqsClient({
      queueUrl: "https://sqs.eu-west-1.amazonaws.com/1/q",
      env: { AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:7" },
    }).endpoint,
    "http://127.0.0.1:7",
  );
});

discovery.run();
