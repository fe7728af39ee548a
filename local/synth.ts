import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { strToU8, zipSync } from "fflate";
import { parse } from "yaml";

/**
 * Runs the Pulumi program (index.ts) under pulumi.runtime.setMocks, without the CLI or AWS, and returns every
 * resource with the inputs the provider would receive. The tests assert on this; the embedded cloud builds its
 * emulated resources from it, so both read the same program `pulumi up` deploys.
 */

/**
 * Resource inputs, state and stack outputs as plain JSON-like values. Their shape depends on the resource type,
 * and every reader (the deployer, the tests) checks what it reads, so they stay untyped here.
 */
// biome-ignore lint/suspicious/noExplicitAny: provider-shaped values; each reader checks the fields it uses
export type PlainValues = Record<string, any>;

export interface SynthesizedResource {
  type: string;
  name: string;
  urn: string;
  id: string;
  parent?: string;
  /** Inputs as the provider would receive them (plain values). */
  inputs: PlainValues;
  state: PlainValues;
}

export interface SynthesizedStack {
  resources: SynthesizedResource[];
  outputs: PlainValues;
}

/** What replaces a Function's `code` input: the serialized handler and what the archive would carry. */
export interface SynthesizedCode {
  /** Text of `__index.js`, the serialized callbackFactory with captured values inlined; exports `handler`. */
  indexJs: string;
  /** Package names the archive carries (a package nested at several depths appears once). */
  packages: string[];
  /** The archive's package folders, relative to the project root, e.g. node_modules/valibot. */
  paths: string[];
}

const PROJECT = "vehicle-pipeline";
/** The project root (where package.json and node_modules are). */
export const PROJECT_ROOT = resolve(__dirname, "..");
const MOCK_ACCOUNT_ID = "123456789012";
const FUNCTION_TYPE = "aws:lambda/function:Function";

/** Thrown when a stack file cannot be read as Pulumi stack configuration. */
export class StackConfigError extends Error {
  constructor(path: string, why: string) {
    super(`cannot read stack configuration from ${path}: ${why}`);
    this.name = "StackConfigError";
  }
}

/**
 * Reads Pulumi.<stack>.yaml into the shape of PULUMI_CONFIG (what the CLI hands the program): every `config` key
 * with its value as a string, objects and arrays as JSON. Secure values (`{secure: ...}`) cannot be decrypted
 * without the CLI and are rejected with a clear message.
 */
export function stackConfigFromYaml(path: string): Record<string, string> {
  let document: unknown;
  try {
    document = parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new StackConfigError(path, (error as Error).message);
  }
  const config = (document as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config))
    throw new StackConfigError(path, "`config` must be a map of key: value");
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value !== null && typeof value === "object" && "secure" in value) {
      throw new StackConfigError(
        path,
        `${key} is a secret; set it in PULUMI_CONFIG yourself, the synthesizer cannot decrypt it`,
      );
    }
    result[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return result;
}

/** A short stable suffix, like the one the engine's auto-naming adds (there it is random). */
function autoName(name: string): string {
  return `${name}-${createHash("sha1").update(name).digest("hex").slice(0, 7)}`;
}

