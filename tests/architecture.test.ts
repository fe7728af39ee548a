import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import * as ts from "typescript";
import { test } from "uvu";
import * as assert from "uvu/assert";

// The layering, as README's Layout section states it: which folders each folder may import, and only through the
// imported folder's entry module (its index.ts). Tests may import anything, anywhere; nothing imports tests/.

const ROOT = resolve(__dirname, "..");
const SKIPPED = new Set(["node_modules", ".git", ".local", ".build"]);

/** "." is the program itself: index.ts at the root. */
const ALLOWED: Record<string, readonly string[]> = {
  contracts: [],
  handlers: ["contracts"],
  components: ["contracts"],
  ".": ["components", "contracts", "handlers"],
  controlplane: ["contracts"],
  producer: ["contracts"],
  metrics: ["contracts"],
  dashboard: ["contracts", "metrics"],
  dlq: ["contracts"],
  engine: [".", "contracts", "controlplane"],
  local: ["contracts", "controlplane", "dashboard", "engine", "metrics", "producer"],
  reporting: ["components", "contracts", "dashboard", "local", "metrics"],
  bench: ["contracts", "engine", "local", "producer", "reporting"],
  scripts: [],
};

/** Why each folder sits where it does, for README's table. */
const ROLE: Record<string, string> = {
  contracts:
    "the kernel: every fact two parts agree on, one module each (the message, SQS's limits, metric names, the workspace, the command line, the record formats)",
  handlers: "the Lambda consumer: validation, storage, dead-lettering, Powertools batch, metrics and logs",
  components:
    "the ComponentResources (`VehicleQueue`, `VehicleTable`, `MonitoredFunction`, `PipelineDashboard`, `PipelineAlarms`, `LogQueries`) and pure builders for policies, widgets and alarm rules",
  ".": "the program: settings, the components, the handler wired into its function, the stack outputs",
  controlplane:
    "what AWS decides before a call or a deployment: IAM policy evaluation, deploy-time rules (preflight), CloudWatch alarm evaluation",
  producer: "the load generator: `produce()` and the `tsx producer` command line",
  metrics: "series from a per-second record or CloudWatch datapoints, and Vega-Lite chart specs",
  dashboard: "the local dashboard: server, static page, the CloudWatch dashboard body it draws",
  dlq: "`npm run dlq`: stats, peek, export, redrive, purge (the runbook's command)",
  engine:
    "an in-process Pulumi engine running the program through Pulumi's own language host, as `pulumi up` does; `npm run preview`; the Lambda archive",
  local: "the embedded cloud: emulators, deploy, event source mapping, execution environments, recorder, verification",
  reporting: "`npm run report`: local record or CloudWatch, observations, cost, Markdown, screenshot",
  bench: "`npm run bench`: archive, producer, pipeline benchmarks",
  scripts:
    "`npm test` (every suite in a pool of test processes, the checks beside them), `npm run test:unit`; the tiers in `test-suites.mjs`; `load-tsx.mjs`, which the npm commands preload to run TypeScript",
};

/**
 * The one exception to "through the entry module": the consumer's code is serialized into the Lambda archive, and
 * under esbuild (tsx) a named import through contracts/index.ts hands Pulumi's serializer every module the entry
 * re-exports. handlers/ imports these contract modules, which import nothing of ours that is not on this list.
 */
