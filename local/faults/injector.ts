import { createFaultDice, type FaultDice } from "./dice";
import { FAULT_KINDS, type FaultKind, type FaultRates } from "./spec";

export interface FaultSettings {
  rates: FaultRates;
  /** Seeds one PRNG per kind; the same spec and seed inject the same faults into the same sequence of calls. */
  seed: number;
}

export type FaultListener = (kind: FaultKind, n: number) => void;

/**
 * The main thread's side of fault injection: the dice for the faults injected here (SQS, the pollers, Lambda), the
 * count of every injected fault by kind (the DynamoDB worker reports its own), and which messages each fault touched,
 * so verification can say why a message was dead-lettered.
 */
export class FaultInjector {
  readonly counts = {} as Record<FaultKind, number>;
  private readonly dice: FaultDice;
  private readonly listeners = new Set<FaultListener>();
  /** eventId (or messageId when a message has none) -> what hit it, how many times. */
  private readonly ledger = new Map<string, Map<string, number>>();

  constructor(readonly settings: FaultSettings) {
    this.dice = createFaultDice(settings.rates, settings.seed);
    for (const kind of this.kinds) this.counts[kind] = 0;
  }

  /** The kinds this run injects (rate above 0). */
  get kinds(): FaultKind[] {
    return (Object.keys(FAULT_KINDS) as FaultKind[]).filter((kind) => (this.settings.rates[kind] ?? 0) > 0);
  }

  enabled(kind: FaultKind): boolean {
    return (this.settings.rates[kind] ?? 0) > 0;
  }

  /** Decides one eligible call; counts the fault when it is injected. */
  roll(kind: FaultKind): boolean {
    if (!this.dice.roll(kind)) return false;
    this.count(kind);
    return true;
  }

  /** Counts faults injected elsewhere (the DynamoDB worker thread). */
  count(kind: FaultKind, n = 1): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + n;
    for (const listener of this.listeners) listener(kind, n);
  }

  onFault(listener: FaultListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Remembers that this happened to these messages (by eventId, else messageId). */
  note(ids: Iterable<string>, what: string): void {
    for (const id of ids) {
      if (!id) continue;
      const hits = this.ledger.get(id) ?? new Map<string, number>();
      hits.set(what, (hits.get(what) ?? 0) + 1);
      this.ledger.set(id, hits);
    }
  }

  /** What hit this message, in the order first seen, with "x N" when it happened more than once. */
  whyOf(id: string): string[] {
    return [...(this.ledger.get(id) ?? [])].map(([what, n]) => (n > 1 ? `${what} x ${n}` : what));
  }

  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
}

/** The identifier verification knows a message by: the producer's eventId attribute, else the SQS messageId. */
export function messageKey(
  messageId: string | undefined,
  attributes: Record<string, { StringValue?: string; stringValue?: string } | undefined> | undefined,
): string {
  const eventId = attributes?.eventId;
  return eventId?.StringValue ?? eventId?.stringValue ?? messageId ?? "";
}
