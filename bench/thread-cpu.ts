// CPU time by thread of this process, read from Linux's /proc/self/task, so the pipeline benchmark can say which
// threads a stored message's CPU goes to. Empty where /proc is missing (the benchmark then leaves the split out).
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** Each live thread's CPU time (user + system) in ms, by thread id. */
export function threadCpuMs(): Map<number, number> {
  const times = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return times;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      times.set(Number(tid), ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return times;
}

/** How to tell a cloud's threads apart: Node's own, and the emulators' (any other thread is an environment's). */
export interface CloudThreads {
  /** Threads that existed before the cloud started: Node's own (V8's platform workers: GC and compilers; libuv's pool). */
  helpers: ReadonlySet<number>;
  /** Threads the cloud's start added (dynalite's worker). */
  emulators: ReadonlySet<number>;
}

/** CPU in ms between two snapshots: this process's main thread, Node's helpers, emulators, and every other thread. */
export interface CpuSplit {
  main: number;
  helpers: number;
  emulators: number;
  environments: number;
}

export function cpuSplit(before: Map<number, number>, after: Map<number, number>, threads: CloudThreads): CpuSplit {
  const split: CpuSplit = { main: 0, helpers: 0, emulators: 0, environments: 0 };
  for (const [tid, ms] of after) {
    const used = ms - (before.get(tid) ?? 0);
    if (tid === process.pid) split.main += used;
    else if (threads.helpers.has(tid)) split.helpers += used;
    else if (threads.emulators.has(tid)) split.emulators += used;
    else split.environments += used;
  }
  return split;
}

/** The set of thread ids in `after` that `before` lacks. */
export function newThreads(before: Map<number, number>, after: Map<number, number>): Set<number> {
  return new Set([...after.keys()].filter((tid) => !before.has(tid)));
}
