/**
 * How every command of this repository ends: one exit-status table and one small error family. A command throws a
 * UsageError for what was typed wrong, an OperatorError for what the world lacks (with what to do about it), and
 * anything else is a crash: a bug, printed with its stack. `reportError` decides, by class, never by name.
 */

/** Exit statuses. Commands with more outcomes (the producer's unsent messages) map them onto these. */
export const EXIT = {
  ok: 0,
  /** The command ran and something failed: a message unsent, a verification failed, a step refused. */
  failed: 1,
  /** The command line was wrong: a flag, a value, a missing argument. */
  usage: 2,
  /** An unexpected error: a bug in this repository (sysexits' EX_SOFTWARE). */
  crash: 70,
  /** Stopped by Ctrl-C before its planned end (128 + SIGINT). */
  interrupted: 130,
} as const;
export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/** An error whose message is a complete sentence for the person at the terminal; printed without a stack. */
export abstract class CommandError extends Error {
  abstract readonly exitStatus: ExitStatus;

  constructor(
    message: string,
    /** What to do next, printed on its own line after the message. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line was wrong: exit 2, and point at --help. */
export class UsageError extends CommandError {
  readonly exitStatus = EXIT.usage;
}

/** The command was right but what it needs is not there or refused (no queue, a port in use): exit 1 with a hint. */
export class OperatorError extends CommandError {
  readonly exitStatus = EXIT.failed;
}

/**
 * Writes an error the way every command here does and returns the exit status: usage errors with a pointer to the
 * help, operator errors with their hint, anything else as a crash with its stack.
 */
export function reportError(error: unknown, write: (line: string) => void, helpCommand?: string): ExitStatus {
  if (error instanceof CommandError) {
    write(`error: ${error.message}`);
    if (error.hint) write(error.hint);
    if (error instanceof UsageError && helpCommand) write(`run \`${helpCommand}\` for usage`);
    return error.exitStatus;
  }
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  write(`crash: an unexpected error, which is a bug in this repository:\n${detail}`);
  return EXIT.crash;
}
