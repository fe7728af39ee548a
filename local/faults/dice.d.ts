export interface FaultDice {
  /** True for the configured share of calls of this kind (seeded, one stream per kind). */
  roll(kind: string): boolean;
}
export function createFaultDice(rates: Readonly<Record<string, number | undefined>>, seed: number): FaultDice;
