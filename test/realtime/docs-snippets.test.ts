import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const read = (path: string): string => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');

describe('docs/realtime.md', () => {
  it('every code block is the compiled snippet file it names, word for word', () => {
    const doc = read('docs/realtime.md');
    const blocks = [...doc.matchAll(/\[`(docs\/snippets\/realtime\/[\w-]+\.ts)`\]\([^)]*\):\n\n```ts\n([\s\S]*?)```/g)];
    expect(blocks.map((b) => b[1])).toEqual(['docs/snippets/realtime/providers.ts', 'docs/snippets/realtime/tools.ts', 'docs/snippets/realtime/mid-call.ts']);
    expect(doc.match(/```ts/g)).toHaveLength(blocks.length);
    for (const [, file, code] of blocks) {
      const snippet = read(file!).replace(/^\/\/ docs\/realtime\.md.*\n/, '');
      expect(code, file).toBe(snippet);
    }
  });
});
