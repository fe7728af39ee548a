// Asking the Pulumi CLI for a deployed stack's outputs: queue discovery (the producer, `npm run dlq`) asks for one
// queue's URL, the AWS report for the resource names.
import { execFile } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import { access } from "node:fs/promises";
import * as path from "node:path";
import { PROJECT_ROOT } from "./workspace";

/** An executable `pulumi` on `env.PATH`, or undefined. */
export async function findPulumi(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const names = process.platform === "win32" ? ["pulumi.exe", "pulumi.cmd"] : ["pulumi"];
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      try {
        await access(candidate, fsConstants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}

export type StackOutputsAnswer = { ok: true; outputs: Record<string, unknown> } | { ok: false; why: string };

/**
 * `pulumi stack output --json` of `stack` (default: the selected stack), run from the project root so Pulumi finds
 * Pulumi.yaml wherever the user stands.
 */
export function askStackOutputs(
  executable: string,
  options: { stack?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<StackOutputsAnswer> {
  const args = ["stack", "output", "--json", ...(options.stack ? ["--stack", options.stack] : [])];
  return new Promise((resolve) => {
    execFile(executable, args, { cwd: PROJECT_ROOT, env: options.env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (!error) {
        try {
          const outputs: unknown = JSON.parse(stdout);
          if (outputs !== null && typeof outputs === "object" && !Array.isArray(outputs))
            return resolve({ ok: true, outputs: outputs as Record<string, unknown> });
        } catch {
          // answered below
        }
        return resolve({
          ok: false,
          why: `no answer (printed ${JSON.stringify(stdout.trim().slice(0, 80))}, not JSON)`,
        });
      }
      const why = (stderr.trim().split("\n").pop() ?? "").trim() || error.message.split("\n")[0];
      resolve({ ok: false, why: `no answer (${why})` });
    });
  });
}
