/**
 * The project's stacks as the Pulumi CLI finds them: `Pulumi.<stack>.yaml` in the project root, the stack a command
 * uses when none is named, and the file's `config` map. The Pulumi program loads the kernel too, so `yaml` is
 * required only by the function that parses.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { OperatorError, UsageError } from "./cli-errors";
import { PROJECT_ROOT } from "./workspace";

/** The stack this repository ships settings for, and every command's default. */
export const DEFAULT_STACK = "dev";

/** The stack a command uses when none is named: $PULUMI_STACK, as the Pulumi CLI honours it, else dev. */
export function defaultStack(env: NodeJS.ProcessEnv = process.env): string {
  return env.PULUMI_STACK?.trim() || DEFAULT_STACK;
}

/** Pulumi.<stack>.yaml in the project root: where the CLI reads a stack's config. */
export function stackFilePath(stack: string): string {
  return join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
}

/** The stacks this repository has a Pulumi.<name>.yaml for, sorted. */
function stackNames(): string[] {
  return readdirSync(PROJECT_ROOT)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

/** A --stack value that is not a stack of this project. */
class StackNameError extends UsageError {}

/** Checks that `name` (from `flag`) is a stack with a Pulumi.<name>.yaml here, and returns that file. */
export function stackFileNamed(name: string, flag = "--stack"): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new StackNameError(`${flag} "${name}" is not a stack name`);
  const file = stackFilePath(name);
  if (!existsSync(file))
    throw new StackNameError(
      `${flag} ${name}: there is no Pulumi.${name}.yaml; stacks here: ${stackNames().join(", ")}`,
    );
  return file;
}

/** A stack file that cannot be read as Pulumi stack configuration. */
export class StackConfigError extends OperatorError {
  constructor(path: string, why: string) {
    super(`cannot read stack configuration from ${path}: ${why}`);
  }
}

/**
 * Reads Pulumi.<stack>.yaml into the shape of PULUMI_CONFIG (what the CLI hands the program): every `config` key
 * with its value as a string, objects and arrays as JSON. Secure values (`{secure: ...}`) cannot be decrypted
 * without the CLI and are refused with a clear message.
 */
export function stackConfigFromYaml(path: string): Record<string, string> {
  const { parse } = require("yaml") as typeof import("yaml");
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
