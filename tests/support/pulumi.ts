// The one place tests install Pulumi mocks. uvu runs every test file in one process and setMocks can only take
// effect once (the program module is cached; a second setMocks silently records nothing), so every infra and
// artifact test awaits this same memoized synthesis of the dev stack.
import { join } from "node:path";
import {
  type PipelineSettings,
  PROJECT_ROOT,
  parseSettings,
  type SynthesizedResource,
  type SynthesizedStack,
  stackConfigFromYaml,
} from "../../contracts";
import { synthesize } from "../../engine/mock-synthesis";

let stack: Promise<SynthesizedStack> | undefined;

/** Pulumi.dev.yaml as PULUMI_CONFIG would carry it. */
export function devStackConfig(): Record<string, string> {
  return stackConfigFromYaml(join(PROJECT_ROOT, "Pulumi.dev.yaml"));
}

/** The settings the dev stack's program sees, for asserting resources against them. */
export function devSettings(): PipelineSettings {
  const prefix = "vehicle-pipeline:";
  const raw = Object.fromEntries(
    Object.entries(devStackConfig())
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  );
  return parseSettings(raw);
}

/** The dev stack (Pulumi.dev.yaml) synthesized under mocks, once per process. */
export function devStack(): Promise<SynthesizedStack> {
  if (!stack) {
    process.env.PULUMI_CONFIG = JSON.stringify(devStackConfig());
    stack = synthesize();
  }
  return stack;
}

/** The only resource of a type (and optional name); fails the test when there are none or several. */
export function only(stack: SynthesizedStack, type: string, name?: string): SynthesizedResource {
  const found = stack.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
  return found[0]!;
}

export function ofType(stack: SynthesizedStack, type: string): SynthesizedResource[] {
  return stack.resources.filter((r) => r.type === type);
}
