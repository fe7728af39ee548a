// Prints the synthesized stack as JSON on stdout, so the embedded cloud can synthesize in a child process (a fresh
// module cache, so changed config takes effect). Config: PULUMI_CONFIG if set, else the stack file
// (SYNTH_STACK_FILE, or Pulumi.<PULUMI_STACK|dev>.yaml) with the SYNTH_CONFIG_OVERRIDES JSON object over it.
// With SYNTH_PRINT_CONFIG=1 the printed object also carries `config`, the PULUMI_CONFIG the program saw: the
// embedded cloud lets this process read the stack file, which needs @pulumi/pulumi (about 2 s to load), rather than
// loading it a second time itself before this process could even start.
// Exit code 1 with the program's error (e.g. the ConfigError naming each bad key) on stderr.
import { join } from "node:path";
import { PROJECT_ROOT, stackConfigFromYaml, synthesize } from "./synth";

async function main(): Promise<void> {
  // Pulumi finds package.json (and so the archive's node_modules paths) from the working directory.
  process.chdir(PROJECT_ROOT);
  if (!process.env.PULUMI_CONFIG) {
    const stackFile =
      process.env.SYNTH_STACK_FILE || join(PROJECT_ROOT, `Pulumi.${process.env.PULUMI_STACK ?? "dev"}.yaml`);
    const overrides = JSON.parse(process.env.SYNTH_CONFIG_OVERRIDES || "{}") as Record<string, string>;
    process.env.PULUMI_CONFIG = JSON.stringify({ ...stackConfigFromYaml(stackFile), ...overrides });
  }
  const stack = await synthesize();
  const printed =
    process.env.SYNTH_PRINT_CONFIG === "1"
      ? { ...stack, config: JSON.parse(process.env.PULUMI_CONFIG) as Record<string, string> }
      : stack;
  process.stdout.write(`${JSON.stringify(printed)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
