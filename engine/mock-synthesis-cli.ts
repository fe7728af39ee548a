// Prints the stack synthesized under mocks as JSON on stdout, for tests that need the program under other config
// (a fresh process, since setMocks takes effect once per process). Config: PULUMI_CONFIG if set, else
// Pulumi.<PULUMI_STACK|dev>.yaml. Exit code 1 with the program's error (e.g. the ConfigError naming each bad key)
// on stderr.
import { synthesize } from "./mock-synthesis";
import { PROJECT_ROOT, stackConfigFromYaml, stackFilePath } from "./project";

async function main(): Promise<void> {
  // Pulumi finds package.json (and so the archive's node_modules paths) from the working directory.
  process.chdir(PROJECT_ROOT);
  process.env.PULUMI_CONFIG ||= JSON.stringify(stackConfigFromYaml(stackFilePath(process.env.PULUMI_STACK ?? "dev")));
  process.stdout.write(`${JSON.stringify(await synthesize())}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
