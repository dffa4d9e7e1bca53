import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** A TypeScript code block of a markdown file, and the snippet file it says it shows. */
export interface MarkdownSnippet {
  /** The markdown file, relative to the root (`README.md`, `docs/guide.md`). */
  markdown: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The file named by the `<!-- snippet: path -->` comment before the block, or `undefined`. */
  path: string | undefined;
  /** The block's content (each line with its newline). */
  code: string;
}

const FENCE = /^```(ts|typescript)\s*$/;
const TAG = /^<!--\s*snippet:\s*(\S+)\s*-->\s*$/;

/**
 * The guides: the top-level markdown files (`README.md`, `CONTRIBUTING.md`, ...; not the
 * generated `CHANGELOG.md`) and every `docs/**.md` (the generated API reference aside).
 */
export function markdownFiles(): string[] {
  const found = readdirSync(ROOT)
    .filter((name) => name.endsWith('.md') && name !== 'CHANGELOG.md')
    .sort();
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(ROOT, dir)).sort()) {
      const path = join(dir, name);
      if (statSync(join(ROOT, path)).isDirectory()) {
        if (path !== join('docs', 'api')) walk(path);
      } else if (name.endsWith('.md')) found.push(path);
    }
  };
  walk('docs');
  return found;
}

/** Every ```ts block of the markdown files, with the snippet tag on the line before it (blank lines skipped). */
export function markdownSnippets(): MarkdownSnippet[] {
  const snippets: MarkdownSnippet[] = [];
  for (const markdown of markdownFiles()) {
    const lines = readFileSync(join(ROOT, markdown), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!FENCE.test(lines[i]!)) continue;
      let before = i - 1;
      while (before >= 0 && lines[before]!.trim() === '') before--;
      const path = before >= 0 ? TAG.exec(lines[before]!)?.[1] : undefined;
      const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
      const body = lines.slice(i + 1, end === -1 ? lines.length : end);
      snippets.push({ markdown, line: i + 1, path, code: body.map((l) => `${l}\n`).join('') });
      if (end !== -1) i = end;
    }
  }
  return snippets;
}

/** Every `.ts` file under `docs/snippets`, relative to the root. */
export function snippetFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) out.push(relative(ROOT, path));
    }
  };
  walk(join(ROOT, 'docs', 'snippets'));
  return out;
}
