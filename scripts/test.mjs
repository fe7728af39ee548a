// `npm test`: type-check the whole program against the real @pulumi/aws types, check formatting and lint
// (Biome) and unused exports, files and dependencies (knip), then run every uvu suite under tests/ in one
// process (uvu's model; see tests/support/pulumi.ts for why that matters), and end with the line CI reads:
// "N passed, N failed", where each failed check counts as one failure.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

// Plain output, so the totals below can be read; Node warns when FORCE_COLOR and NO_COLOR are both set.
function withoutForceColor(env) {
  const { FORCE_COLOR, ...rest } = env;
  return rest;
}

function run(command, args, env = {}) {
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(command, args, {
      env: {
        ...withoutForceColor(process.env),
        NO_COLOR: "1",
        NODE_DISABLE_COLORS: "1",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

// The dashboard's browser test drives Debian's Chromium; a fresh machine of ours lacks it, and only Debian's
// packages are reachable (no browser downloads), so install it the same way CI does when we may.
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  if (process.getuid?.() === 0) await run("bash", [".ci/install-chromium.sh"]);
  else
    console.error(
      `${chromium} is missing: install Debian's chromium package (or set CHROMIUM_PATH); the dashboard browser test needs it`,
    );
}

/** Runs one whole-repository check and prints its verdict like "typecheck: ok in 9.1 s". */
async function check(name, command, args) {
  const started = Date.now();
  const result = await run(command, args);
  console.log(`${name}: ${result.code === 0 ? "ok" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.code === 0;
}

const checks = [
  await check("typecheck", "npx", ["tsc", "--noEmit"]),
  await check("format and lint (biome ci)", "npx", ["biome", "ci", "."]),
  await check("unused code (knip)", "npx", ["knip"]),
];
const failedChecks = checks.filter((ok) => !ok).length;

const pattern = process.argv[2] ?? "\\.test\\.ts$";
const tests = await run("npx", ["uvu", "-r", "tsx/cjs", "tests", pattern]);
const count = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(tests.output)?.[1] ?? 0);
const total = count("Total");
const passed = count("Passed");
let failed = total - passed - count("Skipped");
if (tests.code !== 0 && failed === 0) failed = 1; // a suite crashed before uvu could count it
failed += failedChecks;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && tests.code === 0 ? 0 : 1);
