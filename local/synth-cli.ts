// Prints the synthesized stack as JSON on stdout, so the embedded cloud can synthesize in a child process (a fresh
// module cache, so changed config takes effect). Config: PULUMI_CONFIG if set, else Pulumi.<PULUMI_STACK|dev>.yaml.
// Exit code 1 with the program's error (e.g. the ConfigError naming each bad key) on stderr.
import { join } from "node:path";
import { PROJECT_ROOT, stackConfigFromYaml, synthesize } from "./synth";

async function main(): Promise<void> {
  // Pulumi finds package.json (and so the archive's node_modules paths) from the working directory.
  process.chdir(PROJECT_ROOT);
  if (!process.env.PULUMI_CONFIG) {
    const stack = process.env.PULUMI_STACK ?? "dev";
    process.env.PULUMI_CONFIG = JSON.stringify(stackConfigFromYaml(join(PROJECT_ROOT, `Pulumi.${stack}.yaml`)));
  }
  const stack = await synthesize();
  process.stdout.write(`${JSON.stringify(stack)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
