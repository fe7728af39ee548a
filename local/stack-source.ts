import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  COMPILE_CACHE_DIR,
  defaultStack,
  OperatorError,
  PROJECT_ROOT,
  SYNTH_CACHE_DIR,
  type SynthesizedStack,
  stackFileNamed,
} from "../contracts";
import { checkInstall } from "./install-check";

/**
 * The stack the embedded cloud deploys: the program run through Pulumi's own Node language host (engine/), so the
 * resources and the Lambda archive are the ones `pulumi up` would send, `__index.js` byte for byte. Transpile-only:
 * TypeScript emits the same JavaScript with and without type checking (`npm test` and `tsc --noEmit` check types).
 */

/** The program could not be synthesized (bad config, a bug in index.ts); the message carries the program's error. */
class StackSynthesisError extends OperatorError {
  constructor(detail: string) {
    super(`could not synthesize the Pulumi program: ${detail.trim()}`);
  }
}

export interface StackSourceOptions {
  /** The stack, as the program sees it in pulumi.getStack() (default $PULUMI_STACK, else dev). */
  stack?: string;
  /** Its config file (default Pulumi.<stack>.yaml in the project root). */
  stackFile?: string;
  /** Config values that win over the stack file, e.g. {"vehicle-pipeline:batchSize": "5"} (tests). */
  overrides?: Record<string, string>;
  /**
   * Folder for synthesized stacks keyed by a hash of the stack, its config and every source file the program is made
   * of (PROGRAM_SOURCES): an unchanged program and config is not synthesized again. Unset: always synthesize.
   */
  cacheDir?: string;
}

/**
 * Source folders and files whose content decides what the program synthesizes: the program, what it imports (the
 * kernel holds its settings), and engine/, the synthesizer.
 */
const PROGRAM_SOURCES = [
  "index.ts",
  "components",
  "handlers",
  "contracts",
  "engine",
  "Pulumi.yaml",
  "package-lock.json",
  "tsconfig.json",
];

function stackNameOf(options: StackSourceOptions): string {
  return options.stack ?? defaultStack();
}

/** The stack file given, else the named stack's, checked: a stack without one is a usage error, not a crash. */
function stackFileOf(options: StackSourceOptions): string {
  if (options.stackFile) return options.stackFile;
  return options.stack === undefined ? stackFileNamed(defaultStack(), "$PULUMI_STACK") : stackFileNamed(options.stack);
}

/** A hash of the stack, its file, the overrides and the program's sources: equal hashes synthesize equal stacks. */
function programFingerprint(options: StackSourceOptions): string {
  const stackFile = stackFileOf(options);
  const hash = createHash("sha256")
    .update(existsSync(stackFile) ? readFileSync(stackFile) : "")
    .update(JSON.stringify(Object.entries(options.overrides ?? {}).sort()))
    .update(stackNameOf(options));
  const visit = (path: string) => {
    const absolute = join(PROJECT_ROOT, path);
    if (!existsSync(absolute)) return;
    if (statSync(absolute).isDirectory()) {
      for (const entry of readdirSync(absolute).sort()) visit(join(path, entry));
    } else if (/\.(ts|js|json|yaml)$/.test(path)) {
      hash.update(path).update(readFileSync(absolute));
    }
  };
  for (const source of PROGRAM_SOURCES) visit(source);
  return hash.digest("hex").slice(0, 16);
}

/** A synthesized stack with the config it was synthesized with. */
export interface StackFromProgram extends SynthesizedStack {
  /** The stack config the program saw (`ns:key` form). */
  config: Record<string, string>;
  /** True when it came from the cache. */
  cached: boolean;
}

type CachedStack = SynthesizedStack & { config: Record<string, string> };

function readCache(cacheFile: string | undefined): CachedStack | undefined {
  if (!cacheFile || !existsSync(cacheFile)) return undefined;
  try {
    return JSON.parse(readFileSync(cacheFile, "utf8")) as CachedStack;
  } catch {
    return undefined; // a cache file cut short (a run killed while writing it): synthesize again
  }
}

function cacheFileOf(options: StackSourceOptions): string | undefined {
  return options.cacheDir ? join(options.cacheDir, `${programFingerprint(options)}.json`) : undefined;
}

/** The stack from the cache when the program and config are unchanged, at once; undefined when it must be synthesized. */
export function cachedStack(options: StackSourceOptions): StackFromProgram | undefined {
  const cached = readCache(cacheFileOf(options));
  return cached && { ...cached, cached: true };
}

/** Syntheses begun ahead of their caller (beginSynthesis), by cache file. */
const begun = new Map<string, Promise<StackFromProgram>>();

/**
 * Starts synthesizing a stack that is not cached, so the caller's later synthesizeStack with the same options finds
 * it under way: `npm start` begins before it loads its own modules, which then load beside the language host.
 */
export function beginSynthesis(options: StackSourceOptions): void {
  const cacheFile = cacheFileOf(options);
  if (!cacheFile || begun.has(cacheFile) || existsSync(cacheFile)) return;
  const synthesis = synthesizeUncached(options, cacheFile);
  synthesis.catch(() => undefined); // the caller that takes it over sees the error
  begun.set(cacheFile, synthesis);
}

export async function synthesizeStack(options: StackSourceOptions = {}): Promise<StackFromProgram> {
  checkInstall();
  const cacheFile = cacheFileOf(options);
  const underWay = cacheFile === undefined ? undefined : begun.get(cacheFile);
  if (underWay) {
    begun.delete(cacheFile!);
    return underWay;
  }
  const cached = readCache(cacheFile);
  if (cached) return { ...cached, cached: true };
  return synthesizeUncached(options, cacheFile);
}

async function synthesizeUncached(
  options: StackSourceOptions,
  cacheFile: string | undefined,
): Promise<StackFromProgram> {
  const { resources, outputs, config } = await synthesizeFromLanguageHost(options);
  // Sources edited while it ran: what it synthesized is no longer what their fingerprint names.
  if (cacheFile && cacheFile === cacheFileOf(options)) {
    mkdirSync(options.cacheDir!, { recursive: true });
    writeFileSync(cacheFile, JSON.stringify({ resources, outputs, config }));
  }
  return { resources, outputs, config, cached: false };
}

/** What the embedded cloud's commands synthesize: the named stack (default $PULUMI_STACK, else dev), cached. */
export function commandStackSource(stackName: string | undefined): StackSourceOptions {
  return {
    stack: stackName,
    stackFile: stackName === undefined ? undefined : stackFileNamed(stackName),
    cacheDir: SYNTH_CACHE_DIR,
  };
}

async function synthesizeFromLanguageHost(options: StackSourceOptions): Promise<CachedStack> {
  // Loaded only when there is something to synthesize: a cached start does not pay for gRPC and Pulumi's stubs.
  // (require, not import(): under tsx's CommonJS hook a dynamic import of a .ts file is not transpiled.)
  const { LanguageHostRunError, synthesizeWithLanguageHost, withCompileCache } =
    require("../engine") as typeof import("../engine");
  try {
    return await withCompileCache(COMPILE_CACHE_DIR, (compileCacheDir) =>
      synthesizeWithLanguageHost({
        stack: stackNameOf(options),
        stackFile: stackFileOf(options),
        configOverrides: options.overrides,
        // An update, not a preview: the ids, ARNs and URLs the deployer rewrites to the emulators' are known.
        dryRun: false,
        transpileOnly: true,
        compileCacheDir,
      }),
    );
  } catch (error) {
    if (error instanceof LanguageHostRunError) throw new StackSynthesisError(error.message);
    throw error;
  }
}
