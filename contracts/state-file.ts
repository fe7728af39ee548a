import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { OperatorError } from "./cli-errors";
import { localLayout } from "./workspace";

/** .local/state.json, as docs/CONTRACTS.md defines it: how the producer and other tools find the running embedded cloud. */
export interface EmbeddedCloudState {
  pid: number;
  startedAt: string;
  region: string;
  endpoints: { sqs: string; dynamodb: string };
  outputs: { queueUrl?: string; dlqUrl?: string; tableName?: string; functionName?: string; [key: string]: unknown };
  dashboardUrl?: string;
  /**
   * The keys of the cloud's principals: the administrator (every action) and the producer (the policy behind the
   * producerPolicyArn output). Only the access key identifies a caller; the secret is not checked.
   */
  credentials?: { administrator?: PrincipalKeys; producer?: PrincipalKeys };
  /** False when the cloud was started with --no-iam: every call passes, whatever its keys. */
  iamEnforced?: boolean;
}

/** One principal's access keys, as the state file carries them. */
export interface PrincipalKeys {
  /** `arn:aws:iam::000000000000:user/<name>`. */
  arn: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Another embedded cloud is running from this checkout; two would fight over .local/ and the state file. */
class AlreadyRunningError extends OperatorError {
  constructor(
    readonly pid: number,
    stateFile: string,
  ) {
    super(
      `another embedded cloud (pid ${pid}) is running from this checkout (see ${stateFile})`,
      `stop it with Ctrl-C or \`kill ${pid}\` first`,
    );
  }
}

export function stateFilePath(localRoot: string): string {
  return localLayout(localRoot).stateFile;
}

/** The state file of an embedded cloud running from this checkout with the default .local/ folder. */
export const DEFAULT_STATE_FILE = localLayout().stateFile;

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export type StateAnswer = { ok: true; state: EmbeddedCloudState } | { ok: false; why: string };

/**
 * Reads a state file and says why it gives nothing when it does: missing, unreadable, not JSON, or left by a
 * process that has stopped (`isRunning` decides; tests inject it).
 */
export function inspectStateFile(file: string, isRunning: (pid: number) => boolean = isAlive): StateAnswer {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ok: false, why: "not running (no state file)" };
    return { ok: false, why: `cannot read the state file: ${(error as Error).message}` };
  }
  let state: EmbeddedCloudState;
  try {
    state = JSON.parse(text) as EmbeddedCloudState;
  } catch (error) {
    return { ok: false, why: `the state file is not JSON: ${(error as Error).message}` };
  }
  if (typeof state.pid === "number" && !isRunning(state.pid)) {
    return {
      ok: false,
      why: `stale state file: the cloud's process ${state.pid} is not running (start it with \`npm run local -- up\`)`,
    };
  }
  return { ok: true, state };
}

/** The state file's content whether or not its process still runs; undefined when there is none or it is not JSON. */
export function readState(localRoot: string): EmbeddedCloudState | undefined {
  const answer = inspectStateFile(stateFilePath(localRoot), () => true);
  return answer.ok ? answer.state : undefined;
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
