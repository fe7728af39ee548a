/**
 * Lambda archive benchmark (`npx tsx bench/archive.ts`): runs the program through Pulumi's language host, builds the
 * deployment zip the engine would upload and reports its size and contents, the Lambda init of that archive (module
 * load and handler construction, cold, in fresh processes: lambda-init.ts) and where it goes, plus how long
 * `tsc --noEmit` takes. Results go to report/BENCH-archive.md and report/BENCH-archive.json; nothing is asserted (the
 * artifact test holds the 1 MB limit).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { consumerFunction, DEFAULT_STACK, PROJECT_ROOT, reportError } from "../contracts";
import { measureArchive, synthesizeWithLanguageHost } from "../engine";
import { FIRST_REJECTION_STEP, INIT_STEPS, measureLambdaInit } from "./lambda-init";

const MiB = 1024 * 1024;
/** The target for the consumer's cold init on this machine. */
const INIT_TARGET_MS = 150;

async function main(): Promise<void> {
  const { inputs } = consumerFunction(
    await synthesizeWithLanguageHost({ stack: DEFAULT_STACK, dryRun: false, transpileOnly: true }),
  );
  const archive = measureArchive(inputs.code);
  const loadBefore = os.loadavg();
  const init = measureLambdaInit(inputs.code, inputs.environment.variables as Record<string, string>);
  const loadAfterInit = os.loadavg();
  console.log(`lambda init: median ${init.medianInitMs.toFixed(0)} ms of ${init.initMs.join(", ")}`);

  const started = process.hrtime.bigint();
  execFileSync(process.execPath, [path.join(PROJECT_ROOT, "node_modules/typescript/bin/tsc"), "--noEmit"], {
    cwd: PROJECT_ROOT,
    stdio: "inherit",
  });
  const typecheckSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const result = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version, loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)) },
    archive: {
      ...archive,
      serializedHandlerBytes: Buffer.byteLength(inputs.code.indexJs),
      packages: inputs.code.packages,
    },
    lambdaInit: {
      ...init,
      target: `<= ${INIT_TARGET_MS} ms`,
      loadAverageBefore: loadBefore.map((l) => Number(l.toFixed(2))),
      loadAverageAfter: loadAfterInit.map((l) => Number(l.toFixed(2))),
    },
    typecheckSeconds: Number(typecheckSeconds.toFixed(1)),
  };
  writeFileSync(path.join(PROJECT_ROOT, "report/BENCH-archive.json"), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(
    path.join(PROJECT_ROOT, "report/BENCH-archive.md"),
    [
      "# Lambda archive and type-check benchmark",
      "",
      `Measured ${result.measuredAt} by \`npx tsx bench/archive.ts\` on ${result.machine.cpus} CPUs, Node ` +
        `${result.machine.node} (1-minute load average: ${result.machine.loadAverage1m}).`,
      "",
      "| figure | value | target |",
      "|---|---|---|",
      `| zipped archive (deflate level 6) | ${(archive.zippedBytes / MiB).toFixed(2)} MiB (${archive.zippedBytes} B) | at most 1 MB |`,
      `| unzipped | ${(archive.unzippedBytes / MiB).toFixed(2)} MiB in ${archive.files} files | |`,
      `| serialized handler (\`__index.js\`) | ${result.archive.serializedHandlerBytes} B | |`,
      `| Lambda init, cold: module load and handler construction (median of ${init.runs} fresh processes) | ` +
        `${init.medianInitMs.toFixed(0)} ms (${init.initMs.map((ms) => ms.toFixed(0)).join(", ")}) | ` +
        `<= ${INIT_TARGET_MS} ms: ${init.medianInitMs <= INIT_TARGET_MS ? "met" : "**not met**"} |`,
      `| \`tsc --noEmit\` | ${result.typecheckSeconds} s | |`,
      "",
      "## Where the Lambda init goes",
      "",
      `Each run is a fresh \`node\` (${process.version}) with the archive unpacked as /var/task and an SDK-only ` +
        "node_modules beside it for the runtime's, the function's declared environment, cold (no compile cache). " +
        `1-minute load average ${loadBefore[0]!.toFixed(2)} before, ${loadAfterInit[0]!.toFixed(2)} after. Node's ` +
        `own start adds about ${(init.medianSinceProcessStartMs - init.medianInitMs).toFixed(0)} ms before the ` +
        "first line (Lambda's runtime start is its own). The libraries loaded one by one in the function's order, " +
        "each figure what it adds to those before it (median of the same number of runs):",
      "",
      "| step | adds | who provides it |",
      "|---|---|---|",
      ...[...INIT_STEPS, "handler"].map(
        (step) =>
          `| ${step === "handler" ? "the rest of `__index.js`: its own code, the factory building clients, Logger and Metrics" : `\`${step}\``} | ` +
          `${init.medianStepMs[step]!.toFixed(0)} ms | ${step.startsWith("@aws-sdk/") ? "the runtime (nodejs22.x provides SDK v3)" : "the archive"} |`,
      ),
      "",
      `Not at init: \`${FIRST_REJECTION_STEP}\` adds ${init.medianStepMs.firstRejection!.toFixed(0)} ms to the ` +
        "invocation of an environment's first rejected record, which makes the client for the DLQ send then; " +
        "a batch of valid records never loads it.",
      "",
      `Packages in the archive: ${inputs.code.packages.map((name) => `\`${name}\``).join(", ")}.`,
      "",
    ].join("\n"),
  );
  console.log(
    `archive: ${archive.zippedBytes} B zipped, ${archive.files} files; typecheck ${result.typecheckSeconds} s`,
  );
}

main().catch((error: unknown) => {
  process.exitCode = reportError(error, (line) => console.error(line));
});
