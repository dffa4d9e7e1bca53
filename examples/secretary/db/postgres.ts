/**
 * The `pg` (node-postgres) driver: a pool to FusionPBX's PostgreSQL (`DATABASE_URL`).
 */
import { ConfigError } from 'freeswitch-voice-ai';
import type { SqlClient, SqlQueryable } from './sql-client.js';

/** Options of {@link openPostgres}. */
export interface PostgresOptions {
  /** `postgres://user:password@host:5432/fusionpbx` (libpq syntax; `sslmode` and friends work). */
  url: string;
  /** Most connections in the pool. Default 5: a secretary needs few (one query per call step). */
  max?: number;
  /** Ms to wait for a connection. Default 5000. */
  connectionTimeoutMs?: number;
}

/** Opens a pool; rejects with a one-line {@link ConfigError} when `pg` is not installed. */
export async function openPostgres(options: PostgresOptions): Promise<SqlClient> {
  let pg: typeof import('pg').default;
  try {
    pg = (await import('pg')).default;
  } catch {
    throw new ConfigError('DATABASE_URL needs the PostgreSQL driver: npm install pg', 'DATABASE_URL');
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 5,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    application_name: 'freeswitch-voice-ai-secretary',
  });
  // An idle client that dies (server restart) is replaced by the pool; say it instead of crashing.
  pool.on('error', () => {});
  const queryable = (q: Pick<import('pg').Pool, 'query'>): SqlQueryable => ({
    async query<Row>(text: string, params?: readonly unknown[]): Promise<Row[]> {
      return (await q.query(text, params as unknown[] | undefined)).rows as Row[];
    },
    async exec(script: string): Promise<void> {
      await q.query(script);
    },
  });
  return {
    driver: 'pg',
    ...queryable(pool),
    async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(queryable(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
