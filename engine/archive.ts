import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { strToU8, zipSync } from "fflate";
import { PROJECT_ROOT, type SynthesizedCode } from "../contracts";

/** The Lambda deployment archive a Function's code describes: its files, its size, unpacked like /var/task. */

/** node_modules/a/node_modules/@s/b/lib/cjs -> "@s/b": the innermost package a path belongs to. */
export function packageNameOf(path: string): string {
  const [first = "", second = ""] = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length).split("/");
  return first.startsWith("@") ? `${first}/${second}` : first;
}

export interface ArchiveMeasurement {
  /** Size of the zip (deflate level 6, like the engine's archive writer) in bytes. */
  zippedBytes: number;
  unzippedBytes: number;
  files: number;
}

/**
 * The files of the Lambda deployment zip, as the engine builds it from the AssetArchive: `__index.js` plus every file
 * under each archive path (symlinks skipped: npm's .bin links are not code the function loads). `root` is the
 * directory the paths are relative to: the project root (Pulumi computes them from the working directory).
 */
function archiveFiles(
  code: Pick<SynthesizedCode, "indexJs" | "paths">,
  root = PROJECT_ROOT,
): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = { "__index.js": strToU8(code.indexJs) };
  const walk = (relative: string): void => {
    const stat = lstatSync(join(root, relative));
    if (stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      for (const entry of readdirSync(join(root, relative))) walk(`${relative}/${entry}`);
    } else if (stat.isFile()) {
      files[relative] = readFileSync(join(root, relative));
    }
  };
  for (const path of code.paths) walk(path);
  return files;
}

/** Builds the deployment zip in memory and returns its size (for the artifact test and `npm run bench`). */
export function measureArchive(
  code: Pick<SynthesizedCode, "indexJs" | "paths">,
  root = PROJECT_ROOT,
): ArchiveMeasurement {
  const files = archiveFiles(code, root);
  const unzippedBytes = Object.values(files).reduce((sum, bytes) => sum + bytes.length, 0);
  return { zippedBytes: zipSync(files, { level: 6 }).length, unzippedBytes, files: Object.keys(files).length };
}

/** Writes the archive's files under `dir`, as Lambda unpacks it into /var/task. */
export function unpackArchive(
  code: Pick<SynthesizedCode, "indexJs" | "paths">,
  dir: string,
  root = PROJECT_ROOT,
): void {
  for (const [path, bytes] of Object.entries(archiveFiles(code, root))) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
}
