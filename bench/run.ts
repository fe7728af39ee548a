/**
 * `npm run bench`: every benchmark, one after another so they don't compete for the two cores, each in its own
 * process. Each writes report/BENCH-<name>.md and .json; this prints where. `npm run bench -- producer` runs one.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const BENCHMARKS = ["archive", "producer", "pipeline"] as const;

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(BENCHMARKS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}: choose from ${BENCHMARKS.join(", ")}`);
  process.exit(2);
}

let failed = 0;
for (const name of chosen.length > 0 ? chosen : BENCHMARKS) {
  console.log(`\n== bench/${name}.ts`);
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, `bench/${name}.ts`)],
    {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    },
  );
  if (result.status === 0) console.log(`results: report/BENCH-${name}.md`);
  else {
    failed += 1;
    console.error(`bench/${name}.ts failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
