// `npm run preview [-- --stack dev] [--transpile-only]`: what `pulumi preview` would create, rehearsed locally
// through Pulumi's own Node language host, and the deploy-time rules AWS would refuse it for (the preflight). Exit 0
// on success, 1 when the program fails (e.g. invalid config, with the key named) or the stack breaks a rule AWS
// enforces at deployment (every violation named), 2 on bad flags or a stack without a Pulumi.<stack>.yaml.
import { relative } from "node:path";
import { defaultStack, EXIT, PROJECT_ROOT, parseCommandLine, reportError, stackFileNamed } from "../contracts";
import { previewOrRefuse } from "./preview-report";
import { synthesizeWithLanguageHost } from "./synthesize";

const HELP_COMMAND = "npm run preview -- --help";
const USAGE = `usage: npm run preview [-- --stack <name>] [--transpile-only]

  --stack <name>      the stack whose Pulumi.<name>.yaml gives the config (default $PULUMI_STACK, else dev)
  --transpile-only    skip ts-node's type check (faster; \`npm test\` type-checks)

After the resources, the stack is checked against the rules AWS enforces when it is deployed (a function timeout
above its queue's visibility timeout, a batch size above 10 without a batching window, maximumConcurrency outside
2-1000, policies AWS would refuse, ...), every violation at once.

Exit status: 0 previewed; 1 the program failed (e.g. invalid settings, naming each key) or AWS would refuse the
stack (every violation named); 2 bad flags or stack; 70 a bug in this repository.`;

function flags(argv: readonly string[]): { stack: string; stackFile: string; transpileOnly: boolean; help: boolean } {
  const { values } = parseCommandLine({
    args: [...argv],
    options: {
      stack: { type: "string" },
      "transpile-only": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const stack = values.stack ?? defaultStack();
  const stackFile = values.help ? "" : stackFileNamed(stack, values.stack === undefined ? "$PULUMI_STACK" : "--stack");
  return { stack, stackFile, transpileOnly: values["transpile-only"], help: values.help };
}

async function main(argv: readonly string[]): Promise<number> {
  const options = flags(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  process.stderr.write(`Running the program for stack "${options.stack}" through Pulumi's language host...\n`);
  const stack = await synthesizeWithLanguageHost({
    stack: options.stack,
    stackFile: options.stackFile,
    transpileOnly: options.transpileOnly,
    dryRun: true,
  });
  previewOrRefuse(stack, { ...options, stackFile: relative(PROJECT_ROOT, options.stackFile) }, (text) =>
    process.stdout.write(text),
  );
  return EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportError(error, (line) => process.stderr.write(`${line}\n`), HELP_COMMAND);
  },
);
