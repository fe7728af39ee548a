// package.json's commands preload this (`node --import`) to run their TypeScript entry point in one process. It loads
// tsx's hooks, as `--import tsx` would, but a clone without `npm ci` gets a sentence instead of Node's stack trace for
// the missing package (local/cli.ts's own install check then names whatever else is missing). One process, where the
// tsx CLI starts a second one to run the command.
import { fileURLToPath } from "node:url";

try {
  await import("tsx");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
  process.stderr.write(`error: this command needs tsx, which is not installed\nrun \`npm ci\` in ${root} first\n`);
  process.exit(1);
}
