import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  defaultStack,
  FUNCTION_TYPE,
  type PlainValues,
  PROJECT_NAME as PROJECT,
  PROJECT_ROOT,
  type SynthesizedCode,
  type SynthesizedResource,
  type SynthesizedStack,
} from "../contracts";
import { packageNameOf } from "./archive";
import { invokeAnswer, providerAnswer } from "./provider-state";

/**
 * Runs the Pulumi program (index.ts) in this process under pulumi.runtime.setMocks, for the unit tests: fast, and
 * able to inspect every resource, but transpiled by the test runner (tsx) rather than by Pulumi's language host, so
 * its serialized `__index.js` differs from what `pulumi up` uploads. The embedded cloud deploys from the language
 * host instead (synthesize.ts). Ids, ARNs and URLs are the ones provider-state.ts gives after an update.
 */

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

type Recorded = Omit<SynthesizedResource, "urn" | "parent">;

/** The mocks: each registration answered as the provider would after an update, and recorded by type and name. */
function recordingMocks(recorded: Map<string, Recorded>, region: string): pulumi.runtime.Mocks {
  return {
    async newResource(args) {
      if (args.type === "pulumi:pulumi:Stack") return { id: undefined, state: {} };
      const key = `${args.type}::${args.name}`;
      if (recorded.has(key)) throw new Error(`two resources share type and name ${key}; the synthesizer keys on them`);
      const inputs: PlainValues = { ...args.inputs };
      if (args.type === FUNCTION_TYPE && inputs.code) inputs.code = await describeCode(inputs.code);
      const { id, state } =
        args.custom === false ? { id: "", state: {} } : providerAnswer(args.type, args.name, inputs, region, false);
      recorded.set(key, { type: args.type, name: args.name, inputs, id, state });
      return { id: args.custom === false ? undefined : id, state };
    },
    call: (args) => invokeAnswer(args.token, region),
  };
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
  const recorded = new Map<string, Recorded>();
  await pulumi.runtime.setMocks(recordingMocks(recorded, region), PROJECT, defaultStack(), false);

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
