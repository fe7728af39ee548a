// `npm start` (= `node --import ./scripts/load-tsx.mjs local/cli.ts run`) and `npm run local -- up`. This entry point
// loads only node: built-ins and the kernel (contracts/, which needs nothing from node_modules at load time) before
// checking node_modules, so a fresh clone without `npm ci` gets a sentence instead of a module stack trace.
import { reportError } from "../contracts";
import { checkInstall } from "./install-check";
// Loads only node: built-ins and the kernel too; the engine it synthesizes with is loaded when there is work for it.
import { beginSynthesis, commandStackSource } from "./stack-source";

const HELP_COMMAND = "npm run local -- --help";
const report = (error: unknown) =>
  process.exit(reportError(error, (line) => process.stderr.write(`${line}\n`), HELP_COMMAND));

try {
  checkInstall();
} catch (error) {
  report(error);
}

// The SDK's Node 20 end-of-support notice would interleave with the progress lines; set the variable to keep it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

beginSynthesisEarly(process.argv.slice(2));

// Loaded only now, after the install check, so a missing package cannot fail this file's imports.
import("./commands.js").then(({ main }) => main(process.argv.slice(2))).then((code) => process.exit(code), report);

/**
 * A stack that must be synthesized starts now, in its child process, while this process loads the command's modules
 * (most of a second); runPipeline and `up` then find it under way. Arguments the command will refuse start nothing.
 */
function beginSynthesisEarly(argv: string[]): void {
  // require, not import(): under tsx's CommonJS hook a dynamic import of a .ts file is not transpiled.
  const { parseCliArgs } = require("./cli-args") as typeof import("./cli-args");
  try {
    const args = parseCliArgs(argv);
    if (args.command !== "help") beginSynthesis(commandStackSource(args.stackName));
  } catch {
    // the command reports it
  }
}
