import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * ts-node's compile cache kept across runs: a program change then transpiles only the files it changed (about a
 * second of a synthesis on two cores when nothing changed). Each run works on a private copy, because ts-node
 * writes its cache files in place and a second run reading one half-written would fail on broken JavaScript; new
 * entries are published by rename, which readers see whole or not at all. Entries are named by a hash of the source
 * and ts-node's options, so one never changes once written and a stale one is only a miss.
 */

/** More entries than several versions of the program need: past this the cache starts afresh. */
const MAX_ENTRIES = 1_000;

export async function withCompileCache<T>(cacheDir: string, run: (privateDir: string) => Promise<T>): Promise<T> {
  const privateDir = mkdtempSync(join(tmpdir(), "vehicle-ts-node-"));
  try {
    const known = new Set(copyEntries(cacheDir, privateDir));
    const result = await run(privateDir);
    publishBestEffort(privateDir, cacheDir, known);
    return result;
  } finally {
    rmSync(privateDir, { recursive: true, force: true });
  }
}

/** The files below a folder, as paths relative to it (ts-node keeps one subfolder per set of compiler options). */
function filesBelow(dir: string): string[] {
  const isFile = (path: string) => {
    try {
      return statSync(join(dir, path)).isFile();
    } catch {
      return false; // removed meanwhile
    }
  };
  try {
    return existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: "utf8" }).filter(isFile) : [];
  } catch {
    return []; // not a folder, or unreadable: no cache
  }
}

/** Copies what the shared cache holds; an entry removed meanwhile is a miss. Returns the paths copied. */
function copyEntries(from: string, to: string): string[] {
  const copied: string[] = [];
  for (const path of filesBelow(from)) {
    if (path.includes(".tmp-")) continue;
    try {
      mkdirSync(dirname(join(to, path)), { recursive: true });
      copyFileSync(join(from, path), join(to, path));
      copied.push(path);
    } catch {
      // removed by a run that started the cache afresh
    }
  }
  return copied;
}

/** The cache only saves time: a full disk or a folder removed meanwhile costs the next run a transpile, never this one. */
function publishBestEffort(privateDir: string, cacheDir: string, known: ReadonlySet<string>): void {
  try {
    const fresh = filesBelow(privateDir).filter((path) => !known.has(path));
    if (fresh.length === 0) return;
    if (known.size + fresh.length > MAX_ENTRIES) startAfresh(cacheDir);
    for (const path of fresh) publishEntry(join(privateDir, path), join(cacheDir, path));
  } catch {
    // see above
  }
}

function publishEntry(source: string, target: string): void {
  const staged = `${target}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(source, staged);
    renameSync(staged, target);
  } catch {
    try {
      rmSync(staged, { force: true });
    } catch {
      // the folder itself is gone or not a folder: nothing was staged
    }
  }
}

/** Moved aside before it is removed: a run copying from it meanwhile gets fewer entries (misses), never a torn file. */
function startAfresh(cacheDir: string): void {
  const aside = `${cacheDir}.old-${process.pid}`;
  renameSync(cacheDir, aside);
  rmSync(aside, { recursive: true, force: true });
}
