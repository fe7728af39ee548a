import type { SynthesizedResource, SynthesizedStack } from "../../contracts";
import type { WiringOptions } from "../stack/iam-wiring";
import { findByReference } from "../stack/lookup";

/** What the preflight found: every rule broken, and every rule it could not check (with why). */

export interface ResourceRef {
  type: string;
  /** The logical (Pulumi) name. */
  name: string;
}

export interface PreflightViolation {
  resource: ResourceRef;
  /** The input at fault, e.g. `batchSize`, `timeout` or `policy: Statement[0].Action[1]`. */
  field: string;
  value: unknown;
  /** The rule, in this project's words, with the values that break it. */
  rule: string;
  /** AWS's own error text for it, where one is known (quoted exactly). */
  awsText?: string;
}

export interface UncheckedRule {
  resource: ResourceRef;
  field: string;
  reason: string;
}

export interface PreflightReport {
  violations: PreflightViolation[];
  unchecked: UncheckedRule[];
}

export interface PreflightOptions {
  /** The stack being deployed; physical names may contain it. */
  stackName: string;
  /** The account's partition. Default `aws`. */
  partition?: string;
  /**
   * True for a value not known before deployment. A preview leaves ARNs, URLs and the policies built from them
   * unknown; rules that need such a value are listed as unchecked instead of guessed.
   */
  isUnknown?: (value: unknown) => boolean;
}

/** What every rule module receives: the stack, the options and the two lists it adds to. */
export class PreflightContext {
  readonly violations: PreflightViolation[] = [];
  readonly unchecked: UncheckedRule[] = [];
  readonly partition: string;

  constructor(
    readonly stack: SynthesizedStack,
    readonly options: PreflightOptions,
  ) {
    this.partition = options.partition ?? "aws";
  }

  /** How rules read the stack's IAM wiring: with the preview's unknowns and the account's partition. */
  get wiring(): WiringOptions {
    return { ...(this.options.isUnknown ? { isUnknown: this.options.isUnknown } : {}), partition: this.partition };
  }

  /**
   * The resource of `type` a reference names. A reference not known before deployment names nothing by its value;
   * with `via` (the resource and input holding it), it names the one resource of `type` that input's value came from,
   * by the engine's property dependencies, as Pulumi orders the creates.
   */
  find(
    type: string,
    reference: unknown,
    via?: { from: SynthesizedResource; field: string },
  ): SynthesizedResource | undefined {
    const found = findByReference(this.stack, type, reference, this.options.isUnknown);
    if (found || !via || !this.options.isUnknown?.(reference)) return found;
    const urns = via.from.dependencies?.[via.field] ?? [];
    const candidates = this.stack.resources.filter((r) => r.type === type && urns.includes(r.urn));
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  violation(resource: SynthesizedResource, field: string, value: unknown, rule: string, awsText?: string): void {
    this.violations.push({ resource: ref(resource), field, value, rule, ...(awsText ? { awsText } : {}) });
  }

  skip(resource: SynthesizedResource, field: string, reason: string): void {
    this.unchecked.push({ resource: ref(resource), field, reason });
  }

  /** Whether `value` (and everything inside it) is known; records the rule as unchecked when it is not. */
  known(resource: SynthesizedResource, field: string, value: unknown): boolean {
    if (!this.containsUnknown(value)) return true;
    this.skip(resource, field, "the value is not known before deployment");
    return false;
  }

  containsUnknown(value: unknown): boolean {
    const isUnknown = this.options.isUnknown;
    if (!isUnknown) return false;
    const visit = (v: unknown): boolean =>
      isUnknown(v) ||
      (Array.isArray(v) ? v.some(visit) : typeof v === "object" && v !== null ? Object.values(v).some(visit) : false);
    return visit(value);
  }
}

const ref = (r: SynthesizedResource): ResourceRef => ({ type: r.type, name: r.name });
