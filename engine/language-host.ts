import { spawn } from "node:child_process";
import { join } from "node:path";
import { PULUMI_SDK_DIR } from "./pulumi-protocol";

/**
 * Starts the program the way pulumi-language-nodejs does for `pulumi preview` / `pulumi up`: `node
 * @pulumi/pulumi/cmd/run` with the engine's addresses as flags and the stack's config in the environment.
 */

export interface ProgramRun {
  engineAddress: string;
  project: string;
  stack: string;
  organization: string;
  /** Project root: the program's working directory and the root of its package.json. */
  root: string;
  /** Folder for the language host's sync-invoke endpoint, one per run. */
  syncDir: string;
  dryRun: boolean;
  parallel: number;
  /** Stack config as in Pulumi.<stack>.yaml (`ns:key` -> string value). */
  config: Record<string, string>;
  secretKeys: string[];
  /** Skip type checking (PULUMI_NODEJS_TRANSPILE_ONLY=true); false type-checks like `pulumi up` does by default. */
  transpileOnly: boolean;
  /** ts-node's compile cache folder; undefined disables the cache, so every run compiles and type-checks afresh. */
  compileCacheDir?: string;
}

export interface ProgramExit {
  code: number;
  stdout: string;
  stderr: string;
}

/** The language host hands the program its config with keys as `ns:config:key`. */
export function languageHostConfig(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => {
      const at = key.indexOf(":");
      return [at > 0 ? `${key.slice(0, at)}:config:${key.slice(at + 1)}` : key, value];
    }),
  );
}

export function languageHostArgs(run: ProgramRun): string[] {
  return [
    join(PULUMI_SDK_DIR, "cmd/run/index.js"),
    ...["--monitor", run.engineAddress, "--engine", run.engineAddress, "--sync", run.syncDir],
    ...["--organization", run.organization, "--project", run.project, "--root-directory", run.root],
    ...["--stack", run.stack, "--pwd", run.root],
    ...(run.dryRun ? ["--dry-run"] : []),
    ...["--parallel", String(run.parallel), "."],
  ];
}

export function languageHostEnv(run: ProgramRun, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // The caller's own Pulumi and ts-node settings must not leak into the rehearsal; the rest (PATH, AWS_*) may.
  for (const [key, value] of Object.entries(base)) {
    if (!key.startsWith("PULUMI_") && !key.startsWith("TS_NODE_")) env[key] = value;
  }
  env.PULUMI_CONFIG = JSON.stringify(languageHostConfig(run.config));
  env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(run.secretKeys);
  env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (run.transpileOnly) env.PULUMI_NODEJS_TRANSPILE_ONLY = "true";
  if (run.compileCacheDir) env.TS_NODE_CACHE_DIRECTORY = run.compileCacheDir;
  else env.TS_NODE_CACHE = "false";
  return env;
}

/** Runs the program to completion; `timeoutMs` only guards against a hang. */
export function runProgram(run: ProgramRun, timeoutMs: number): Promise<ProgramExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, languageHostArgs(run), {
      cwd: run.root,
      env: languageHostEnv(run),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the program did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}
