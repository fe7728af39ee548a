import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import * as ts from "typescript";
import { test } from "uvu";
import * as assert from "uvu/assert";

// The folder-level import graph must stay acyclic, and nothing outside tests/ may import from tests/.

const ROOT = resolve(__dirname, "..");
const SKIPPED = new Set(["node_modules", ".git", ".local", ".build"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [full] : [];
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
}

/** Every relative import, require and import() of every source file, as the TypeScript compiler reads them. */
function importEdges(): ImportEdge[] {
  return sourceFiles(ROOT).flatMap((file) => {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    return info.importedFiles
      .map((i) => i.fileName)
      .filter((specifier) => specifier.startsWith("."))
      .map((specifier) => ({
        from: folderOf(file),
        to: folderOf(resolve(dirname(file), specifier)),
        file: relative(ROOT, file),
        specifier,
      }));
  });
}

/** One cycle of the graph as a path of folders (first = last), or undefined when there is none. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "open") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

function folderGraph(edges: readonly ImportEdge[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (from === to) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
  }
  return graph;
}

test("the cycle finder finds a cycle and accepts a tree", () => {
  const edge = (from: string, to: string): ImportEdge => ({ from, to, file: "", specifier: "" });
  assert.equal(findCycle(folderGraph([edge("a", "b"), edge("b", "c"), edge("c", "a")])), ["a", "b", "c", "a"]);
  assert.is(findCycle(folderGraph([edge("a", "b"), edge("a", "c"), edge("b", "c")])), undefined);
});

test("no folder imports a folder that imports it back, and only tests import from tests/", () => {
  const edges = importEdges();
  assert.ok(edges.length > 100, `found only ${edges.length} imports: the scan is broken`);
  assert.ok(
    edges.some((e) => e.from === "local" && e.to === "producer"),
    "the scan misses local/ -> producer/",
  );
  const intoTests = edges.filter((e) => e.to === "tests" && e.from !== "tests");
  assert.equal(
    intoTests.map((e) => `${e.file} imports ${e.specifier}`),
    [],
  );
  const cycle = findCycle(folderGraph(edges));
  const witnesses = (cycle ?? []).slice(1).map((to, i) => {
    const e = edges.find((x) => x.from === cycle![i] && x.to === to)!;
    return `${e.file} imports ${e.specifier}`;
  });
  assert.is(cycle, undefined, `folder cycle ${cycle?.join(" -> ")}: ${witnesses.join("; ")}`);
});

test.run();
