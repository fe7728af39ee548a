// `npm run dlq` as a user runs it, in a child process: bad commands and flags exit 2 with a message naming them, and
// with no queue anywhere it says where it looked.

import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dlqStats, groupOf, redrivePlan, toDlqMessage } from "../dlq/messages";

const ROOT = path.resolve(__dirname, "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const scratch = mkdtempSync(path.join(tmpdir(), "dlq-cli-"));

/** `npm run dlq` with no queue to find unless `extra` names one. */
function dlqWith(extra: Record<string, string>, ...args: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: path.dirname(process.execPath),
    VEHICLE_PIPELINE_STATE_FILE: path.join(scratch, "no-cloud.json"),
  };
  for (const name of ["QUEUE_URL", "DLQ_URL", "FORCE_COLOR", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS"])
    delete env[name];
  return spawnSync(process.execPath, [TSX, "dlq", ...args], { cwd: ROOT, env: { ...env, ...extra }, encoding: "utf8" });
}

const dlq = (...args: string[]) => dlqWith({}, ...args);

const cli = suite("dlq command line");

for (const [argv, message] of [
  [[], /no command: give one of stats, peek, export, redrive, purge/],
  [["drain"], /unknown command "drain"/],
  [["stats", "--bogus"], /^error: unknown option --bogus\nrun `npm run dlq -- --help` for usage\n$/],
  [["peek", "--limit", "0"], /invalid --limit "0": expected a whole number from 1/],
  [["stats", "--moved-only"], /--moved-only does not apply to stats/],
  [["redrive", "--code", "INVALID_JSON", "--moved-only"], /cannot be combined/],
  [["redrive", "--rate", "900/s"], /invalid --rate "900\/s"/],
  [["export"], /export needs --out FILE/],
  [["purge"], /add --yes to confirm/],
  [["stats", "--dlq-url", "not-a-url"], /invalid --dlq-url/],
  [["stats", "--region", "Europe"], /invalid --region "Europe"/],
  [["stats", "--hold", "5"], /invalid --hold "5": expected a duration with a unit/],
] as const) {
  cli(`dlq ${argv.join(" ")} exits 2: ${message}`, () => {
    const run = dlq(...argv);
    assert.is(run.status, 2, run.stderr);
    assert.match(run.stderr, message);
  });
}

cli("no DLQ anywhere: exit 2, listing every place it looked", () => {
  const run = dlq("stats");
  assert.is(run.status, 2, run.stderr);
  assert.match(run.stderr, /no dead-letter queue/);
  assert.match(run.stderr, /\$DLQ_URL: not set/);
  assert.match(run.stderr, /pulumi stack output dlqUrl: the pulumi CLI is not on the PATH/);
  assert.match(run.stderr, /embedded cloud \(.*no-cloud\.json\): not running/);
});

cli("$DLQ_URL is checked like --dlq-url: not a URL exits 2 naming the variable", () => {
  const run = dlqWith({ DLQ_URL: "vehicle-dlq" }, "stats");
  assert.is(run.status, 2, run.stderr);
  assert.match(run.stderr, /^error: invalid \$DLQ_URL "vehicle-dlq": expected an http\(s\) URL/);
});

cli("--help lists the commands and exits 0", () => {
  const run = dlq("--help");
  assert.is(run.status, 0);
  for (const command of ["stats", "peek", "export", "redrive", "purge"]) assert.match(run.stdout, command);
});

const message = (attrs: Record<string, string>, receiveCount: number, sent: number, body = "{}") =>
  toDlqMessage({
    MessageId: `m${sent}`,
    ReceiptHandle: `r${sent}`,
    Body: body,
    Attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: String(sent) },
    MessageAttributes: Object.fromEntries(
      Object.entries(attrs).map(([k, v]) => [k, { DataType: "String", StringValue: v }]),
    ),
  });

cli("stats and plans are pure: groups, oldest/newest, refusal of rejected messages, limit", () => {
  const messages = [
    message({ errorCode: "INVALID_JSON" }, 1, 3000),
    message({ eventId: "e1" }, 6, 1000, '{"vehicleId":"VH2001"}'),
    message({ eventId: "e2" }, 6, 2000, '{"vehicleId":"VH3001"}'),
  ];
  assert.is(groupOf(messages[1]!), "moved after 5 receives");
  const stats = dlqStats(messages, { byPrefix: 3 });
  assert.equal(stats.byGroup, { "moved after 5 receives": 2, INVALID_JSON: 1 });
  assert.is(stats.oldest, new Date(1000).toISOString());
  assert.is(stats.newest, new Date(3000).toISOString());
  assert.equal(stats.byPrefix, { VH2: 1, VH3: 1, "(no vehicleId)": 1 });
  const all = redrivePlan(messages, {});
  assert.is(all.send.length, 2);
  assert.is(all.refused.length, 1);
  const forced = redrivePlan(messages, { force: true, limit: 2 });
  assert.is(forced.send.length, 2);
  assert.is(forced.overLimit, 1);
  assert.is(redrivePlan(messages, { code: "INVALID_JSON", force: true }).send[0]?.errorCode, "INVALID_JSON");
});

cli.run();
