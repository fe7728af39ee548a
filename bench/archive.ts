/**
 * Lambda archive benchmark (`npx tsx bench/archive.ts`): runs the program through Pulumi's language host, builds the
 * deployment zip the engine would upload and reports its size and contents, plus how long `tsc --noEmit` takes.
 * Results go to report/BENCH-archive.md and report/BENCH-archive.json; nothing is asserted (the artifact test holds
 * the 1 MB limit).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { consumerFunction, DEFAULT_STACK, PROJECT_ROOT, reportError } from "../contracts";
import { measureArchive, synthesizeWithLanguageHost } from "../engine";

const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const { inputs } = consumerFunction(
    await synthesizeWithLanguageHost({ stack: DEFAULT_STACK, dryRun: false, transpileOnly: true }),
  );
  const archive = measureArchive(inputs.code);

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
      `| \`tsc --noEmit\` | ${result.typecheckSeconds} s | |`,
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
