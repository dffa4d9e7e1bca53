/**
 * `npm run bench`: every benchmark in bench/ that exports `run()`, in one process, each
 * printing its table with ratios against the peer libraries measured in the same run.
 * `npm run bench -- esl-parse` runs one.
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'fixtures.ts', 'esl-server.ts', 'sampler.ts'].includes(f))
  .map((f) => f.slice(0, -3))
  .filter((name) => only.length === 0 || only.includes(name));

process.stdout.write(`node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
for (const name of modules) {
  const mod = (await import(pathToFileURL(`${here}/${name}.ts`).href)) as { run?: () => Promise<unknown> };
  if (typeof mod.run === 'function') await mod.run();
}
process.exit(0);
