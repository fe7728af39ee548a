import { suite } from "uvu";
import * as assert from "uvu/assert";
import { consumerCodePathOptions, type InstalledPackage, installedPackages } from "../components/consumer-archive";
import { PROJECT_ROOT } from "../contracts";

const test = suite("infra: consumer archive contents");

const pkg = (name: string, path: string, dependencies: string[] = []): InstalledPackage => ({
  name,
  path,
  dependencies,
});

test("excludes the runtime-provided SDK and type-only scopes at any depth, and what the consumer never loads", () => {
  const options = consumerCodePathOptions([
    pkg("@aws-sdk/client-sqs", "node_modules/@aws-sdk/client-sqs"),
    pkg("@smithy/util-retry", "node_modules/x/node_modules/@smithy/util-retry"),
    pkg("@types/node", "node_modules/@types/node"),
    pkg("semver", "node_modules/semver"),
    pkg("@aws/lambda-invoke-store", "node_modules/@aws/lambda-invoke-store"),
  ]);
  // @smithy is not the runtime's to provide: a @smithy package the function's own code loads must ship with it.
  assert.equal(options.extraExcludePackages, [
    "@aws-sdk/client-sqs",
    "@faker-js/faker",
    "@types/node",
    "p-limit",
    "uuidv7",
  ]);
  assert.equal(options.extraIncludePaths, []);
  assert.equal(options.extraIncludePackages, []);
});

test("dual-format packages come back as their CommonJS parts, every copy, with their dependencies", () => {
  const options = consumerCodePathOptions([
    pkg("@aws-lambda-powertools/logger", "node_modules/@aws-lambda-powertools/logger", [
      "@aws-lambda-powertools/commons",
    ]),
    pkg(
      "@aws-lambda-powertools/commons",
      "node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons",
      ["@aws/lambda-invoke-store"],
    ),
    pkg("@aws-lambda-powertools/tracer", "node_modules/@aws-lambda-powertools/tracer", [
      "aws-xray-sdk-core",
      "@aws-sdk/types",
    ]),
    pkg("@aws-sdk/types", "node_modules/@aws-sdk/types"),
    pkg("valibot", "node_modules/valibot"),
  ]);
  assert.equal(options.extraExcludePackages, [
    "@aws-lambda-powertools/commons",
    "@aws-lambda-powertools/logger",
    "@aws-lambda-powertools/tracer",
    "@aws-sdk/types",
    "@faker-js/faker",
    "p-limit",
    "uuidv7",
    "valibot",
  ]);
  assert.equal(options.extraIncludePaths, [
    "node_modules/@aws-lambda-powertools/logger/lib/cjs",
    "node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/lib/cjs",
    "node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/package.json",
    "node_modules/@aws-lambda-powertools/logger/package.json",
    "node_modules/@aws-lambda-powertools/tracer/lib/cjs",
    "node_modules/@aws-lambda-powertools/tracer/package.json",
    "node_modules/valibot/dist/index.cjs",
    "node_modules/valibot/package.json",
  ]);
  // Excluding a package stops Pulumi walking its dependencies, so the ones still needed are named; the SDK is not.
  assert.equal(options.extraIncludePackages, ["@aws/lambda-invoke-store", "aws-xray-sdk-core"]);
});

test("the CommonJS parts kept are what each installed package's require entry points at", () => {
  const installed = installedPackages(PROJECT_ROOT);
  const { extraIncludePaths } = consumerCodePathOptions(installed);
  for (const copy of installed.filter((p) => extraIncludePaths.includes(`${p.path}/package.json`))) {
    // biome-ignore lint/suspicious/noExplicitAny: package.json "exports" takes several shapes; the line below probes them
    const manifest = require(`${PROJECT_ROOT}/${copy.path}/package.json`) as { exports?: any; main?: string };
    const entry = manifest.exports?.["."]?.require?.default ?? manifest.exports?.["."]?.require ?? manifest.main;
    assert.type(entry, "string", `${copy.path} has a require entry`);
    const target = `${copy.path}/${String(entry).replace(/^\.\//, "")}`;
    assert.ok(
      extraIncludePaths.some((kept) => target === kept || target.startsWith(`${kept}/`)),
      `${target} (require entry of ${copy.name}) is not in the archive`,
    );
  }
});

test("installedPackages finds nested copies and reads dependencies", () => {
  const installed = installedPackages(PROJECT_ROOT);
  const nested = installed.filter((p) => p.name === "@aws-lambda-powertools/commons");
  assert.ok(nested.length >= 2, "Powertools packages pin their own commons");
  const tracer = installed.find((p) => p.path === "node_modules/@aws-lambda-powertools/tracer");
  assert.ok(tracer?.dependencies.includes("aws-xray-sdk-core"));
});

test.run();
