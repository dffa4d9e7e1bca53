/**
 * The environment is read at the edge (docs/architecture.md): `esl/`, `media/` and `realtime/`
 * take plain options and ask the process defaults (`config/defaults.ts`), never `process.env`
 * or `loadConfig()`; the providers read their vendor's credentials through `vendor-env.ts` alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, importGraph, importsOf } from '../../scripts/import-graph.js';
import { VENDOR_VARIABLES } from '../../src/realtime/providers/vendor-env.js';

const graph = importGraph(PROJECT_ROOT);
const LOWER_LAYERS = ['src/esl/', 'src/media/', 'src/realtime/'];
const isLower = (file: string): boolean => LOWER_LAYERS.some((dir) => file.startsWith(dir));
/** The one file below the edge that reads the environment: the providers' vendor credentials. */
const VENDOR_ENV = 'src/realtime/providers/vendor-env.ts';

/** Where a file's code (not its comments) reads the environment: `process.env`, `process['env']`, `node:process`. */
function environmentReads(file: string): string[] {
  const text = readFileSync(join(PROJECT_ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (node: ts.Node): string => `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    const isProcess = (e: ts.Expression): boolean => ts.isIdentifier(e) && e.text === 'process';
    if (ts.isPropertyAccessExpression(node) && isProcess(node.expression) && node.name.text === 'env') found.push(`${at(node)} process.env`);
    if (ts.isElementAccessExpression(node) && isProcess(node.expression)) found.push(`${at(node)} process[...]`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  for (const { specifier } of importsOf(file, text)) if (specifier === 'process' || specifier === 'node:process') found.push(`${file} imports ${specifier}`);
  return found;
}

describe('configuration is read at the edge', () => {
  const lower = [...graph.keys()].filter(isLower);

  it('covers the layers (a rename must not empty the check)', () => {
    for (const dir of LOWER_LAYERS) expect(lower.filter((f) => f.startsWith(dir)).length).toBeGreaterThan(10);
    expect(lower).toContain(VENDOR_ENV);
  });

  it('esl/, media/ and realtime/ never read process.env (the providers: only their documented vendor variables, in vendor-env.ts)', () => {
    const reads = lower.filter((f) => f !== VENDOR_ENV).flatMap(environmentReads);
    expect(reads).toEqual([]);
    expect(environmentReads(VENDOR_ENV).length).toBeGreaterThan(0); // the checker sees a real read
  });

  it('esl/, media/ and realtime/ import neither loadConfig (config/env, config/index) nor the package entry', () => {
    const forbidden = new Set(['src/config/env.ts', 'src/config/index.ts', 'src/index.ts']);
    const bad = lower.flatMap((file) =>
      (graph.get(file) ?? []).filter((e) => e.target !== undefined && (forbidden.has(e.target) || e.target.startsWith('src/cli/'))).map((e) => `${file} imports ${e.specifier}`),
    );
    expect(bad).toEqual([]);
  });

  it('the process defaults registry is a leaf: it reads no environment and imports no layer', () => {
    const registry = 'src/config/defaults.ts';
    expect(environmentReads(registry)).toEqual([]);
    const reachable = new Set<string>();
    const walk = (file: string): void => {
      for (const e of graph.get(file) ?? []) {
        if (e.target === undefined || reachable.has(e.target)) continue;
        reachable.add(e.target);
        walk(e.target);
      }
    };
    walk(registry);
    expect([...reachable].sort()).toEqual(['src/config/redact.ts', 'src/config/settings.ts']);
  });

  it('every vendor variable a provider reads is documented in docs/configuration.md', () => {
    const doc = readFileSync(join(PROJECT_ROOT, 'docs/configuration.md'), 'utf8');
    const section = doc.slice(doc.indexOf('### Voice AI providers'));
    for (const name of VENDOR_VARIABLES) expect(section, name).toContain(`\`${name}\``);
  });
});
