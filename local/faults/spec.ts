// The --faults spec: which of AWS's real failure modes the embedded cloud injects, and how often.

import { UsageError } from "../../contracts";

/** Each kind, named after what it imitates, and where it is injected. */
export const FAULT_KINDS = {
  "ddb-throttle": "PutItem answered with DynamoDB's throttling error (HTTP 400); the SDK's own retries run first",
  "ddb-5xx": "PutItem answered with InternalServerError (HTTP 500)",
  "ddb-lost-ack": "PutItem applied, then the connection reset before the response (the ambiguous case)",
  "ddb-slow": "PutItem answered only after the function's timeout has passed (the write is applied)",
  "sqs-duplicate": "a message delivered a second time to another poller while the first may be in flight",
  "sqs-delete-fail": "DeleteMessageBatch reports entries as failed; they come back after the visibility timeout",
  "lambda-crash": "the execution environment dies after the batch ran, before its response (Runtime.ExitError)",
  "lambda-init-fail": "a cold start fails; the invocation errors and the environment is discarded",
  "lambda-first-invoke-error":
    "a new environment's first invocation errors before the handler runs (a lazy initialisation that throws); " +
    "its whole batch comes back",
  "dlq-send-fail": "the consumer's SendMessage to the DLQ answered with InternalError (HTTP 500)",
} as const;

export type FaultKind = keyof typeof FAULT_KINDS;
export type FaultRates = Partial<Record<FaultKind, number>>;

/** A bad --faults or --faults-seed value; the message names the part and what is accepted. */
export class FaultSpecError extends UsageError {}

function isFaultKind(text: string): text is FaultKind {
  return Object.hasOwn(FAULT_KINDS, text);
}

/** "ddb-throttle=0.05,lambda-crash=0.02" -> {ddb-throttle: 0.05, lambda-crash: 0.02}. Throws FaultSpecError. */
export function parseFaultSpec(text: string): FaultRates {
  const rates: FaultRates = {};
  const parts = text.split(",").map((p) => p.trim());
  if (text.trim() === "" || parts.some((p) => p === ""))
    throw new FaultSpecError(`--faults "${text}": expected a comma list of kind=rate, e.g. ddb-throttle=0.05`);
  for (const part of parts) {
    const match = /^([a-z0-9-]+)\s*=\s*(\S+)$/.exec(part);
    if (!match)
      throw new FaultSpecError(
        `--faults: "${part}" is not kind=rate (a share of calls from 0 to 1, e.g. ${"ddb-5xx=0.02"})`,
      );
    const [, kind, rawRate] = match as unknown as [string, string, string];
    if (!isFaultKind(kind))
      throw new FaultSpecError(
        `--faults: unknown fault kind "${kind}"; known kinds: ${Object.keys(FAULT_KINDS).join(", ")}`,
      );
    const rate = Number(rawRate);
    if (!/^\d*\.?\d+(e-?\d+)?$/i.test(rawRate) || !Number.isFinite(rate) || rate < 0 || rate > 1)
      throw new FaultSpecError(`--faults: rate of ${kind} must be a number from 0 to 1, got "${rawRate}"`);
    if (kind in rates) throw new FaultSpecError(`--faults: ${kind} is given twice`);
    rates[kind] = rate;
  }
  return rates;
}

/** The spec as it reads on the command line (for run.json and the summary). */
export function formatFaultSpec(rates: FaultRates): string {
  return Object.entries(rates)
    .map(([kind, rate]) => `${kind}=${rate}`)
    .join(",");
}
