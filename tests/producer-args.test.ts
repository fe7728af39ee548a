import { suite } from "uvu";
import * as assert from "uvu/assert";
import { parseDuration, parseProfile, parseRate, UsageError } from "../contracts";
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, DEFAULT_RATE, parseProducerArgs } from "../producer/args";

const args = suite("producer args");

function errorOf(argv: string[]): string {
  try {
    parseProducerArgs(argv);
  } catch (error) {
    assert.instance(error, UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(argv)} to be refused`);
}

args("defaults: 200/s until Ctrl-C, batches of 10, 8 in flight, all valid", () => {
  const parsed = parseProducerArgs([]);
  assert.is(parsed.rate, DEFAULT_RATE);
  assert.is(parsed.rate, 200);
  assert.is(parsed.batchSize, DEFAULT_BATCH_SIZE);
  assert.is(parsed.concurrency, DEFAULT_CONCURRENCY);
  assert.is(parsed.invalidRatio, 0);
  assert.is(parsed.count, undefined);
  assert.is(parsed.durationMs, undefined);
  assert.is(parsed.profile, undefined);
  assert.is(parsed.seed, undefined);
  assert.is(parsed.dryRun, false);
  assert.is(parsed.json, false);
  assert.is(parsed.help, false);
});

args("--rate accepts 200/s, 200, 12000/m, 7200/h, fractions and max", () => {
  assert.is(parseProducerArgs(["--rate", "200/s"]).rate, 200);
  assert.is(parseProducerArgs(["--rate", "200"]).rate, 200);
  assert.is(parseProducerArgs(["--rate=12000/m"]).rate, 200);
  assert.is(parseProducerArgs(["--rate", "7200/h"]).rate, 2);
  assert.is(parseProducerArgs(["--rate", "0.5/s"]).rate, 0.5);
  assert.is(parseProducerArgs(["--rate", "2000/S"]).rate, 2000);
  assert.is(parseProducerArgs(["--rate", "max"]).rate, Infinity);
  assert.is(parseRate("120/min"), 2);
});

args("--rate errors name the flag and show an example", () => {
  assert.is(
    errorOf(["--rate", "abc"]),
    `invalid --rate "abc": expected a number per second, e.g. 200/s (also 200, 12000/m or max)`,
  );
  assert.match(errorOf(["--rate=-5"]), /^invalid --rate "-5": expected a number per second, e.g. 200\/s/);
  assert.is(
    errorOf(["--rate", "-5"]),
    `--rate is followed by something starting with "-": write --rate=<value> if that is its value, e.g. --rate 200/s`,
  );
  assert.match(errorOf(["--rate", "200/d"]), /^invalid --rate "200\/d"/);
  assert.is(errorOf(["--rate", "0"]), `invalid --rate "0": expected a rate above zero, e.g. 200/s`);
  assert.is(errorOf(["--rate"]), "--rate needs a value, e.g. --rate 200/s");
});

args("--duration accepts ms, s, m, h and refuses bare numbers", () => {
  assert.is(parseProducerArgs(["--duration", "30s"]).durationMs, 30_000);
  assert.is(parseProducerArgs(["--duration", "2m"]).durationMs, 120_000);
  assert.is(parseProducerArgs(["--duration", "500ms"]).durationMs, 500);
  assert.is(parseProducerArgs(["--duration", "1h"]).durationMs, 3_600_000);
  assert.is(parseDuration("1.5s"), 1500);
  assert.is(
    errorOf(["--duration", "30"]),
    `invalid --duration "30": expected a duration with a unit, e.g. 30s, 2m or 500ms`,
  );
  assert.is(
    errorOf(["--duration", "soon"]),
    `invalid --duration "soon": expected a duration with a unit, e.g. 30s, 2m or 500ms`,
  );
  assert.is(errorOf(["--duration", "0s"]), `invalid --duration "0s": expected a duration above zero, e.g. 30s`);
});

args("--count is a positive whole number", () => {
  assert.is(parseProducerArgs(["--count", "137"]).count, 137);
  assert.is(
    errorOf(["--count", "0"]),
    `invalid --count "0": expected a whole number from 1 to 9007199254740991, e.g. 1000`,
  );
  assert.match(errorOf(["--count", "1.5"]), /^invalid --count "1\.5": expected a whole number/);
  assert.match(errorOf(["--count", "ten"]), /^invalid --count "ten": expected a whole number/);
});

args("--profile parses phases, 0/s included", () => {
  assert.equal(parseProducerArgs(["--profile", "50/s:20s,400/s:40s,0/s:20s"]).profile, [
    { ratePerSecond: 50, durationMs: 20_000 },
    { ratePerSecond: 400, durationMs: 40_000 },
    { ratePerSecond: 0, durationMs: 20_000 },
  ]);
  assert.equal(parseProfile(" 600/m : 1m , 5:500ms"), [
    { ratePerSecond: 10, durationMs: 60_000 },
    { ratePerSecond: 5, durationMs: 500 },
  ]);
  assert.is(parseProducerArgs(["--profile", "50/s:20s"]).rate, undefined);
});

args("--profile errors say which phase is wrong and how", () => {
  assert.is(
    errorOf(["--profile", "50/s"]),
    `invalid --profile "50/s": expected phases of rate:duration, e.g. "50/s:20s,400/s:40s,0/s:20s"; phase "50/s" has no ":duration"`,
  );
  assert.is(
    errorOf(["--profile", "50/s:20s,fast:10s"]),
    `invalid --profile "50/s:20s,fast:10s": expected phases of rate:duration, e.g. "50/s:20s,400/s:40s,0/s:20s"; phase "fast:10s": expected a number per second, e.g. 200/s (also 200, 12000/m)`,
  );
  assert.match(
    errorOf(["--profile", "50/s:20"]),
    /phase "50\/s:20": expected a duration with a unit, e.g. 30s, 2m or 500ms$/,
  );
  assert.match(
    errorOf(["--profile", "50/s:20s,,10/s:1s"]),
    /^invalid --profile "50\/s:20s,,10\/s:1s": expected phases of rate:duration/,
  );
  assert.match(errorOf(["--profile", "0/s:20s"]), /at least one phase must send$/);
  assert.is(
    errorOf(["--profile", "50/s:20s", "--rate", "10"]),
    "--profile and --rate cannot be combined: the profile sets the rate of each phase (drop --rate)",
  );
  assert.is(
    errorOf(["--profile", "50/s:20s", "--duration", "10s"]),
    "--profile and --duration cannot be combined: the profile's phases set the duration (drop --duration)",
  );
});

args("--batch-size is 1 to 10", () => {
  assert.is(parseProducerArgs(["--batch-size", "1"]).batchSize, 1);
  assert.is(parseProducerArgs(["--batch-size", "10"]).batchSize, 10);
  assert.is(
    errorOf(["--batch-size", "11"]),
    `invalid --batch-size "11": expected a whole number from 1 to 10, e.g. 10`,
  );
  assert.is(errorOf(["--batch-size", "0"]), `invalid --batch-size "0": expected a whole number from 1 to 10, e.g. 10`);
});

args("--concurrency is 1 to 1000", () => {
  assert.is(parseProducerArgs(["--concurrency", "32"]).concurrency, 32);
  assert.is(
    errorOf(["--concurrency", "0"]),
    `invalid --concurrency "0": expected a whole number from 1 to 1000, e.g. 8`,
  );
  assert.is(
    errorOf(["--concurrency", "many"]),
    `invalid --concurrency "many": expected a whole number from 1 to 1000, e.g. 8`,
  );
});

args("--seed is a 32-bit whole number", () => {
  assert.is(parseProducerArgs(["--seed", "42"]).seed, 42);
  assert.is(errorOf(["--seed=-1"]), `invalid --seed "-1": expected a whole number from 0 to 4294967295, e.g. 42`);
  assert.match(errorOf(["--seed", "abc"]), /^invalid --seed "abc"/);
});

args("--invalid-ratio is a fraction from 0 to 1", () => {
  assert.is(parseProducerArgs(["--invalid-ratio", "0.05"]).invalidRatio, 0.05);
  assert.is(parseProducerArgs(["--invalid-ratio", "1"]).invalidRatio, 1);
  assert.is(parseProducerArgs(["--invalid-ratio", "0"]).invalidRatio, 0);
  assert.is(
    errorOf(["--invalid-ratio", "5%"]),
    `invalid --invalid-ratio "5%": expected a fraction from 0 to 1, e.g. 0.05 for 5% malformed messages`,
  );
  assert.is(
    errorOf(["--invalid-ratio", "1.5"]),
    `invalid --invalid-ratio "1.5": expected a fraction from 0 to 1, e.g. 0.05 for 5% malformed messages`,
  );
  assert.match(errorOf(["--invalid-ratio", ""]), /^invalid --invalid-ratio ""/);
});

args("--queue-url, --endpoint and --region are checked", () => {
  const parsed = parseProducerArgs([
    "--queue-url",
    "http://127.0.0.1:9324/000000000000/q",
    "--endpoint",
    "http://127.0.0.1:9324",
    "--region",
    "eu-west-1",
  ]);
  assert.is(parsed.queueUrl, "http://127.0.0.1:9324/000000000000/q");
  assert.is(parsed.endpoint, "http://127.0.0.1:9324");
  assert.is(parsed.region, "eu-west-1");
  assert.is(
    errorOf(["--queue-url", "vehicle-queue"]),
    `invalid --queue-url "vehicle-queue": expected an http(s) URL, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/vehicle-queue`,
  );
  assert.is(
    errorOf(["--endpoint", "ftp://x"]),
    `invalid --endpoint "ftp://x": expected an http(s) URL, e.g. http://127.0.0.1:4566`,
  );
  assert.is(
    errorOf(["--region", "Europe"]),
    `invalid --region "Europe": expected an AWS region name, e.g. us-east-1 or eu-west-1`,
  );
});

args("boolean flags, help, unknown options and stray words", () => {
  const parsed = parseProducerArgs(["--dry-run", "--json", "-h"]);
  assert.ok(parsed.dryRun && parsed.json && parsed.help);
  assert.is(errorOf(["--rat", "200"]), "unknown option --rat");
  assert.is(errorOf(["--json=yes"]), "--json takes no value: write --json alone");
  assert.is(errorOf(["200/s"]), `unexpected argument "200/s": every option starts with --`);
  assert.is(
    errorOf(["--dry-run", "--rate", "max", "--duration", "5s"]),
    "--dry-run with --rate max and --duration cannot tell how many messages the run would send: give --count instead",
  );
});

args.run();
