import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadSettings } from "../components/config";
import {
  ConfigError,
  consumerFunction,
  PROJECT_ROOT,
  StackConfigError,
  type SynthesizedStack,
  stackConfigFromYaml,
} from "../contracts";
import { synthesizeWithLanguageHost } from "../engine/synthesize";
import { devStackConfig } from "./support/pulumi";

const test = suite("infra: stack configuration");

/** Runs the synthesizer in a child process (fresh module cache): the only way to run the program twice. */
function synthCli(config: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--require", "tsx/cjs", join(PROJECT_ROOT, "engine", "mock-synthesis-cli.ts")],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, PULUMI_CONFIG: JSON.stringify(config) },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function configLike(values: Record<string, string>): pulumi.Config {
  return { name: "vehicle-pipeline", get: (key: string) => values[key] } as unknown as pulumi.Config;
}

test("loadSettings reads Pulumi config and rejects invalid values with a ConfigError naming the key", () => {
  assert.is(loadSettings(configLike({ batchSize: "7" })).batchSize, 7);
  assert.throws(
    () => loadSettings(configLike({ batchSize: "0" })),
    (error: unknown) =>
      error instanceof ConfigError && /vehicle-pipeline:batchSize = "0"/.test((error as Error).message),
  );
  assert.throws(
    () => loadSettings(configLike({ timeoutSeconds: "120", visibilityTimeoutSeconds: "60" })),
    /timeoutSeconds = 120 is longer than visibilityTimeoutSeconds = 60/,
  );
});

test("the program fails with the ConfigError message before creating anything, and succeeds on the dev stack", async () => {
  const [bad, good] = await Promise.all([
    synthCli({ ...devStackConfig(), "vehicle-pipeline:batchSize": "0", "vehicle-pipeline:maxConcurrency": "1" }),
    synthCli(devStackConfig()),
  ]);
  assert.is.not(bad.code, 0);
  assert.match(bad.stderr, /invalid stack configuration/);
  assert.match(bad.stderr, /vehicle-pipeline:batchSize = "0" is invalid: must be from 1 to 10000/);
  assert.match(bad.stderr, /vehicle-pipeline:maxConcurrency = "1" is invalid: must be from 2 to 1000/);
  assert.is(bad.stdout, "");
  assert.is(good.code, 0, good.stderr);
  const stack = JSON.parse(good.stdout) as SynthesizedStack;
  assert.ok(stack.resources.some((r) => r.type === "aws:lambda/function:Function"));
  assert.match(stack.outputs.queueUrl, /^https:\/\/sqs\./);
});

test("stackConfigFromYaml gives PULUMI_CONFIG's shape: every key, values as strings", () => {
  const dir = mkdtempSync(join(tmpdir(), "stack-config-"));
  try {
    const path = join(dir, "Pulumi.test.yaml");
    writeFileSync(
      path,
      "config:\n  aws:region: eu-west-1\n  vehicle-pipeline:batchSize: 25\n  vehicle-pipeline:deletionProtection: true\n  vehicle-pipeline:tags:\n    team: cars\n",
    );
    assert.equal(stackConfigFromYaml(path), {
      "aws:region": "eu-west-1",
      "vehicle-pipeline:batchSize": "25",
      "vehicle-pipeline:deletionProtection": "true",
      "vehicle-pipeline:tags": '{"team":"cars"}',
    });
    writeFileSync(path, "config:\n  vehicle-pipeline:alarmEmail:\n    secure: AAABAK\n");
    assert.throws(
      () => stackConfigFromYaml(path),
      (error: unknown) => error instanceof StackConfigError && /alarmEmail is a secret/.test((error as Error).message),
    );
    assert.throws(
      () => stackConfigFromYaml(join(dir, "missing.yaml")),
      (error: unknown) => error instanceof StackConfigError,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the dev stack file shows the region and the pipeline's keys", () => {
  const config = devStackConfig();
  assert.is(config["aws:region"], "us-east-1");
  assert.is(config["vehicle-pipeline:batchSize"], "10");
});

test("architecture and log level set in the stack reach the function, as `pulumi up` runs the program", async () => {
  const stack = await synthesizeWithLanguageHost({
    stack: "dev",
    dryRun: true,
    transpileOnly: true,
    configOverrides: { "vehicle-pipeline:architecture": "x86_64", "vehicle-pipeline:logLevel": "DEBUG" },
  });
  const { inputs } = consumerFunction(stack);
  assert.equal(inputs.architectures, ["x86_64"]);
  assert.is(inputs.environment.variables.LOG_LEVEL, "DEBUG");
});

test.run();
