// The one place tests install Pulumi mocks. uvu runs every test file in one process and setMocks can only take
// effect once (the program module is cached; a second setMocks silently records nothing), so every infra and
// artifact test awaits this same memoized synthesis of the dev stack.
import { join } from "node:path";
import { PROJECT_ROOT, stackConfigFromYaml, synthesize, type SynthesizedResource, type SynthesizedStack } from "../../local/synth";

let stack: Promise<SynthesizedStack> | undefined;

/** The dev stack (Pulumi.dev.yaml) synthesized under mocks, once per process. */
export function devStack(): Promise<SynthesizedStack> {
  if (!stack) {
    process.env.PULUMI_CONFIG = JSON.stringify(stackConfigFromYaml(join(PROJECT_ROOT, "Pulumi.dev.yaml")));
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