/** The state a real create would return for the attributes the program reads (at least arn and name, or `queue.arn` and the like stay undefined). */
function mockState(
  type: string,
  name: string,
  inputs: PlainValues,
  region: string,
): { id: string; state: PlainValues } {
  const physical: string = typeof inputs.name === "string" ? inputs.name : autoName(name);
  const at = `${region}:${MOCK_ACCOUNT_ID}`;
  switch (type) {
    case "aws:sqs/queue:Queue": {
      const url = `https://sqs.${region}.amazonaws.com/${MOCK_ACCOUNT_ID}/${physical}`;
      return { id: url, state: { ...inputs, name: physical, url, arn: `arn:aws:sqs:${at}:${physical}` } };
    }
    case "aws:dynamodb/table:Table":
      return { id: physical, state: { ...inputs, name: physical, arn: `arn:aws:dynamodb:${at}:table/${physical}` } };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { id: physical, state: { ...inputs, name: physical, arn: `arn:aws:logs:${at}:log-group:${physical}` } };
    case "aws:iam/role:Role":
      return {
        id: physical,
        state: { ...inputs, name: physical, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${physical}` },
      };
    case "aws:iam/policy:Policy":
      return {
        id: `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/${physical}`,
        state: { ...inputs, name: physical, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/${physical}` },
      };
    case FUNCTION_TYPE: {
      const arn = `arn:aws:lambda:${at}:function:${physical}`;
      return {
        id: physical,
        state: {
          ...inputs,
          name: physical,
          arn,
          qualifiedArn: `${arn}:$LATEST`,
          invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
        },
      };
    }
    case "aws:lambda/eventSourceMapping:EventSourceMapping": {
      const uuid = createHash("sha1").update(name).digest("hex");
      const id = `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(12, 16)}-${uuid.slice(16, 20)}-${uuid.slice(20, 32)}`;
      return { id, state: { ...inputs, uuid: id, arn: `arn:aws:lambda:${at}:event-source-mapping:${id}` } };
    }
    default:
      return {
        id: `${physical}-id`,
        state: { ...inputs, name: physical, arn: `arn:aws:${type.split(":")[1]?.split("/")[0]}:${at}:${physical}` },
      };
  }
}

/** node_modules/a/node_modules/@s/b/lib/cjs -> "@s/b": the innermost package a path belongs to. */
function packageNameOf(path: string): string {
  const [first = "", second = ""] = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length).split("/");
  return first.startsWith("@") ? `${first}/${second}` : first;
}

/** Replaces the AssetArchive the CallbackFunction built with what a test can read. */
async function describeCode(code: {
  assets: Promise<Record<string, { text?: Promise<string> }>>;
}): Promise<SynthesizedCode> {
  const assets = await code.assets;
  const index = assets["__index.js"];
  if (index === undefined)
    throw new Error(`the Function's archive has no __index.js (entries: ${Object.keys(assets).join(", ")})`);
  const paths = Object.keys(assets)
    .filter((key) => key !== "__index.js")
    .sort();
  const packages = [...new Set(paths.map(packageNameOf))].sort();
  return { indexJs: String(await index.text), packages, paths };
}

let synthesized: Promise<SynthesizedStack> | undefined;

/**
 * Runs index.ts under mocks, once per process (setMocks and the program module can only be installed once: a second
 * setMocks in the same process silently records nothing). Config comes from PULUMI_CONFIG as it is when first
 * called. Rejects with the program's error, e.g. a ConfigError for invalid settings.
 */
export function synthesize(): Promise<SynthesizedStack> {
  synthesized ??= run();
  return synthesized;
}

