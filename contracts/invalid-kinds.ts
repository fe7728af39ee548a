import type { RejectionCode } from "./rejection-codes";

/**
 * The malformed messages the producer can mix in, each exercising one rejection path of the consumer, and the code
 * the consumer must give each: what the DLQ's `errorCode` attribute must say, as the verification checks.
 */
export const INVALID_KINDS = ["invalid-json", "missing-field", "wrong-type", "out-of-range"] as const;
export type InvalidKind = (typeof INVALID_KINDS)[number];

export const INVALID_KIND_CODES: Readonly<Record<InvalidKind, RejectionCode>> = {
  "invalid-json": "INVALID_JSON",
  "missing-field": "MISSING_FIELD",
  "wrong-type": "WRONG_TYPE",
  "out-of-range": "OUT_OF_RANGE",
};
