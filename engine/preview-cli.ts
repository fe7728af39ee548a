// `npm run preview [-- --stack dev] [--transpile-only]`: what `pulumi preview` would create, rehearsed locally
// through Pulumi's own Node language host. Exit 0 on success, 1 when the program fails (e.g. invalid config, with
// the key named), 2 on bad flags.
import { parseArgs } from "node:util";
import { formatPreview } from "./preview-report";
import { synthesizeWithLanguageHost } from "./synthesize";

const USAGE = "usage: npm run preview [-- --stack <name>] [--transpile-only]";

function flags(): { stack: string; transpileOnly: boolean } | undefined {
  try {
    const { values } = parseArgs({
      options: {
        stack: { type: "string", default: "dev" },
        "transpile-only": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    if (!/^[\w.-]+$/.test(values.stack)) throw new Error(`--stack must be a stack name, not "${values.stack}"`);
    return { stack: values.stack, transpileOnly: values["transpile-only"] };
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const options = flags();
  if (!options) return;
  process.stderr.write(`Running the program for stack "${options.stack}" through Pulumi's language host...\n`);
  const stack = await synthesizeWithLanguageHost({ ...options, dryRun: true });
  process.stdout.write(formatPreview(stack, { ...options, stackFile: `Pulumi.${options.stack}.yaml` }));
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