const SERIALIZED_CONTRACTS = new Set([
  "contracts/aws-errors",
  "contracts/consumer-log",
  "contracts/dead-letter",
  "contracts/event-id",
  "contracts/metric-names",
  "contracts/rejection-codes",
  "contracts/sqs-limits",
  "contracts/vehicle",
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** The top folder a repository file (or an imported folder) belongs to; files at the root belong to ".". */
function folderOf(file: string): string {
  const parts = relative(ROOT, file).split(sep);
  const isFolder = existsSync(file) && statSync(file).isDirectory();
  return parts.length === 1 && !isFolder ? "." : parts[0]!;
}

interface ImportEdge {
  from: string;
  to: string;
  file: string;
  specifier: string;
  /** The imported module, relative to the root, without extension: "contracts" for the entry, "contracts/vehicle"... */
  target: string;
}

/** Every relative import, require and import() of every source file, as the TypeScript compiler reads them. */
function importEdges(): ImportEdge[] {
  return sourceFiles(ROOT).flatMap((file) => {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    return info.importedFiles
      .map((i) => i.fileName)
      .filter((specifier) => specifier.startsWith("."))
      .map((specifier) => {
        const absolute = resolve(dirname(file), specifier);
        const target = relative(ROOT, absolute)
          .split(sep)
          .join("/")
          .replace(/\.(ts|js)$/, "")
          .replace(/\/index$/, "");
        return { from: folderOf(file), to: folderOf(absolute), file: relative(ROOT, file), specifier, target };
      });
  });
}

/** The edges that break the layering: a folder not allowed, or a way in other than the entry module. */
function violations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    if (e.from === e.to || e.from === "tests") continue;
    const where = `${e.file} imports ${e.specifier}`;
    const allowed = ALLOWED[e.from];
    if (!allowed) out.push(`${where}: folder ${e.from} is not in the layering table`);
    else if (!allowed.includes(e.to))
      out.push(`${where}: ${e.from}/ may import only ${allowed.join(", ") || "nothing of ours"}`);
    else if (e.to !== "." && e.target !== e.to && !(e.from === "handlers" && SERIALIZED_CONTRACTS.has(e.target)))
      out.push(`${where}: import ${e.to}/ through its entry module (${e.to}/index.ts)`);
  }
  return out;
}

test("the checker refuses a folder outside the table, a way around an entry module, and an import into tests/", () => {
  const edge = (from: string, to: string, target = to): ImportEdge => ({
    from,
    to,
    target,
    file: `${from}/x.ts`,
    specifier: `../${target}`,
  });
  assert.equal(violations([edge("producer", "contracts"), edge("tests", "local", "local/cloud")]), []);
  assert.equal(violations([edge("producer", "local")]).length, 1, "producer/ may not import local/");
  assert.equal(violations([edge("local", "producer", "producer/args")]).length, 1, "not through the entry module");
  assert.equal(violations([edge("handlers", "contracts", "contracts/vehicle")]), [], "the serializer's exception");
  assert.equal(violations([edge("handlers", "contracts", "contracts/state-file")]).length, 1);
  assert.equal(violations([edge("local", "tests", "tests/support/x")]).length, 1, "nothing imports tests/");
});

test("every import outside tests/ follows the layering table, through entry modules", () => {
  const edges = importEdges();
  assert.ok(edges.length > 100, `found only ${edges.length} imports: the scan is broken`);
  assert.ok(
    edges.some((e) => e.from === "local" && e.to === "producer"),
    "the scan misses local/ -> producer/",
  );
  assert.equal(violations(edges), []);
});

test("the serialized contract modules import only one another", () => {
  const edges = importEdges().filter((e) => SERIALIZED_CONTRACTS.has(e.file.replace(/\.ts$/, "")));
  assert.equal(
    edges.filter((e) => !SERIALIZED_CONTRACTS.has(e.target)).map((e) => `${e.file} imports ${e.specifier}`),
    [],
  );
});

test("README's Layout section states the same table", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const rows = Object.entries(ALLOWED).map(
    ([folder, allowed]) =>
      `| ${folder === "." ? "`index.ts`" : `\`${folder}/\``} | ${ROLE[folder]} | ${allowed.map((f) => (f === "." ? "`index.ts`" : `\`${f}/\``)).join(", ") || "nothing of ours"} |`,
  );
  const missing = rows.filter((row) => !readme.includes(row));
  assert.equal(missing, [], "README.md must hold these rows of the layering table verbatim");
});

test.run();
