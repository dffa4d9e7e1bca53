/**
 * The embedded driver: PGlite, PostgreSQL compiled to WebAssembly, in this process. No server:
 * the demo and a first try run on it; the SQL is the same as on FusionPBX's PostgreSQL.
 */
import { ConfigError } from 'freeswitch-voice-ai';
import type { SqlClient, SqlQueryable } from './sql-client.js';

/** Options of {@link openPglite}. */
export interface PgliteOptions {
  /** A directory to keep the data in; default: in memory (gone when the process exits). */
  dataDir?: string;
}

/** Starts PGlite; rejects with a one-line {@link ConfigError} when it is not installed. */
export async function openPglite(options: PgliteOptions = {}): Promise<SqlClient> {
  let mod: typeof import('@electric-sql/pglite');
  try {
    mod = await import('@electric-sql/pglite');
  } catch {
    throw new ConfigError('the embedded database needs PGlite: npm install @electric-sql/pglite (or set DATABASE_URL)', 'DATABASE_URL');
  }
  const db = options.dataDir === undefined ? new mod.PGlite() : new mod.PGlite(options.dataDir);
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
