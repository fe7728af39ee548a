// One type-checked run of the dev stack through Pulumi's language host (what `pulumi up` runs), shared by every test
// file of the process: the engine's own tests assert on it, the embedded cloud's test compares what it deployed
// with it. A program run costs seconds on two cores, so it happens once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LanguageHostStack, synthesizeWithLanguageHost } from "../../engine/synthesize";

// ts-node's disk cache can hide a type error in an unchanged importer: each test process gets its own, empty.
export const compileCacheDir = mkdtempSync(join(tmpdir(), "engine-test-ts-node-"));
process.on("exit", () => rmSync(compileCacheDir, { recursive: true, force: true }));

let update: Promise<LanguageHostStack> | undefined;

/** The dev stack, updated (ids, ARNs and URLs known) and type-checked, once per process. */
export function devUpdate(): Promise<LanguageHostStack> {
  update ??= synthesizeWithLanguageHost({ stack: "dev", dryRun: false, compileCacheDir });
  return update;
}
