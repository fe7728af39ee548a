import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * What goes into the consumer's Lambda archive, as codePathOptions for aws.lambda.CallbackFunction.
 *
 * Pulumi packages every package.json dependency, transitively, whether the function loads it or not (6.1 MB zipped
 * for this project). Its `extraExcludePackages` takes exact names (no wildcards) that apply at every depth of the
 * tree, so the list is computed from what is installed rather than hand-maintained:
 * - whole scopes the runtime already provides (SDK v3) or that hold only types;
 * - the dependencies only other parts of the project use;
 * - dual-format packages, replaced by just the files `require` loads (their ESM copy and type declarations are
 *   half their size and never load in a CommonJS function).
 */

/**
 * The nodejs22.x runtime ships AWS SDK v3 clients (@aws-sdk/*) under /var/runtime/node_modules. Not @smithy: the
 * runtime bundles the SDK's @smithy building blocks inside it, so a package the function itself requires from
 * @smithy is missing there (aws-xray-sdk-core loads @smithy/service-error-classification: aws/aws-cdk#33099).
 * Pulumi never walks into an excluded package, so @smithy packages reached only through @aws-sdk stay out anyway.
 */
const RUNTIME_PROVIDED_SCOPES = ["@aws-sdk"] as const;
/** Type declarations only: aws-xray-sdk-core drags in @types/node (2.3 MB) through @types/cls-hooked. */
const TYPE_ONLY_SCOPES = ["@types"] as const;
/**
 * Project dependencies the consumer never requires (measured from the serialized handler's requires): the
 * producer's fake data and concurrency limiter, and the eventId generator (the consumer reads eventIds, never makes them).
 */
const NOT_LOADED_BY_CONSUMER = ["@faker-js/faker", "p-limit", "uuidv7"] as const;
/**
 * Packages shipped as CommonJS plus ESM plus declarations, and the parts of each that `require` needs (its
 * package.json "exports" -> "require" target). A name ending in "/" matches the whole scope.
 */
const COMMONJS_ONLY: Readonly<Record<string, readonly string[]>> = {
  "@aws-lambda-powertools/": ["package.json", "lib/cjs"],
  valibot: ["package.json", "dist/index.cjs"],
  // aws-xray-sdk-core's one @smithy dependency (see RUNTIME_PROVIDED_SCOPES) and the type package it pins.
  "@smithy/service-error-classification": ["package.json", "dist-cjs"],
  "@smithy/types": ["package.json", "dist-cjs"],
  tslib: ["package.json", "tslib.js"],
};

/** One installed copy of a package: its name, folder relative to the project root, and its runtime dependencies. */
export interface InstalledPackage {
  name: string;
  /** e.g. node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons */
  path: string;
  dependencies: string[];
}

export interface ConsumerCodePathOptions {
  extraExcludePackages: string[];
  extraIncludePackages: string[];
  extraIncludePaths: string[];
}

function scopeOf(name: string): string | undefined {
  return name.startsWith("@") ? name.slice(0, name.indexOf("/")) : undefined;
}

function commonJsPartsOf(name: string): readonly string[] | undefined {
  for (const [pattern, parts] of Object.entries(COMMONJS_ONLY)) {
    if (pattern.endsWith("/") ? name.startsWith(pattern) : name === pattern) return parts;
  }
  return undefined;
}

/**
 * Pure: the codePathOptions for the consumer, given every installed copy of every package.
 * - extraExcludePackages: excluded scopes' packages, NOT_LOADED_BY_CONSUMER, and the COMMONJS_ONLY packages (which
 *   come back through extraIncludePaths).
 * - extraIncludePaths: the require-able parts of every copy of a COMMONJS_ONLY package (nested copies too, since a
 *   package may pin another version of a sibling).
 * - extraIncludePackages: what those copies depend on and is not itself excluded, because excluding a package also
 *   stops Pulumi from walking its dependencies. Pulumi resolves these names from the project root.
 */
export function consumerCodePathOptions(
  installed: readonly InstalledPackage[],
  excludedScopes: readonly string[] = [...RUNTIME_PROVIDED_SCOPES, ...TYPE_ONLY_SCOPES],
  notLoaded: readonly string[] = NOT_LOADED_BY_CONSUMER,
): ConsumerCodePathOptions {
  const excluded = new Set<string>(notLoaded);
  const includePaths = new Set<string>();
  const trimmed: InstalledPackage[] = [];
  for (const pkg of installed) {
    const scope = scopeOf(pkg.name);
    if (scope !== undefined && excludedScopes.includes(scope)) excluded.add(pkg.name);
    const parts = commonJsPartsOf(pkg.name);
    if (parts) {
      excluded.add(pkg.name);
      trimmed.push(pkg);
      for (const part of parts) includePaths.add(`${pkg.path}/${part}`);
    }
  }
  const includePackages = new Set<string>();
  for (const pkg of trimmed) {
    for (const dependency of pkg.dependencies) if (!excluded.has(dependency)) includePackages.add(dependency);
  }
  return {
    extraExcludePackages: [...excluded].sort(),
    extraIncludePackages: [...includePackages].sort(),
    extraIncludePaths: [...includePaths].sort(),
  };
}

/**
 * Every installed copy of every package under `<root>/node_modules`, including copies nested in other packages'
 * own node_modules, with paths relative to root (Pulumi's archive paths are relative to the project root).
 */
export function installedPackages(root: string): InstalledPackage[] {
  const found: InstalledPackage[] = [];
  const visit = (relativeDir: string): void => {
    const dir = join(root, relativeDir);
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
      const names = entry.name.startsWith("@")
        ? readdirSync(join(dir, entry.name), { withFileTypes: true })
            .filter((child) => child.isDirectory())
            .map((child) => `${entry.name}/${child.name}`)
        : [entry.name];
      for (const name of names) {
        const path = `${relativeDir}/${name}`;
        let dependencies: string[] = [];
        try {
          dependencies = Object.keys(
            JSON.parse(readFileSync(join(root, path, "package.json"), "utf8")).dependencies ?? {},
          );
        } catch {
          // A folder without a readable package.json is not a package (npm leaves such folders behind); no dependencies.
        }
        found.push({ name, path, dependencies });
        visit(`${path}/node_modules`);
      }
    }
  };
  visit("node_modules");
  return found;
}
