/**
 * `npm run bench`: every benchmark, one after another so they don't compete for the two cores, each in its own
 * process. Each writes report/BENCH-<name>.md and .json; this prints where. `npm run bench -- producer` runs one.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { EXIT, type ExitStatus, PROJECT_ROOT, reportError, UsageError } from "../contracts";

const BENCHMARKS = ["archive", "producer", "pipeline"] as const;

function main(chosen: readonly string[]): ExitStatus {
  const unknown = chosen.filter((name) => !(BENCHMARKS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new UsageError(`unknown benchmark ${unknown.join(", ")}: choose from ${BENCHMARKS.join(", ")}`);
  let failed = 0;
  for (const name of chosen.length > 0 ? chosen : BENCHMARKS) {
    console.log(`\n== bench/${name}.ts`);
    const result = spawnSync(
      process.execPath,
      [path.join(PROJECT_ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(PROJECT_ROOT, `bench/${name}.ts`)],
      {
        cwd: PROJECT_ROOT,
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
  return failed === 0 ? EXIT.ok : EXIT.failed;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.exitCode = reportError(error, (line) => console.error(line), "npm run bench -- [archive|producer|pipeline]");
}
