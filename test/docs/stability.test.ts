/**
 * The README's stability table says what the API reference says: each area of each entry point
 * is stable or experimental in one place (the `@categoryDescription` of the entry's module
 * comment, which scripts/typedoc-areas.mjs requires), and the README repeats it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/snippets.js';

const ENTRIES: Record<string, string> = { 'src/index.ts': '', 'src/testing/index.ts': ' (`/testing`)', 'src/media/rtcp.ts': ' (`/rtcp`)' };

/** `area (suffix)` → `stable` | `experimental`, from the entry points' module comments. */
function fromSources(): Map<string, string> {
  const areas = new Map<string, string>();
  for (const [file, suffix] of Object.entries(ENTRIES)) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const comment = text.slice(text.indexOf('/**'), text.indexOf('*/'));
    for (const [, area, word] of comment.matchAll(/@categoryDescription ([^\n]+)\n \* (Stable|Experimental)\b/g)) {
      areas.set(`${area!.trim()}${suffix}`, word!.toLowerCase());
    }
  }
  return areas;
}

/** The same, from the README's table. */
function fromReadme(): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('<!-- stability:'), readme.indexOf('## Documentation'));
  const areas = new Map<string, string>();
  for (const [, area, stability] of table.matchAll(/^\| ([^|]+?) \| (stable|experimental) \|/gm)) areas.set(area!, stability!);
  return areas;
}

describe('stability notes', () => {
  it('every area of every entry point has one, in the sources and in the README alike', () => {
    const sources = fromSources();
    expect(sources.size).toBeGreaterThanOrEqual(15);
    expect(Object.fromEntries(fromReadme())).toEqual(Object.fromEntries(sources));
  });
});
