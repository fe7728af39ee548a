import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** .local/state.json, as docs/CONTRACTS.md defines it: how the producer and other tools find the running embedded cloud. */
export interface EmbeddedCloudState {
  pid: number;
  startedAt: string;
  region: string;
  endpoints: { sqs: string; dynamodb: string };
  outputs: { queueUrl?: string; dlqUrl?: string; tableName?: string; functionName?: string; [key: string]: unknown };
  dashboardUrl?: string;
}

/** Another embedded cloud is running from this checkout; two would fight over .local/ and the state file. */
export class AlreadyRunningError extends Error {
  constructor(
    readonly pid: number,
    stateFile: string,
  ) {
    super(
      `another embedded cloud (pid ${pid}) is running from this checkout (see ${stateFile}); stop it with Ctrl-C or \`kill ${pid}\` first`,
    );
    this.name = "AlreadyRunningError";
  }
}

export function stateFilePath(localRoot: string): string {
  return join(localRoot, "state.json");
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function readState(localRoot: string): EmbeddedCloudState | undefined {
  const file = stateFilePath(localRoot);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as EmbeddedCloudState;
  } catch {
    return undefined;
  }
}

/** Throws AlreadyRunningError when the state file names a live process other than this one; removes a stale file. */
export function claimStateFile(localRoot: string): void {
  const state = readState(localRoot);
  if (state && state.pid !== process.pid && isAlive(state.pid))
    throw new AlreadyRunningError(state.pid, stateFilePath(localRoot));
  if (state) rmSync(stateFilePath(localRoot), { force: true });
}

export function writeState(localRoot: string, state: EmbeddedCloudState): void {
  const file = stateFilePath(localRoot);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}

/** Removes the state file if it is ours, so tools stop finding a cloud that is gone. */
export function releaseStateFile(localRoot: string): void {
  const state = readState(localRoot);
  if (state && state.pid === process.pid) rmSync(stateFilePath(localRoot), { force: true });
}