async function run(): Promise<SynthesizedStack> {
  if (resolve(process.cwd()) !== PROJECT_ROOT) {
    // Pulumi finds package.json and writes the archive's node_modules paths relative to the working directory.
    throw new Error(
      `synthesize() must run with the project root as working directory (${PROJECT_ROOT}), not ${process.cwd()}`,
    );
  }
  // Set explicitly: Pulumi reads PULUMI_CONFIG when its store is first created, which may have happened on import.
  const config: Record<string, string> = process.env.PULUMI_CONFIG ? JSON.parse(process.env.PULUMI_CONFIG) : {};
  pulumi.runtime.setAllConfig(config);
  const region = config["aws:region"] ?? "us-east-1";
  const stack = process.env.PULUMI_STACK ?? "dev";

  const recorded = new Map<
    string,
    { type: string; name: string; inputs: PlainValues; id: string; state: PlainValues }
  >();
  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        if (args.type === "pulumi:pulumi:Stack") return { id: undefined, state: {} };
        const key = `${args.type}::${args.name}`;
        if (recorded.has(key))
          throw new Error(`two resources share type and name ${key}; the synthesizer keys on them`);
        const inputs: PlainValues = { ...args.inputs };
        if (args.type === FUNCTION_TYPE && inputs.code) inputs.code = await describeCode(inputs.code);
        const { id, state } =
          args.custom === false ? { id: "", state: {} } : mockState(args.type, args.name, inputs, region);
        recorded.set(key, { type: args.type, name: args.name, inputs, id, state });
        return { id: args.custom === false ? undefined : id, state };
      },
      call(args) {
        // The provider's answer about its own region: what the stack configured, as the engine would report it.
        if (args.token === "aws:index/getRegion:getRegion")
          return { region, name: region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
        throw new Error(`the program made an unexpected invoke ${args.token}; add a mock for it in local/synth.ts`);
      },
    },
    PROJECT,
    stack,
    false,
  );

  const created: { resource: pulumi.Resource; parent?: pulumi.Resource }[] = [];
  const outputs = await pulumi.runtime.runInPulumiStack(async () => {
    // Records each resource and its parent; mocks see neither the URN nor the parent.
    pulumi.runtime.registerStackTransformation((args) => {
      created.push({ resource: args.resource, parent: args.opts.parent });
      return undefined;
    });
    const program = require("../index.ts") as Record<string, unknown>;
    return Object.fromEntries(Object.entries(program).filter(([key]) => key !== "default" && key !== "__esModule"));
  });

  const urnOf = (resource: pulumi.Resource) => new Promise<string>((done) => resource.urn.apply(done));
  const resources: SynthesizedResource[] = [];
  for (const { resource, parent } of created) {
    const urn = await urnOf(resource);
    const [type, name] = [urn.split("::")[2]!.split("$").pop()!, urn.split("::").slice(3).join("::")];
    const entry = recorded.get(`${type}::${name}`);
    if (!entry) throw new Error(`no mock record for ${urn}`);
    resources.push({
      ...entry,
      urn,
      ...(parent && !(parent as { __pulumiType?: string }).__pulumiType?.startsWith("pulumi:pulumi:Stack")
        ? { parent: await urnOf(parent) }
        : {}),
    });
  }
  return { resources, outputs: (outputs ?? {}) as PlainValues };
}

/** The one Function (the consumer) of a synthesized stack, with its code description. */
export function consumerFunction(stack: SynthesizedStack): SynthesizedResource & { inputs: { code: SynthesizedCode } } {
  const functions = stack.resources.filter((r) => r.type === FUNCTION_TYPE);
  if (functions.length !== 1) throw new Error(`expected one Lambda function, found ${functions.length}`);
  return functions[0] as SynthesizedResource & { inputs: { code: SynthesizedCode } };
}

export interface ArchiveMeasurement {
  /** Size of the zip (deflate level 6, like the engine's archive writer) in bytes. */
  zippedBytes: number;
  unzippedBytes: number;
  files: number;
}

/**
 * The files of the Lambda deployment zip, as the engine builds it from the AssetArchive: `__index.js` plus every file
 * under each archive path (symlinks skipped: npm's .bin links are not code the function loads). `root` is the
 * directory the paths are relative to: the project root (Pulumi computes them from the working directory).
 */
function archiveFiles(
  code: Pick<SynthesizedCode, "indexJs" | "paths">,
  root = PROJECT_ROOT,
): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = { "__index.js": strToU8(code.indexJs) };
  const walk = (relative: string): void => {
    const stat = lstatSync(join(root, relative));
    if (stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      for (const entry of readdirSync(join(root, relative))) walk(`${relative}/${entry}`);
    } else if (stat.isFile()) {
      files[relative] = readFileSync(join(root, relative));
    }
  };
  for (const path of code.paths) walk(path);
  return files;
}

/** Builds the deployment zip in memory and returns its size (for the artifact test and `npm run bench`). */
export function measureArchive(
  code: Pick<SynthesizedCode, "indexJs" | "paths">,
  root = PROJECT_ROOT,
): ArchiveMeasurement {
  const files = archiveFiles(code, root);
  const unzippedBytes = Object.values(files).reduce((sum, bytes) => sum + bytes.length, 0);
  return { zippedBytes: zipSync(files, { level: 6 }).length, unzippedBytes, files: Object.keys(files).length };
}

/** Writes the archive's files under `dir`, as Lambda unpacks it into /var/task. */
export function unpackArchive(
  code: Pick<SynthesizedCode, "indexJs" | "paths">,
  dir: string,
  root = PROJECT_ROOT,
): void {
  for (const [path, bytes] of Object.entries(archiveFiles(code, root))) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
}
