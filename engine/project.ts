import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";

/** The Pulumi project (Pulumi.yaml's name) and its stack files, as the CLI finds them. */

export const PROJECT = "vehicle-pipeline";
/** The project root (where Pulumi.yaml, package.json and node_modules are). */
export const PROJECT_ROOT = resolve(__dirname, "..");

/** Pulumi.<stack>.yaml in the project root: where the CLI reads a stack's config. */
export function stackFilePath(stack: string): string {
  return join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
}

/** Thrown when a stack file cannot be read as Pulumi stack configuration. */
export class StackConfigError extends Error {
  constructor(path: string, why: string) {
    super(`cannot read stack configuration from ${path}: ${why}`);
    this.name = "StackConfigError";
  }
}

/**
 * Reads Pulumi.<stack>.yaml into the shape of PULUMI_CONFIG (what the CLI hands the program): every `config` key
 * with its value as a string, objects and arrays as JSON. Secure values (`{secure: ...}`) cannot be decrypted
 * without the CLI and are rejected with a clear message.
 */
export function stackConfigFromYaml(path: string): Record<string, string> {
  let document: unknown;
  try {
    document = parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new StackConfigError(path, (error as Error).message);
  }
  const config = (document as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config))
    throw new StackConfigError(path, "`config` must be a map of key: value");
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value !== null && typeof value === "object" && "secure" in value) {
      throw new StackConfigError(
        path,
        `${key} is a secret; set it in PULUMI_CONFIG yourself, the synthesizer cannot decrypt it`,
      );
    }
    result[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return result;
}
