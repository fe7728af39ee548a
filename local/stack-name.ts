import { existsSync, readdirSync } from "node:fs";
import { PROJECT_ROOT, stackFilePath } from "../engine/project";

/** --stack names a stack file that does not exist. */
class StackNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackNameError";
  }
}

/** The stacks this repository has a Pulumi.<name>.yaml for. */
function stackNames(): string[] {
  return readdirSync(PROJECT_ROOT)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

/** Pulumi.<name>.yaml, the file `pulumi up` reads for stack <name>. */
export function stackFileNamed(name: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new StackNameError(`--stack "${name}" is not a stack name`);
  const file = stackFilePath(name);
  if (!existsSync(file))
    throw new StackNameError(
      `--stack ${name}: there is no Pulumi.${name}.yaml; stacks here: ${stackNames().join(", ")}`,
    );
  return file;
}
