import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const DIRS = ['src', 'test', 'bench', 'examples', 'scripts', 'docs', '.ci'];

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && name !== 'api' && name !== 'fixtures') yield* files(path);
    } else if (/\.(ts|js|mjs|cjs|json|md|sh)$/.test(name) || name === 'run') yield path;
  }
}

describe('the project stands alone', () => {
  it('no file reads anything outside the repository (the fixtures are in test/fixtures)', () => {
    const offenders: string[] = [];
    for (const dir of DIRS) {
      for (const path of files(join(ROOT, dir))) {
        if (path === join(ROOT, 'test', 'standalone.test.ts')) continue;
        if (/\.\.\/shared\b|SHARED_DIR/.test(readFileSync(path, 'utf8'))) offenders.push(path.slice(ROOT.length + 1));
      }
    }
    expect(offenders).toEqual([]);
  });

  it('every recording the tests use is in test/fixtures', () => {
    for (const dir of ['esl', 'rtp', 'audio', 'ws']) expect(readdirSync(join(ROOT, 'test', 'fixtures', dir)).length).toBeGreaterThan(0);
  });
});
