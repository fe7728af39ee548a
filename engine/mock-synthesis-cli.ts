// Prints the stack synthesized under mocks as JSON on stdout, for tests that need the program under other config
// (a fresh process, since setMocks takes effect once per process). Config: PULUMI_CONFIG if set, else
// Pulumi.<$PULUMI_STACK, else dev>.yaml. A program that refuses its config exits 1 with its message (the
// ConfigError naming each bad key), as `pulumi up` prints it.
import * as pulumi from "@pulumi/pulumi";
import {
  defaultStack,
  OperatorError,
  PROJECT_ROOT,
  reportError,
  stackConfigFromYaml,
  stackFileNamed,
} from "../contracts";
import { synthesize } from "./mock-synthesis";

async function main(): Promise<void> {
  // Pulumi finds package.json (and so the archive's node_modules paths) from the working directory.
  process.chdir(PROJECT_ROOT);
  process.env.PULUMI_CONFIG ||= JSON.stringify(stackConfigFromYaml(stackFileNamed(defaultStack(), "$PULUMI_STACK")));
  process.stdout.write(`${JSON.stringify(await synthesize())}\n`);
}

main().catch((error: unknown) => {
  // The program refuses invalid settings with a RunError (index.ts), which `pulumi up` prints without a stack trace.
  const refusal = pulumi.RunError.isInstance(error) ? new OperatorError((error as Error).message) : error;
  process.exitCode = reportError(refusal, (line) => process.stderr.write(`${line}\n`));
});
