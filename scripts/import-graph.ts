/**
 * The import graph of `src/`, read with the TypeScript compiler's own parser: every static
 * `import` and `export … from` (type-only ones too), every `import()` call and `import('…')`
 * type, resolved to the file it names. `npx tsx scripts/import-graph.ts` prints the cycles (and
 * exits 1 when there is one); `test/structure/imports.test.ts` checks the graph in CI.
 *
 * @module
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** One import of a file. */
export interface ImportEdge {
  /** The module specifier as written (`../config/env.js`, `ws`). */
  readonly specifier: string;
  /** The imported file, relative to the root (`src/config/env.ts`); `undefined` for a package. */
  readonly target: string | undefined;
  /** Erased from the JavaScript: `import type`, `export type`, or an `import('…')` type. */
  readonly typeOnly: boolean;
}

/** Files (relative to the root, `/`-separated) and what each imports. */
export type ImportGraph = ReadonlyMap<string, readonly ImportEdge[]>;

/** Every `.ts` file under `dir` (relative to `root`), sorted. */
function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir)).sort()) {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) out.push(...sourceFiles(root, path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** `./x.js` from `src/a/b.ts` → `src/a/x.ts` (or `src/a/x/index.ts`); `undefined` for a package. */
function resolveSpecifier(root: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = join(dirname(from), specifier).replaceAll('\\', '/');
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, `${base}/index.ts`];
  for (const candidate of candidates) if (existsSync(join(root, candidate)) && statSync(join(root, candidate)).isFile()) return candidate;
  throw new Error(`${from}: cannot resolve ${JSON.stringify(specifier)}`);
}

/** The imports of one file's text. */
export function importsOf(fileName: string, text: string): { specifier: string; typeOnly: boolean }[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      // `import { type A, type B } from` is erased too (verbatimModuleSyntax keeps a bare `import {}`, which still runs).
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const allTypes = clause !== undefined && !clause.name && named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly);
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: clause?.isTypeOnly === true || allTypes });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      const allTypes = named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly);
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly || allTypes });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) found.push({ specifier: arg.text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The import graph of every `.ts` file under `dirs` (default `src`) of the project at `root`. */
export function importGraph(root: string, dirs: readonly string[] = ['src']): ImportGraph {
  const graph = new Map<string, ImportEdge[]>();
  for (const dir of dirs) {
    for (const file of sourceFiles(root, dir)) {
      const edges = importsOf(file, readFileSync(join(root, file), 'utf8')).map(({ specifier, typeOnly }) => ({
        specifier,
        target: resolveSpecifier(root, file, specifier),
        typeOnly,
      }));
      graph.set(file, edges);
    }
  }
  return graph;
}

/**
 * The import cycles of a graph, type-only imports included: each strongly connected component
 * of more than one file (or a file importing itself), as one cycle through it, starting at its
 * first file in sorted order.
 */
export function findCycles(graph: ImportGraph): string[][] {
  // Tarjan's algorithm, iterative (the graph is a few hundred files; recursion would do too).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const targets = (file: string): string[] => [...new Set((graph.get(file) ?? []).flatMap((e) => (e.target !== undefined && graph.has(e.target) ? [e.target] : [])))];
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { file: string; edges: string[]; i: number }[] = [];
    const enter = (file: string): void => {
      index.set(file, next);
      low.set(file, next);
      next++;
      stack.push(file);
      onStack.add(file);
      work.push({ file, edges: targets(file), i: 0 });
    };
    enter(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.edges.length) {
        const to = frame.edges[frame.i++]!;
        if (!index.has(to)) enter(to);
        else if (onStack.has(to)) low.set(frame.file, Math.min(low.get(frame.file)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.file, Math.min(low.get(parent.file)!, low.get(frame.file)!));
      if (low.get(frame.file) === index.get(frame.file)) {
        const component: string[] = [];
        let file: string;
        do {
          file = stack.pop()!;
          onStack.delete(file);
          component.push(file);
        } while (file !== frame.file);
        const selfLoop = component.length === 1 && targets(component[0]!).includes(component[0]!);
        if (component.length > 1 || selfLoop) components.push(component.sort());
      }
    }
  }
  return components.map((component) => cycleThrough(component, targets)).sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A shortest cycle through the component's first file, staying inside the component. */
function cycleThrough(component: string[], targets: (file: string) => string[]): string[] {
  const members = new Set(component);
  const start = component[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const to of targets(file)) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(to)) {
        previous.set(to, file);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

/** The project root: this file is in `scripts/`. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cycles = findCycles(importGraph(PROJECT_ROOT));
  for (const cycle of cycles) console.log(cycle.join(' → '));
  console.log(cycles.length === 0 ? 'no import cycle in src/' : `${cycles.length} import cycle${cycles.length === 1 ? '' : 's'} in src/ (${relative(process.cwd(), PROJECT_ROOT) || '.'})`);
  process.exitCode = cycles.length === 0 ? 0 : 1;
}
