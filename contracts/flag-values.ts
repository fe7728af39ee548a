/**
 * The values every command line here accepts, one grammar each: rates, durations, whole numbers, ratios, rate
 * profiles, URLs and regions. Each parser names what it read (`--rate`, `$QUEUE_URL`) in a UsageError that shows an
 * accepted value, so `npm start`, the producer, `npm run dlq` and the report accept and refuse the same text.
 */
import { UsageError } from "./cli-errors";

/** One step of a stepped rate profile: this many messages per second for this long; a rate of 0 pauses. */
export interface RatePhase {
  ratePerSecond: number;
  durationMs: number;
}

/** `name` is how the user gave the value: a flag (`--rate`) or an environment variable (`$QUEUE_URL`). */
function invalid(name: string, raw: string, expected: string): UsageError {
  return new UsageError(`invalid ${name} ${JSON.stringify(raw)}: expected ${expected}`);
}

const RATE_UNITS: Record<string, number> = { s: 1, sec: 1, m: 1 / 60, min: 1 / 60, h: 1 / 3600 };

/** `200/s`, `200`, `12000/m`, `50/h` to messages per second; `max` to Infinity when allowed. Never negative. */
export function parseRate(
  raw: string,
  name = "--rate",
  options: { allowZero?: boolean; allowMax?: boolean } = {},
): number {
  const text = raw.trim().toLowerCase();
  const expected = `a number per second, e.g. 200/s (also 200, 12000/m${options.allowMax ? " or max" : ""})`;
  if (options.allowMax && text === "max") return Infinity;
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:\/\s*(s|sec|m|min|h))?$/.exec(text);
  if (!match) throw invalid(name, raw, expected);
  const perSecond = Number(match[1]) * RATE_UNITS[match[2] ?? "s"]!;
  if (perSecond === 0 && !options.allowZero) throw invalid(name, raw, "a rate above zero, e.g. 200/s");
  return perSecond;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `500ms`, `30s`, `1.5s`, `2m`, `1h`, `1d` to milliseconds. A unit is required: a bare `30` could mean seconds or
 * minutes. Callers wanting seconds divide.
 */
export function parseDuration(raw: string, name = "--duration", options: { allowZero?: boolean } = {}): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)$/.exec(raw.trim().toLowerCase());
  if (!match) throw invalid(name, raw, "a duration with a unit, e.g. 30s, 2m or 500ms");
  const ms = Number(match[1]) * DURATION_UNITS[match[2]!]!;
  if (ms === 0 && !options.allowZero) throw invalid(name, raw, "a duration above zero, e.g. 30s");
  return ms;
}

/** A whole number from min to max; `example` is shown when it is not one. */
export function parseInteger(raw: string, name: string, min: number, max: number, example: string): number {
  const text = raw.trim();
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(name, raw, `a whole number from ${min} to ${max}, e.g. ${example}`);
  }
  return value;
}

/** How many messages: at least one. */
export const parseCount = (raw: string, name = "--count"): number =>
  parseInteger(raw, name, 1, Number.MAX_SAFE_INTEGER, "1000");

/** A seed for a reproducible run: an unsigned 32-bit number. */
export const parseSeed = (raw: string, name = "--seed"): number => parseInteger(raw, name, 0, 2 ** 32 - 1, "42");

/** `--invalid-ratio`: the share of malformed messages, a fraction from 0 to 1. */
export function parseInvalidRatio(raw: string, name = "--invalid-ratio"): number {
  const ratio = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw invalid(name, raw, "a fraction from 0 to 1, e.g. 0.05 for 5% malformed messages");
  }
  return ratio;
}

/** `"50/s:20s,400/s:40s,0/s:20s"`: comma-separated `rate:duration` phases, run in order. 0/s pauses. */
export function parseProfile(raw: string, name = "--profile"): RatePhase[] {
  const example = `phases of rate:duration, e.g. "50/s:20s,400/s:40s,0/s:20s"`;
  const parts = raw.split(",").map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === "")) throw invalid(name, raw, example);
  const phases = parts.map((part) => {
    const separator = part.lastIndexOf(":");
    if (separator <= 0) throw invalid(name, raw, `${example}; phase ${JSON.stringify(part)} has no ":duration"`);
    try {
      return {
        ratePerSecond: parseRate(part.slice(0, separator), name, { allowZero: true }),
        durationMs: parseDuration(part.slice(separator + 1), name),
      };
    } catch (error) {
      // The phase's own complaint, without repeating the whole flag: `...; phase "fast:10s": expected a number ...`.
      const why = (error as Error).message.replace(/^invalid \S+ "[^"]*": /, "");
      throw invalid(name, raw, `${example}; phase ${JSON.stringify(part)}: ${why}`);
    }
  });
  if (phases.every((phase) => phase.ratePerSecond === 0))
    throw invalid(name, raw, `${example}; at least one phase must send`);
  return phases;
}

/** An http(s) URL; returned trimmed. */
export function parseUrl(raw: string, name: string, example: string): string {
  const text = raw.trim();
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:"))
    throw invalid(name, raw, `an http(s) URL, e.g. ${example}`);
  return text;
}

/** An AWS region name: `us-east-1`, `eu-west-1`, `ap-southeast-2`, `us-gov-west-1`. */
export const REGION_PATTERN = /[a-z]{2}(?:-[a-z]+)+-\d+/;

export function parseRegion(raw: string, name = "--region"): string {
  const text = raw.trim();
  if (!new RegExp(`^${REGION_PATTERN.source}$`).test(text))
    throw invalid(name, raw, "an AWS region name, e.g. us-east-1 or eu-west-1");
  return text;
}
