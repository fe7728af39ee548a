import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_STACK,
  OperatorError,
  PROJECT_NAME as PROJECT,
  PROJECT_ROOT,
  type SynthesizedStack,
  stackConfigFromYaml,
  stackFilePath,
} from "../contracts";
import { runProgram } from "./language-host";
import { type Diagnostic, LocalEngine } from "./monitor";

/**
 * Synthesizes the stack through Pulumi's own Node language host, as `pulumi preview` (dryRun) or `pulumi up` would
 * run the program: ts-node with the project's TypeScript, type-checked unless transpileOnly, registering resources
 * over gRPC with an in-process engine. The stack it returns carries the Lambda archive exactly as the engine received
 * it: the embedded cloud deploys from it, so it runs the `__index.js` that `pulumi up` would upload.
 */

export interface LanguageHostOptions {
  /** Stack name, as the program sees it in pulumi.getStack() (default dev). */
  stack?: string;
  /** Where the stack's config is read from (default Pulumi.<stack>.yaml in the project root). */
  stackFile?: string;
  /** Preview (true, default) leaves ids, ARNs and URLs of new resources unknown; update (false) fills them in. */
  dryRun?: boolean;
  /** Skip type checking, like PULUMI_NODEJS_TRANSPILE_ONLY=true. Default false: `pulumi up` type-checks. */
  transpileOnly?: boolean;
  /** Config values over the stack file's, e.g. {"vehicle-pipeline:batchSize": "5"}. */
  configOverrides?: Record<string, string>;
  /** ts-node's compile cache folder, reused across runs; unset: no cache (a cache can hide a type error in an
   * unchanged importer). */
  compileCacheDir?: string;
  /** Guard against a hung program, default 180 s. */
  timeoutMs?: number;
}

export interface LanguageHostStack extends SynthesizedStack {
  /** The stack config the program saw (`ns:key` form). */
  config: Record<string, string>;
  dryRun: boolean;
  /** What the program and SDK logged through the engine (warnings, info; errors fail the run). */
  diagnostics: Diagnostic[];
  /** Data sources the program invoked. */
  invokes: string[];
  /** Wall time from starting the language host to its exit. */
  durationMs: number;
}

/** The program failed under the language host: bad config, a type error, an exception. The message is the
 * program's own error (what `pulumi up` would print). */
export class LanguageHostRunError extends OperatorError {
  constructor(
    readonly exitCode: number,
    readonly errors: string[],
    detail: string,
  ) {
    super(errors.length > 0 ? errors.join("\n") : `the program exited with ${exitCode}: ${detail.trim().slice(-2000)}`);
  }
}

function stackConfig(stack: string, file: string, overrides: Record<string, string> = {}): Record<string, string> {
  if (!existsSync(file)) throw new Error(`no stack file ${file}: is "${stack}" a stack of this project?`);
  return { ...stackConfigFromYaml(file), ...overrides };
}

export async function synthesizeWithLanguageHost(options: LanguageHostOptions = {}): Promise<LanguageHostStack> {
  const stack = options.stack ?? DEFAULT_STACK;
  const dryRun = options.dryRun ?? true;
  const config = stackConfig(stack, options.stackFile ?? stackFilePath(stack), options.configOverrides);
  const engine = new LocalEngine({ project: PROJECT, stack, dryRun, region: config["aws:region"] ?? "us-east-1" });
  const syncDir = mkdtempSync(join(tmpdir(), "pulumi-sync-"));
  const started = Date.now();
  try {
    const address = await engine.start();
    const exit = await runProgram(
      {
        engineAddress: address,
        project: PROJECT,
        stack,
        organization: "organization",
        root: PROJECT_ROOT,
        syncDir,
        dryRun,
        parallel: 16,
        config,
        secretKeys: [],
        transpileOnly: options.transpileOnly ?? false,
        compileCacheDir: options.compileCacheDir,
      },
      options.timeoutMs ?? 180_000,
    );
    const durationMs = Date.now() - started;
    const errors = engine.record.diagnostics.filter((d) => d.severity === "error").map((d) => d.message.trim());
    if (exit.code !== 0 || errors.length > 0)
      throw new LanguageHostRunError(exit.code, errors, exit.stderr || exit.stdout);
    const { resources, outputs, diagnostics, invokes } = engine.record;
    return { resources, outputs, config, dryRun, diagnostics, invokes, durationMs };
  } finally {
    engine.stop();
    rmSync(syncDir, { recursive: true, force: true });
  }
}
