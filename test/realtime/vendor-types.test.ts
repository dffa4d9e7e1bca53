import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('vendor SDKs', () => {
  it('are imported for their types only: nothing of openai or @google/genai is loaded at run time', () => {
    const imports: string[] = [];
    for (const file of files(src)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*from\s+'(openai|@google\/genai)[^']*'/gm)) {
        imports.push(`${file.slice(src.length)}: ${m[2] ? 'type' : 'VALUE'}`);
      }
      expect(readFileSync(file, 'utf8')).not.toMatch(/(require|import)\(\s*'(openai|@google\/genai)/);
    }
    expect(imports.length).toBeGreaterThanOrEqual(4);
    expect(imports.filter((i) => i.endsWith('VALUE'))).toEqual([]);
  });
});
