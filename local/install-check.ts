// Loads only node: built-ins and the kernel (which needs nothing else at load time), so the CLI can run this before
// anything from node_modules.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { OperatorError, PROJECT_ROOT } from "../contracts";

/** What the embedded cloud loads from node_modules: the emulators, the program's SDKs, the producer, tsx. */
const REQUIRED = [
  "@aws-sdk/client-sqs",
  "@aws-sdk/client-dynamodb",
  "@pulumi/pulumi",
  "@pulumi/aws",
  "fauxqs",
  "dynalite",
  "@faker-js/faker",
  "p-limit",
  "yaml",
  "tsx",
];

/** Something the embedded cloud needs is not installed; the hint says what to run. */
class MissingInstallError extends OperatorError {
  constructor(missing: readonly string[], root: string) {
    super(
      `the embedded cloud needs ${missing.join(", ")}, which ${missing.length === 1 ? "is" : "are"} not installed`,
      `run \`npm ci\` in ${root} first`,
    );
  }
}

/** Throws MissingInstallError naming every package node_modules lacks. */
export function checkInstall(root = PROJECT_ROOT): void {
  const missing = REQUIRED.filter((name) => !existsSync(join(root, "node_modules", name, "package.json")));
  if (missing.length > 0) throw new MissingInstallError(missing, root);
}
