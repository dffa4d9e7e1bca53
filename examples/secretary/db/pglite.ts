/**
 * The embedded driver: PGlite, PostgreSQL compiled to WebAssembly, in this process. No server:
 * the demo and a first try run on it; the SQL is the same as on FusionPBX's PostgreSQL.
 *
 * A new in-memory PGlite runs `initdb` (seconds on a busy machine). The first one saves the
 * freshly initialised cluster as a tarball in a cache directory; later ones start from it (about
 * a second). The cache holds an empty cluster only — no schema, no data — keyed by PGlite's
 * version, and is rebuilt when missing or unreadable.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError } from 'freeswitch-voice-ai';
import type { SqlClient, SqlQueryable } from './sql-client.js';

/** Options of {@link openPglite}. */
export interface PgliteOptions {
  /** A directory to keep the data in; default: in memory (gone when the process exits). */
  dataDir?: string;
  /** In memory: where the initialised cluster is cached (`false`: no cache). Default: the system's temp dir. */
  cacheDir?: string | false;
}

type PGliteModule = typeof import('@electric-sql/pglite');

/** Starts PGlite; rejects with a one-line {@link ConfigError} when it is not installed. */
export async function openPglite(options: PgliteOptions = {}): Promise<SqlClient> {
  let mod: PGliteModule;
  try {
    mod = await import('@electric-sql/pglite');
  } catch {
    throw new ConfigError('the embedded database needs PGlite: npm install @electric-sql/pglite (or set DATABASE_URL)', 'DATABASE_URL');
  }
  const db = options.dataDir !== undefined ? new mod.PGlite(options.dataDir) : await fromCache(mod, options.cacheDir ?? join(tmpdir(), 'freeswitch-voice-ai-pglite'));
  await db.waitReady;
  const queryable = (q: Pick<import('@electric-sql/pglite').PGliteInterface, 'query' | 'exec'>): SqlQueryable => ({
    async query<Row>(text: string, params?: readonly unknown[]): Promise<Row[]> {
      return (await q.query<Row>(text, params as unknown[] | undefined)).rows;
    },
    async exec(script: string): Promise<void> {
      await q.exec(script);
    },
  });
  return {
    driver: 'pglite',
    ...queryable(db),
    transaction: <T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> => db.transaction((tx) => fn(queryable(tx))),
    close: () => db.close(),
  };
}

function pgliteVersion(): string {
  try {
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === '@electric-sql/pglite') return pkg.version ?? 'unknown';
      } catch {
        // not this directory
      }
    }
  } catch {
    // fall through
  }
  return 'unknown';
}

/** An in-memory PGlite, started from the cached empty cluster when there is one. */
async function fromCache(mod: PGliteModule, cacheDir: string | false): Promise<InstanceType<PGliteModule['PGlite']>> {
  if (cacheDir === false) return new mod.PGlite();
  const file = join(cacheDir, `cluster-${pgliteVersion()}.tar.gz`);
  try {
    const db = new mod.PGlite({ loadDataDir: new Blob([readFileSync(file)]) });
    await db.waitReady;
    return db;
  } catch {
    // No cache yet (or a bad one): initialise, and save the empty cluster for next time.
  }
  const db = new mod.PGlite();
  await db.waitReady;
  try {
    const dump = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
    mkdirSync(cacheDir, { recursive: true });
    const partial = `${file}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, dump);
    renameSync(partial, file); // atomic: a concurrent reader sees the whole file or none
  } catch {
    // A read-only temp dir only costs the next start its initdb.
  }
  return db;
}
