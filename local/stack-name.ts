import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./stack-source";

/** --stack names a stack file that does not exist. */
class StackNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackNameError";
  }
}

/** The stacks this repository has a Pulumi.<name>.yaml for. */
function stackNames(root = REPO_ROOT): string[] {
  return readdirSync(root)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

/** Pulumi.<name>.yaml, the file `pulumi up` reads for stack <name>. */
export function stackFileNamed(name: string, root = REPO_ROOT): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new StackNameError(`--stack "${name}" is not a stack name`);
  const file = join(root, `Pulumi.${name}.yaml`);
  if (!existsSync(file))
    throw new StackNameError(
      `--stack ${name}: there is no Pulumi.${name}.yaml; stacks here: ${stackNames(root).join(", ")}`,
    );
  return file;
}
