// What the npm package holds, checked on `npm pack --dry-run --json` (read from stdin):
// only the build (JavaScript and declarations, the CLI's SQL), the README, LICENSE, CHANGELOG
// and the guides the README links to; no source, no tests, no source maps; every file the
// package's entry points and command need; and every relative link of the shipped Markdown
// resolving to a shipped file or to one of the few left in the repository.
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const [pack] = JSON.parse(readFileSync(0, 'utf8'));
const files = new Set(pack.files.map((f) => f.path));
const problems = [];

const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^CHANGELOG\.md$/,
  /^docs\/[a-z0-9-]+\.md$/,
  // Shared chunks are named by tsup with a content hash, which may hold `_` (e.g. audio-format-BPqoc_MC.d.ts).
  /^dist\/[\w-]+(\/index)?\.(js|cjs)$/i,
  /^dist\/(testing|rtcp)\/index\.(js|cjs|d\.ts|d\.cts)$/,
  /^dist\/[\w-]+\.d\.c?ts$/i,
  /^dist\/sql\/[a-z0-9/_-]+\.sql$/,
];
for (const file of files) if (!ALLOWED.some((pattern) => pattern.test(file))) problems.push(`unexpected file in the package: ${file}`);

const REQUIRED = [
  'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md',
  'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts',
  'dist/testing/index.js', 'dist/testing/index.cjs', 'dist/testing/index.d.ts', 'dist/testing/index.d.cts',
  'dist/rtcp/index.js', 'dist/rtcp/index.cjs', 'dist/rtcp/index.d.ts', 'dist/rtcp/index.d.cts',
  'dist/cli.js', 'docs/configuration.md',
];
for (const file of REQUIRED) if (!files.has(file)) problems.push(`missing from the package: ${file}`);

// Every path package.json points at is in the package.
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const pointed = [manifest.main, manifest.module, manifest.types, ...Object.values(manifest.bin ?? {})];
const walk = (value) => (typeof value === 'string' ? pointed.push(value) : value && typeof value === 'object' && Object.values(value).forEach(walk));
walk(manifest.exports);
walk(manifest.typesVersions);
for (const path of pointed) {
  const file = normalize(path).replace(/^\.\//, '');
  if (file !== 'package.json' && !files.has(file)) problems.push(`package.json points at ${path}, which is not in the package`);
}

// Relative links of the shipped Markdown. Those to the examples, the guides' code, the sources
// and the contributors' pages resolve against the repository on the registry's page
// (package.json's `repository`); in the tarball they are the repository's to show.
const REPOSITORY_ONLY = [/^examples\//, /^docs\/snippets\//, /^src\//, /^CONTRIBUTING\.md$/, /^SECURITY\.md$/];
for (const file of [...files].filter((f) => f.endsWith('.md'))) {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
    const path = normalize(join(dirname(file), target.split('#')[0]));
    if (REPOSITORY_ONLY.some((pattern) => pattern.test(path))) continue;
    if (!files.has(path)) problems.push(`${file}: the link to ${target} leads nowhere in the package`);
  }
}

const bytes = pack.size;
const unpacked = pack.unpackedSize;
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`package content ok: ${files.size} files, ${(bytes / 1024).toFixed(0)} KiB packed, ${(unpacked / 1024).toFixed(0)} KiB unpacked`);
