/**
 * The import graph of the TypeScript sources, and its cycles: between files, and between the
 * folders of `harness/` (each folder a node, an edge wherever one of its files imports another's).
 * Type-only imports count: a type cycle is still a cycle in the design.
 *
 * Usage: `npm run -s check:imports` prints every cycle and exits 1 if there is one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import * as ts from 'typescript';

/** Absolute path of the repository root. */
export const REPO_ROOT = join(__dirname, '..');

/** Files (repo-relative, `/`-separated) mapped to the repo files they import. */
export type ImportGraph = Map<string, Set<string>>;

const posix = (p: string): string => p.split(sep).join('/');

/** Tests and the fixtures tests run (`*.test.ts`, `*.fixture.ts`) may reach anywhere; they are left out. */
function isTestCode(name: string): boolean {
  return /\.(test|fixture)\.m?ts$/.test(name);
}

function sourceFiles(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'generated' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) sourceFiles(full, out);
    else if (/\.m?ts$/.test(name) && !name.endsWith('.d.ts') && !isTestCode(name)) out.push(full);
  }
  return out;
}

/**
 * Builds the graph of the non-test `.ts` files under `roots` (repo-relative folders), following
 * every static import, `export … from` and `import()` that resolves to another repo file.
 */
export function importGraph(roots: readonly string[]): ImportGraph {
  const options: ts.CompilerOptions = { moduleResolution: ts.ModuleResolutionKind.Node10, allowJs: false };
  const graph: ImportGraph = new Map();
  const files = roots.flatMap((r) => sourceFiles(join(REPO_ROOT, r), []));
  for (const file of files) {
    const deps = new Set<string>();
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      const resolved = ts.resolveModuleName(ref.fileName, file, options, ts.sys).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport) continue;
      const target = posix(relative(REPO_ROOT, resolved.resolvedFileName));
      if (target.startsWith('..') || target.endsWith('.d.ts')) continue;
      deps.add(target);
    }
    graph.set(posix(relative(REPO_ROOT, file)), deps);
  }
  return graph;
}

/**
 * Collapses a file graph to folders: `harness/rtio/sqe.ts` becomes `harness/rtio`; a file directly
 * in `harness/` stays itself (the package's entry points sit above every folder). Edges inside one
 * folder are dropped.
 */
export function folderGraph(graph: ImportGraph, depth = 2): ImportGraph {
  const folderOf = (f: string): string => {
    const parts = f.split('/');
    return parts.length > depth ? parts.slice(0, depth).join('/') : f;
  };
  const out: ImportGraph = new Map();
  for (const [file, deps] of graph) {
    const from = folderOf(file);
    const set = out.get(from) ?? new Set<string>();
    for (const d of deps) if (folderOf(d) !== from) set.add(folderOf(d));
    out.set(from, set);
  }
  return out;
}

/** The strongly connected components of more than one node (or with a self-edge): the cycles. */
export function cycles(graph: ImportGraph): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (on.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      for (;;) {
        const w = stack.pop();
        if (w === undefined) break;
        on.delete(w);
        scc.push(w);
        if (w === v) break;
      }
      if (scc.length > 1 || graph.get(v)?.has(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

/** One shortest path `from` → … → `to` in `graph`, for explaining a cycle; [] if none. */
export function pathBetween(graph: ImportGraph, from: string, to: string): string[] {
  const prev = new Map<string, string>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const v = queue.shift() as string;
    for (const w of graph.get(v) ?? []) {
      if (w === to) {
        const path = [to, v];
        for (let p = prev.get(v); p !== undefined; p = prev.get(p)) path.push(p);
        return path.reverse();
      }
      if (!seen.has(w)) {
        seen.add(w);
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [];
}

/** The folders and packages whose graphs are checked. */
export const CHECKED_ROOTS = ['harness', 'protocol', 'bench', 'suites', 'firmware-stubs'] as const;

if (require.main === module) {
  const files = importGraph(CHECKED_ROOTS);
  const folders = folderGraph(files);
  let bad = 0;
  for (const [label, graph] of [['folders', folders], ['files', files]] as const) {
    const found = cycles(graph);
    bad += found.length;
    console.log(`${label}: ${graph.size} nodes, ${found.length} cycle${found.length === 1 ? '' : 's'}`);
    for (const scc of found) {
      const first = scc[0] as string;
      const back = [...(graph.get(first) ?? [])].find((d) => scc.includes(d)) ?? first;
      console.log(`  ${scc.join(', ')}\n    e.g. ${[first, ...pathBetween(graph, back, first)].join(' -> ')}`);
    }
  }
  process.exitCode = bad === 0 ? 0 : 1;
}
