import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { withCompileCache } from "../engine/compile-cache";

/** A run that finds what it is given and transpiles `files` into ts-node's options subfolder. */
function transpiling(files: Record<string, string>, seen: string[][] = []) {
  return async (privateDir: string) => {
    seen.push(existsSync(join(privateDir, "options")) ? readdirSync(join(privateDir, "options")).sort() : []);
    mkdirSync(join(privateDir, "options"), { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(privateDir, "options", name), text);
    return privateDir;
  };
}

function withCacheDir(body: (cacheDir: string) => Promise<void>) {
  return async () => {
    const root = mkdtempSync(join(tmpdir(), "compile-cache-test-"));
    try {
      await body(join(root, "ts-node-cache"));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

test(
  "a run finds what earlier runs transpiled, adds its own, and leaves no staged file",
  withCacheDir(async (cacheDir) => {
    const seen: string[][] = [];
    const first = await withCompileCache(cacheDir, transpiling({ "a.js": "a" }, seen));
    await withCompileCache(cacheDir, transpiling({ "b.js": "b" }, seen));
    assert.equal(seen, [[], ["a.js"]]);
    assert.equal(readdirSync(join(cacheDir, "options")).sort(), ["a.js", "b.js"]);
    assert.is(readFileSync(join(cacheDir, "options", "b.js"), "utf8"), "b");
    assert.not.ok(existsSync(first), "the run's private copy is removed");
  }),
);

test(
  "a failed run publishes nothing and removes its private copy",
  withCacheDir(async (cacheDir) => {
    let privateDir = "";
    const failing = async (dir: string) => {
      privateDir = dir;
      await transpiling({ "c.js": "c" })(dir);
      throw new Error("the program failed");
    };
    await withCompileCache(cacheDir, failing).then(
      () => assert.unreachable("the run's error must reach the caller"),
      (error: Error) => assert.is(error.message, "the program failed"),
    );
    assert.not.ok(existsSync(cacheDir));
    assert.not.ok(existsSync(privateDir));
  }),
);

test(
  "runs side by side each work on their own copy and both publish",
  withCacheDir(async (cacheDir) => {
    await Promise.all([
      withCompileCache(cacheDir, transpiling({ "x.js": "x" })),
      withCompileCache(cacheDir, transpiling({ "y.js": "y" })),
    ]);
    assert.equal(readdirSync(join(cacheDir, "options")).sort(), ["x.js", "y.js"]);
  }),
);

test(
  "a cache that cannot be read or written costs a transpile, never the run",
  withCacheDir(async (cacheDir) => {
    writeFileSync(cacheDir, "a file where the cache folder should be");
    const result = await withCompileCache(cacheDir, async (privateDir) => {
      await transpiling({ "z.js": "z" })(privateDir);
      return "synthesized";
    });
    assert.is(result, "synthesized");
    assert.is(readFileSync(cacheDir, "utf8"), "a file where the cache folder should be");
  }),
);

test.run();
