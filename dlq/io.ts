// What every dlq command writes to and listens on.

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Aborted by Ctrl-C: long runs stop after the batch in hand. */
  signal: AbortSignal;
  /** Asks a yes/no question on a terminal; undefined when there is none. */
  confirm?: (question: string) => Promise<boolean>;
}
