import { EXIT, isAlive } from "../contracts";
// How `up` stops: on Ctrl-C, SIGTERM, SIGHUP, or when the processes that started it are gone (a kill -9 of npm leaves
// this process running and reachable otherwise). Every stop cleans up, however many signals arrive: a launcher that
// relays signals (npm, where `sh` execs the command; the tsx CLI) delivers one Ctrl-C twice within milliseconds, so
// the handlers stay registered (`process.on`), stopping is idempotent, and the state file goes first, synchronously.

import { readFileSync } from "node:fs";

/** Signals closer together than this are one Ctrl-C delivered twice (the process group's and a launcher's relay). */
export const REPEATED_SIGNAL_MS = 500;

/** What the cloud holds when a stop is asked for. */
export interface HeldMessages {
  /** Visible or delayed in the queues an event source mapping reads. */
  queued: number;
  /** Received by the pipeline and not yet deleted. */
  inFlight: number;
  /** In every other queue (the DLQ). */
  elsewhere: number;
}

/** What to tell the user and do on the first stop request, from what is held: a pure decision. */
export function stopPlan(
  held: HeldMessages,
  options: { persist: boolean; interactive: boolean; journal: string },
): { action: "stop" | "drain"; message: string } {
  const pending = held.queued + held.inFlight;
  const total = pending + held.elsewhere;
  const described =
    `${pending} message${pending === 1 ? "" : "s"} queued or in flight (${held.inFlight} in flight)` +
    ` and ${held.elsewhere} in the dead-letter queue`;
  if (total === 0) return { action: "stop", message: "stopping: no messages queued" };
  if (options.persist)
    return {
      action: "stop",
      message: `stopping: ${described} kept in ${options.journal} for the next \`up --persist\``,
    };
  if (!options.interactive || pending === 0)
    return {
      action: "stop",
      message: `stopping: ${described} will be lost (queues live in memory; start with --persist to keep them)`,
    };
  return {
    action: "drain",
    message:
      `${described}: stopping now would lose them. Draining the queue first (the pipeline keeps processing; ` +
      `the dead-letter queue's messages are lost either way). Ctrl-C again to stop at once.`,
  };
}

/**
 * The chain of processes that started this one (parent, grandparent, ... up to the session leader), read from /proc.
 * Empty where /proc is missing (macOS): then only the parent is watched.
 */
export function launcherChain(
  pid = process.pid,
  readStat = (p: number) => readFileSync(`/proc/${p}/stat`, "utf8"),
): number[] {
  const chain: number[] = [];
  let current = pid;
  for (let depth = 0; depth < 32; depth++) {
    let stat: string;
    try {
      stat = readStat(current);
    } catch {
      break;
    }
    // Fields after the command name, which sits in parentheses and may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const parent = Number(fields[1]);
    const session = Number(fields[3]);
    if (current === session || !(parent > 1)) break;
    chain.push(parent);
    current = parent;
  }
  return chain;
}

export interface StopControlOptions {
  persist: boolean;
  /** Where the journal lives, for the message when --persist keeps the messages. */
  journal: string;
  /** Whether someone can answer at a terminal; without one (CI, a pipe) the first signal stops at once. */
  interactive: boolean;
  /** Synchronous cleanup that must happen before anything else on the way out (the state file). */
  releaseNow(): void;
  write(line: string): void;
  /** How often the launcher chain is checked. */
  watchIntervalMs?: number;
}

/**
 * Resolves `stopped` when `up` should shut down. The first request says what will happen to the messages held (from
 * `held`, once the cloud is deployed) and either stops or drains first (`drain`); a later request stops at once.
 */
export class StopControl {
  readonly stopped: Promise<void>;
  private resolve!: () => void;
  private firstAt: number | undefined;
  private done = false;
  private doneAt: number | undefined;
  private held: (() => HeldMessages) | undefined;
  private drain: (() => Promise<void>) | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  private readonly onSignal = (signal: NodeJS.Signals) => this.request(signal);
  private readonly onExit = () => this.options.releaseNow();

  constructor(private readonly options: StopControlOptions) {
    this.stopped = new Promise((resolve) => {
      this.resolve = resolve;
    });
    for (const signal of this.signals) process.on(signal, this.onSignal);
    process.on("exit", this.onExit);
    const chain = launcherChain();
    const parent = process.ppid;
    this.timer = setInterval(() => {
      const gone = process.ppid !== parent ? parent : chain.find((pid) => !isAlive(pid));
      if (gone !== undefined) this.request(`the process that started this cloud (pid ${gone}) is gone`);
    }, options.watchIntervalMs ?? 1000);
    this.timer.unref();
  }

  /** Once deployed: how to count what is held, and how to drain it. */
  attach(held: () => HeldMessages, drain: () => Promise<void>): void {
    this.held = held;
    this.drain = drain;
  }

  get requested(): boolean {
    return this.firstAt !== undefined;
  }

  /** A stop request: a signal's name, or why the cloud stops on its own. */
  request(reason: string): void {
    const now = Date.now();
    if (this.done) {
      // Cleanup is under way; a deliberate further Ctrl-C gives up waiting for it (the state file is already gone).
      if (now - (this.doneAt ?? now) >= REPEATED_SIGNAL_MS) {
        this.options.write(`${reason} again: exiting without waiting for the emulators to close`);
        process.exit(EXIT.interrupted);
      }
      return;
    }
    if (this.firstAt !== undefined) {
      if (now - this.firstAt < REPEATED_SIGNAL_MS) return;
      this.options.write(`${reason} again: stopping at once`);
      this.finish();
      return;
    }
    this.firstAt = now;
    const plan = this.held
      ? stopPlan(this.held(), this.options)
      : { action: "stop" as const, message: "stopping before the stack was deployed" };
    this.options.write(`\n${reason}: ${plan.message}`);
    if (plan.action === "stop" || !this.drain) {
      this.finish();
      return;
    }
    void this.drain().then(
      () => {
        this.options.write("the queue is drained: stopping");
        this.finish();
      },
      (error: unknown) => {
        this.options.write(`draining failed (${(error as Error).message}): stopping`);
        this.finish();
      },
    );
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.doneAt = Date.now();
    this.options.releaseNow();
    this.resolve();
  }

  /** Unregisters the watcher; the signal handlers stay until the process exits, so a late signal cannot kill cleanup. */
  dispose(): void {
    clearInterval(this.timer);
  }
}
