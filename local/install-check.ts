// Loads only node: built-ins, so the CLI can run this before anything from node_modules.
import { existsSync } from "node:fs";
import { join } from "node:path";

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

/** The repository root: local/ sits directly below it. */
const ROOT = join(__dirname, "..");

/** Something the embedded cloud needs is not installed; the message says what to run. */
class MissingInstallError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(
      `the embedded cloud needs ${missing.join(", ")}, which ${missing.length === 1 ? "is" : "are"} not installed: run \`npm ci\` in ${ROOT} first`,
    );
    this.name = "MissingInstallError";
  }
}

/** Throws MissingInstallError naming every package node_modules lacks. */
export function checkInstall(root = ROOT): void {
  const missing = REQUIRED.filter((name) => !existsSync(join(root, "node_modules", name, "package.json")));
  if (missing.length > 0) throw new MissingInstallError(missing);
}
