import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { checkInstall } from "./install-check";
import type { SynthesizedStack } from "./synth";

export const REPO_ROOT = resolve(__dirname, "..");

/** The program could not be synthesized (bad config, a bug in index.ts); the message carries the program's own error. */
class StackSynthesisError extends Error {
  constructor(detail: string) {
    super(`could not synthesize the Pulumi program: ${detail.trim()}`);
    this.name = "StackSynthesisError";
  }
}

export interface StackSourceOptions {
  /** The stack, as `pulumi up --stack` names it: Pulumi.<name>.yaml and pulumi.getStack() (default $PULUMI_STACK or dev). */
  stackName?: string;
  /** Pulumi.<stack>.yaml to read (default Pulumi.dev.yaml, or $PULUMI_STACK's). */
  stackFile?: string;
  /** Config values that win over the stack file, e.g. {"vehicle-pipeline:batchSize": "5"} (tests). */
  overrides?: Record<string, string>;
  /**
   * Folder for synthesized stacks keyed by a hash of the config and every source file the program is made of
   * (index.ts, components/, handlers/, local/synth.ts, package-lock.json): an unchanged program and config is not
   * synthesized again (about 5-15 s on two cores). Unset: always synthesize.
   */
  cacheDir?: string;
}

/** Source folders and files whose content decides what the program synthesizes. */
const PROGRAM_SOURCES = [
  "index.ts",
  "components",
  "handlers",
  "local/synth.ts",
  "local/synth-cli.ts",
  "package-lock.json",
  "tsconfig.json",
];

/** A hash of the stack file, the overrides and the program's sources: equal hashes synthesize equal stacks. */
function programFingerprint(options: StackSourceOptions = {}): string {
  const stackFile = stackFileFor(options);
  const hash = createHash("sha256")
    .update(existsSync(stackFile) ? readFileSync(stackFile) : "")
    .update(JSON.stringify(Object.entries(options.overrides ?? {}).sort()))
    .update(options.stackName ?? process.env.PULUMI_STACK ?? "dev");
  const visit = (path: string) => {
    const absolute = join(REPO_ROOT, path);
    if (!existsSync(absolute)) return;
    if (statSync(absolute).isDirectory()) {
      for (const entry of readdirSync(absolute).sort()) visit(join(path, entry));
    } else if (/\.(ts|js|json)$/.test(path)) {
      hash.update(path).update(readFileSync(absolute));
    }
  };
  for (const source of PROGRAM_SOURCES) visit(source);
  return hash.digest("hex").slice(0, 16);
}

function stackFileFor(options: StackSourceOptions = {}): string {
  return options.stackFile ?? join(REPO_ROOT, `Pulumi.${options.stackName ?? process.env.PULUMI_STACK ?? "dev"}.yaml`);
}

/**
 * Synthesizes index.ts in a child process (`node --require tsx/cjs local/synth-cli.ts`): a fresh module cache, so the config given here
 * is the one the program sees even if this process synthesized before with another.
 */
/** A synthesized stack with the config it was synthesized with. */
export interface StackFromProgram extends SynthesizedStack {
  /** The PULUMI_CONFIG the program saw. */
  config: Record<string, string>;
  /** True when it came from the cache. */
  cached: boolean;
}

export async function synthesizeStack(options: StackSourceOptions = {}): Promise<StackFromProgram> {
  checkInstall();
  const cacheFile = options.cacheDir ? join(options.cacheDir, `${programFingerprint(options)}.json`) : undefined;
  if (cacheFile && existsSync(cacheFile)) {
    try {
      return {
        ...(JSON.parse(readFileSync(cacheFile, "utf8")) as SynthesizedStack & { config: Record<string, string> }),
        cached: true,
      };
    } catch {
      // A cache file cut short (a run killed while writing it): synthesize again.
    }
  }
  // The child reads the stack file (stackConfigFromYaml, in synth.ts, which loads @pulumi/pulumi): reading it here
  // first cost about 2 s of this thread before the child could start, and before the emulators could start.
  const { config, ...stack } = await synthesizeInChild(
    stackFileFor(options),
    options.overrides ?? {},
    options.stackName,
  );
  if (cacheFile) {
    mkdirSync(options.cacheDir!, { recursive: true });
    writeFileSync(cacheFile, JSON.stringify({ ...stack, config }));
  }
  return { ...stack, config, cached: false };
}

function synthesizeInChild(
  stackFile: string,
  overrides: Record<string, string>,
  stackName: string | undefined,
): Promise<SynthesizedStack & { config: Record<string, string> }> {
  return new Promise((resolvePromise, reject) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SYNTH_STACK_FILE: stackFile,
      SYNTH_CONFIG_OVERRIDES: JSON.stringify(overrides),
      SYNTH_PRINT_CONFIG: "1",
      ...(stackName ? { PULUMI_STACK: stackName } : {}),
    };
    delete env.PULUMI_CONFIG; // the stack file and the overrides decide, as the cache's fingerprint says
    // tsx's require hook in this one process; the tsx CLI would start a second Node process to run it (0.2-0.7 s more).
    const child = spawn(process.execPath, ["--require", "tsx/cjs", join(REPO_ROOT, "local/synth-cli.ts")], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => reject(new StackSynthesisError(error.message)));
    child.on("close", (code) => {
      const stderr = Buffer.concat(err).toString("utf8");
      if (code !== 0) return reject(new StackSynthesisError(stderr || `synth-cli exited with ${code}`));
      const text = Buffer.concat(out).toString("utf8");
      try {
        // The last line is the JSON; anything before it is the program's own chatter.
        const lines = text.trim().split("\n");
        resolvePromise(JSON.parse(lines[lines.length - 1]!) as SynthesizedStack & { config: Record<string, string> });
      } catch (error) {
        reject(
          new StackSynthesisError(
            `synth-cli printed no JSON stack (${(error as Error).message}); stderr: ${stderr.slice(0, 2000)}`,
          ),
        );
      }
    });
  });
}
