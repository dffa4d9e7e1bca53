import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The vendors' published types keep the wire shapes honest at compile time and cost nothing at
// run time: type-only imports (erased under verbatimModuleSyntax) of development dependencies.
const VENDORS = ['openai', '@google/genai', '@elevenlabs/types', '@deepgram/sdk'];
const PATTERN = VENDORS.map((v) => v.replace('/', '\\/')).join('|');
const root = fileURLToPath(new URL('../../', import.meta.url));
const src = join(root, 'src/');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('vendor SDKs', () => {
  it('are imported for their types only: nothing of openai, @google/genai, @elevenlabs/types or @deepgram/sdk is loaded at run time', () => {
    const imports: string[] = [];
    for (const file of files(src)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(new RegExp(`^\\s*(import|export)\\s+(type\\s+)?[^'"]*from\\s+'(${PATTERN})[^']*'`, 'gm'))) {
        imports.push(`${file.slice(src.length)}: ${m[3]}: ${m[2] ? 'type' : 'VALUE'}`);
      }
      expect(text).not.toMatch(new RegExp(`(require|import)\\(\\s*'(${PATTERN})`));
    }
    for (const vendor of VENDORS) expect(imports.some((i) => i.includes(`: ${vendor}: `)), vendor).toBe(true);
    expect(imports.filter((i) => i.endsWith('VALUE'))).toEqual([]);
  });

  it('are development dependencies, not runtime ones', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const name of VENDORS) {
      expect(pkg.devDependencies?.[name], name).toBeDefined();
      expect(pkg.dependencies?.[name], name).toBeUndefined();
      expect(pkg.peerDependencies?.[name], name).toBeUndefined();
    }
  });
});
