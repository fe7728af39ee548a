// `npm start` (= `tsx local/cli.ts run`) and `npm run local -- up`. This entry point loads only node: built-ins
// before checking node_modules, so a fresh clone without `npm ci` gets a sentence instead of a module stack trace.
import { checkInstall } from "./install-check";

try {
  checkInstall();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

// The SDK's Node 20 end-of-support notice would interleave with the progress lines; set the variable to keep it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// Loaded only now, after the install check, so a missing package cannot fail this file's imports.
import("./commands.js")
  .then(({ main }) => main(process.argv.slice(2)))
  .then(
    (code) => process.exit(code),
    (error: unknown) => {
      // Our named errors (EmulatorStartError, AlreadyRunningError, CliArgsError, ...) carry a complete sentence.
      const known =
        error instanceof Error &&
        /Error$/.test(error.name) &&
        !["Error", "TypeError", "RangeError", "ReferenceError", "SyntaxError"].includes(error.name);
      process.stderr.write(`${known ? (error as Error).message : ((error as Error)?.stack ?? String(error))}\n`);
      process.exit(2);
    },
  );
