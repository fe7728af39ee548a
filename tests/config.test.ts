import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConfigError, parseSettings, SETTINGS } from "../contracts";

test("defaults give a consistent pipeline", () => {
  const settings = parseSettings({});
  assert.is(settings.batchSize, 10);
  assert.is(settings.visibilityTimeoutSeconds, settings.timeoutSeconds * 6);
  assert.is(settings.maxReceiveCount, 5);
  assert.is(settings.alarmEmail, undefined);
  assert.is(settings.deletionProtection, false);
  assert.is(settings.architecture, "arm64");
  assert.is(settings.logLevel, "INFO");
});

test("values arrive as strings or YAML scalars", () => {
  const settings = parseSettings({
    batchSize: "25",
    batchingWindowSeconds: 2,
    deletionProtection: true,
    timeoutSeconds: "60",
  });
  assert.is(settings.batchSize, 25);
  assert.is(settings.batchingWindowSeconds, 2);
  assert.is(settings.deletionProtection, true);
  assert.is(settings.visibilityTimeoutSeconds, 360);
});

function problemsOf(raw: Parameters<typeof parseSettings>[0]): string {
  try {
    parseSettings(raw);
  } catch (error) {
    assert.instance(error, ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

test("each invalid value is named with its key and rule", () => {
  assert.match(problemsOf({ batchSize: "0" }), /vehicle-pipeline:batchSize = "0" is invalid: must be from 1 to 10000/);
  assert.match(problemsOf({ maxConcurrency: 1 }), /maxConcurrency = 1 is invalid: must be from 2 to 1000/);
  assert.match(problemsOf({ memorySizeMb: "lots" }), /memorySizeMb = "lots" is invalid: must be a whole number/);
  assert.match(
    problemsOf({ logRetentionDays: "10" }),
    /logRetentionDays = "10" is invalid: must be one of CloudWatch Logs' retention periods/,
  );
  assert.match(problemsOf({ alarmEmail: "nobody" }), /alarmEmail = "nobody" is invalid: must be an email address/);
  assert.match(
    problemsOf({ deletionProtection: "yes" }),
    /deletionProtection = "yes" is invalid: must be true or false/,
  );
  assert.match(problemsOf({ architecture: "x86" }), /architecture = "x86" is invalid: must be one of arm64, x86_64/);
  assert.match(
    problemsOf({ logLevel: "info" }),
    /logLevel = "info" is invalid: must be one of DEBUG, INFO, WARN, ERROR/,
  );
});

test("every problem is reported at once", () => {
  const message = problemsOf({ batchSize: "0", maxConcurrency: "1" });
  assert.match(message, /batchSize/);
  assert.match(message, /maxConcurrency/);
});

test("rules spanning two keys", () => {
  assert.match(
    problemsOf({ timeoutSeconds: "120", visibilityTimeoutSeconds: "60" }),
    /timeoutSeconds = 120 is longer than visibilityTimeoutSeconds = 60.*at least 720/,
  );
  assert.match(problemsOf({ batchSize: "50" }), /batchSize = 50 needs batchingWindowSeconds of at least 1/);
});

test("every setting has a reason and the dev stack shows every key", async () => {
  const { readFile } = await import("node:fs/promises");
  const yaml = await readFile(new URL("../Pulumi.dev.yaml", `file://${__filename}`), "utf8");
  for (const spec of SETTINGS) {
    assert.ok(spec.reason.length > 20, `${spec.key} needs a reason`);
    assert.ok(yaml.includes(`vehicle-pipeline:${spec.key}:`), `Pulumi.dev.yaml should show ${spec.key}`);
  }
});

test.run();
