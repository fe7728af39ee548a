/**
 * The synthesized stack: every resource the program registered, with the inputs its provider receives, and the
 * stack outputs. The engine (engine/) produces it, under Pulumi's language host or under mocks for unit tests; the
 * embedded cloud (local/) deploys it, the local dashboard reads its dashboard body, the tests assert on it.
 */

/**
 * Resource inputs, state and stack outputs as plain JSON-like values. Their shape depends on the resource type,
 * and every reader (the deployer, the tests) checks what it reads, so they stay untyped here.
 */
// biome-ignore lint/suspicious/noExplicitAny: provider-shaped values; each reader checks the fields it uses
export type PlainValues = Record<string, any>;

export interface SynthesizedResource {
  type: string;
  name: string;
  urn: string;
  id: string;
  /** The parent component's URN; left out for top-level resources (whose parent is the stack). */
  parent?: string;
  /** Inputs as the provider would receive them (plain values). */
  inputs: PlainValues;
  state: PlainValues;
  /**
   * Input name -> URNs of the resources its value came from (Pulumi's property dependencies); recorded by the
   * language-host engine, absent under mocks. A preview leaves ARNs unknown, but still knows whose ARN an input holds.
   */
  dependencies?: Record<string, string[]>;
}

export interface SynthesizedStack {
  resources: SynthesizedResource[];
  outputs: PlainValues;
}

/** What replaces a Function's `code` input: the serialized handler and what the archive carries. */
export interface SynthesizedCode {
  /** Text of `__index.js`, the serialized callbackFactory with captured values inlined; exports `handler`. */
  indexJs: string;
  /** Package names the archive carries (a package nested at several depths appears once). */
  packages: string[];
  /** The archive's package folders, relative to the project root, e.g. node_modules/valibot. */
  paths: string[];
}

export const FUNCTION_TYPE = "aws:lambda/function:Function";

/** The one Function (the consumer) of a synthesized stack, with its code description. */
export function consumerFunction(stack: SynthesizedStack): SynthesizedResource & { inputs: { code: SynthesizedCode } } {
  const functions = stack.resources.filter((r) => r.type === FUNCTION_TYPE);
  if (functions.length !== 1) throw new Error(`expected one Lambda function, found ${functions.length}`);
  return functions[0] as SynthesizedResource & { inputs: { code: SynthesizedCode } };
}
