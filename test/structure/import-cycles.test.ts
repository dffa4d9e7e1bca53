/**
 * No import cycle in `src/`, type-only imports included: each layer of docs/architecture.md
 * depends only on the ones below it, and each file on files that do not need it back.
 */
import { describe, expect, it } from 'vitest';
import { type ImportGraph, PROJECT_ROOT, findCycles, importGraph, importsOf } from '../../scripts/import-graph.js';

const graph = importGraph(PROJECT_ROOT);

describe('import graph of src/', () => {
  it('has no import cycle, runtime or type-only', () => {
    expect(findCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('finds the cycles it is meant to find (runtime, type-only, through a re-export, a file importing itself)', () => {
    const edge = (target: string, typeOnly = false) => ({ specifier: target, target, typeOnly });
    const sample: ImportGraph = new Map([
      ['a.ts', [edge('b.ts')]],
      ['b.ts', [edge('c.ts', true)]],
      ['c.ts', [edge('a.ts')]],
      ['d.ts', [edge('d.ts')]],
      ['e.ts', [edge('a.ts')]],
      ['f.ts', [{ specifier: 'ws', target: undefined, typeOnly: false }]],
    ]);
    expect(findCycles(sample)).toEqual([
      ['a.ts', 'b.ts', 'c.ts', 'a.ts'],
      ['d.ts', 'd.ts'],
    ]);
    const parsed = importsOf(
      'x.ts',
      "import type { A } from './a.js';\nimport { type B } from './b.js';\nimport { C } from './c.js';\nexport { D } from './d.js';\nexport type { E } from './e.js';\ntype F = import('./f.js').F;\nconst g = () => import('./g.js');\n",
    );
    expect(parsed).toEqual([
      { specifier: './a.js', typeOnly: true },
      { specifier: './b.js', typeOnly: true },
      { specifier: './c.js', typeOnly: false },
      { specifier: './d.js', typeOnly: false },
      { specifier: './e.js', typeOnly: true },
      { specifier: './f.js', typeOnly: true },
      { specifier: './g.js', typeOnly: false },
    ]);
  });
});

describe('layers point one way (docs/architecture.md)', () => {
  it('esl/ imports neither media/ nor realtime/, and media/ does not import realtime/', () => {
    const upward: Record<string, string[]> = { 'src/esl/': ['src/media/', 'src/realtime/'], 'src/media/': ['src/realtime/'] };
    const bad = [...graph].flatMap(([file, edges]) => {
      const above = Object.entries(upward).find(([dir]) => file.startsWith(dir))?.[1] ?? [];
      return edges.filter((e) => e.target !== undefined && above.some((dir) => e.target!.startsWith(dir))).map((e) => `${file} imports ${e.target}`);
    });
    expect(bad).toEqual([]);
  });
});
