// The in-process engine's pure parts (the language host's flags and env, the wire encoding, the preview text)
// and the preview CLI's flag handling; none of these runs the program.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { PROJECT_ROOT } from "../contracts";
import { languageHostArgs, languageHostConfig, languageHostEnv, type ProgramRun } from "../engine/language-host";
import { previewOrRefuse } from "../engine/preview-report";
import { describeCodeArchive, plainValue, UNKNOWN } from "../engine/properties";
import { providerAnswer } from "../engine/provider-state";
import type { LanguageHostStack } from "../engine/synthesize";

const test = suite("engine: pure parts and the preview CLI's flags");
const { specialSigKey, specialSecretSig, specialAssetSig, specialArchiveSig, specialResourceSig } = pulumi.runtime;

const run: ProgramRun = {
  engineAddress: "127.0.0.1:5000",
  project: "vehicle-pipeline",
  stack: "dev",
  organization: "organization",
  root: "/repo",
  syncDir: "/tmp/sync",
  dryRun: true,
  parallel: 16,
  config: { "aws:region": "us-east-1", "vehicle-pipeline:batchSize": "10" },
  secretKeys: [],
  transpileOnly: false,
};

test("the language host gets pulumi-language-nodejs's flags, config keys as ns:config:key", () => {
  const args = languageHostArgs(run);
  assert.match(args[0]!, /@pulumi\/pulumi\/cmd\/run\/index\.js$/);
  assert.equal(args.slice(1, 7), ["--monitor", "127.0.0.1:5000", "--engine", "127.0.0.1:5000", "--sync", "/tmp/sync"]);
  assert.ok(args.includes("--dry-run"));
  assert.not.ok(languageHostArgs({ ...run, dryRun: false }).includes("--dry-run"));
  assert.equal(args.slice(-3), ["--parallel", "16", "."]);
  assert.equal(languageHostConfig(run.config), {
    "aws:config:region": "us-east-1",
    "vehicle-pipeline:config:batchSize": "10",
  });
});

test("env: type checking on and ts-node's cache off by default; the caller's Pulumi settings do not leak", () => {
  const env = languageHostEnv(run, {
    PATH: "/bin",
    PULUMI_CONFIG: '{"x:y":"1"}',
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
  });
  assert.is(env.PATH, "/bin");
  assert.is(env.PULUMI_NODEJS_TYPESCRIPT, "true");
  assert.is(env.PULUMI_NODEJS_TRANSPILE_ONLY, undefined);
  assert.is(env.TS_NODE_CACHE, "false");
  assert.equal(JSON.parse(env.PULUMI_CONFIG!), languageHostConfig(run.config));
  assert.is(env.PULUMI_CONFIG_SECRET_KEYS, "[]");
  const cached = languageHostEnv({ ...run, transpileOnly: true, compileCacheDir: "/tmp/c" }, {});
  assert.is(cached.PULUMI_NODEJS_TRANSPILE_ONLY, "true");
  assert.is(cached.TS_NODE_CACHE_DIRECTORY, "/tmp/c");
  assert.is(cached.TS_NODE_CACHE, undefined);
});

test("wire values: secrets unwrapped, resource references as their id, unknowns kept", () => {
  assert.equal(
    plainValue({
      a: { [specialSigKey]: specialSecretSig, value: { b: [1, "x"] } },
      role: { [specialSigKey]: specialResourceSig, urn: "urn:r", id: "role-1" },
      component: { [specialSigKey]: specialResourceSig, urn: "urn:c", id: "" },
      later: UNKNOWN,
    }),
    { a: { b: [1, "x"] }, role: "role-1", component: "urn:c", later: UNKNOWN },
  );
});

test("the Function's archive becomes the serialized text and its package folders", () => {
  const code = describeCodeArchive({
    [specialSigKey]: specialArchiveSig,
    assets: {
      "__index.js": { [specialSigKey]: specialAssetSig, text: "exports.handler = 1;" },
      "node_modules/valibot": { [specialSigKey]: specialArchiveSig, path: "node_modules/valibot" },
      "node_modules/a/node_modules/@s/b": { [specialSigKey]: specialArchiveSig, path: "x" },
    },
  });
  assert.equal(code, {
    indexJs: "exports.handler = 1;",
    packages: ["@s/b", "valibot"],
    paths: ["node_modules/a/node_modules/@s/b", "node_modules/valibot"],
  });
  assert.throws(() => describeCodeArchive(UNKNOWN), /not an asset archive/);
});

test("provider answers: a preview leaves id and computed attributes unknown, the name known", () => {
  const created = providerAnswer("aws:sqs/queue:Queue", "vehicles", {}, "eu-west-1", false);
  assert.match(created.id, /^https:\/\/sqs\.eu-west-1\.amazonaws\.com\/\d{12}\/vehicles-[0-9a-f]{7}$/);
  assert.is(created.state.url, created.id);
  const previewed = providerAnswer("aws:sqs/queue:Queue", "vehicles", {}, "eu-west-1", true);
  assert.equal(previewed, { id: UNKNOWN, state: { name: created.state.name, url: UNKNOWN, arn: UNKNOWN } });
});

test("the preview text says it is a rehearsal, groups resources by type and marks unknown outputs", () => {
  const stack = {
    resources: [
      { type: "aws:sqs/queue:Queue", name: "vehicles", inputs: {}, state: {} },
      { type: "aws:sqs/queue:Queue", name: "vehicles-dlq", inputs: {}, state: {} },
    ],
    outputs: { queueUrl: UNKNOWN, functionName: "vehicle-consumer-dev" },
    config: { "vehicle-pipeline:batchSize": "10" },
    diagnostics: [],
    durationMs: 1500,
  } as unknown as LanguageHostStack;
  let text = "";
  previewOrRefuse(stack, { stack: "dev", stackFile: "Pulumi.dev.yaml", transpileOnly: false }, (t) => {
    text += t;
  });
  assert.match(text, "not a diff against a\ndeployed stack");
  assert.match(text, "+ aws:sqs/queue:Queue x2: vehicles, vehicles-dlq");
  assert.match(text, "vehicle-pipeline:batchSize = 10");
  assert.match(text, "queueUrl: (known after `pulumi up`)");
  assert.match(text, "functionName: vehicle-consumer-dev");
  assert.match(text, "Preflight: no violations.");
});

function preview(...args: string[]) {
  return spawnSync(process.execPath, ["--require", "tsx/cjs", join(PROJECT_ROOT, "engine/preview-cli.ts"), ...args], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
}

test("npm run preview: an unknown flag or stack exits 2 pointing at --help, before running anything", () => {
  const flag = preview("--stak", "dev");
  assert.is(flag.status, 2, flag.stderr);
  assert.is(flag.stderr, "error: unknown option --stak\nrun `npm run preview -- --help` for usage\n");
  const stack = preview("--stack", "nosuch");
  assert.is(stack.status, 2, stack.stderr);
  assert.match(stack.stderr, /^error: --stack nosuch: there is no Pulumi\.nosuch\.yaml; stacks here: dev, faults\n/);
});

test.run();
