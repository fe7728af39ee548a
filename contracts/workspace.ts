/**
 * Where this checkout keeps things: the Pulumi project, its root, and the embedded cloud's `.local/` folder with
 * everything the cloud, its tools and the benchmarks write below it. Node built-ins only: the install check loads
 * this before node_modules is known to exist.
 */
import { join, resolve } from "node:path";

/** Pulumi.yaml's `name`, which is also the namespace of the stack's config keys (`vehicle-pipeline:batchSize`). */
export const PROJECT_NAME = "vehicle-pipeline";

/** The repository root, where Pulumi.yaml, package.json and node_modules are: contracts/ sits directly below it. */
export const PROJECT_ROOT = resolve(__dirname, "..");

/** The embedded cloud's folder in this checkout. Tests and benchmarks give the cloud other roots inside it. */
export const DEFAULT_LOCAL_ROOT = join(PROJECT_ROOT, ".local");

/** Below a local root: the folder of run records, and the pointer to the latest run (see run-record.ts). */
export const RUNS_DIR = "runs";
export const LAST_RUN_POINTER = "last-run";

/**
 * Synthesized stacks, keyed by the program's sources and config. Shared by every local root (a test's cloud reuses
 * what `npm start` synthesized), so always below the default one.
 */
export const SYNTH_CACHE_DIR = join(DEFAULT_LOCAL_ROOT, "synth-cache");

/**
 * ts-node's transpiled program files, keyed by their content: a program change transpiles only what changed. Apart
 * from the synthesized stacks, so a start that must synthesize again still finds them.
 */
export const COMPILE_CACHE_DIR = join(DEFAULT_LOCAL_ROOT, "ts-node-cache");

/** What the embedded cloud keeps below a local root. */
export interface LocalLayout {
  root: string;
  /** How tools find the running cloud (state-file.ts). */
  stateFile: string;
  /** One folder per run, `<runs>/<runId>/` (run-record.ts). */
  runs: string;
  lastRun: string;
  /** The queues' messages across restarts, with `up --persist`. */
  sqsJournal: string;
  /** The table's LevelDB files, with `up --persist`. */
  dynamodb: string;
  /** One folder per deployed function: its unpacked archive and a node_modules link. */
  functions: string;
  /** The reliability campaign's run names and folders (`npm run report -- --reliability`). */
  reliabilityCampaign: string;
}

export function localLayout(root: string = DEFAULT_LOCAL_ROOT): LocalLayout {
  return {
    root,
    stateFile: join(root, "state.json"),
    runs: join(root, RUNS_DIR),
    lastRun: join(root, LAST_RUN_POINTER),
    sqsJournal: join(root, "sqs", "journal.jsonl"),
    dynamodb: join(root, "dynamodb"),
    functions: join(root, "functions"),
    reliabilityCampaign: join(root, "reliability-campaign.json"),
  };
}
