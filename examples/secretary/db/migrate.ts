/**
 * The schema: SQL files in `sql/migrations/`, applied in name order, each once, recorded in
 * `v_voice_schema_migrations`. Every file is idempotent on its own too (`IF NOT EXISTS`), so an
 * operator may also run them by hand: `psql fusionpbx -f 001_voice_secretaries.sql`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { SqlClient } from './sql-client.js';

/** Where the SQL files are: beside this file in the sources, beside the CLI in the package. */
export const SQL_DIR = new URL('./sql/', import.meta.url);

/** One SQL file of {@link SQL_DIR}, as text. */
export function sqlFile(name: string): string {
  return readFileSync(new URL(name, SQL_DIR), 'utf8');
}

/** The migrations, in order: `[version, sql]`. */
export function migrations(): [string, string][] {
  return readdirSync(new URL('migrations/', SQL_DIR))
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => [name.replace(/\.sql$/, ''), sqlFile(`migrations/${name}`)]);
}

/**
 * Applies the migrations not yet applied, one transaction each, under an advisory lock (two
 * secretaries starting at once do not race). Resolves with the versions it applied.
 */
export async function migrate(db: SqlClient): Promise<string[]> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS v_voice_schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const applied: string[] = [];
  for (const [version, sql] of migrations()) {
    const done = await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('freeswitch-voice-ai secretary schema'))");
      const rows = await tx.query('SELECT 1 FROM v_voice_schema_migrations WHERE version = $1', [version]);
      if (rows.length > 0) return false;
      await tx.exec(sql);
      await tx.query('INSERT INTO v_voice_schema_migrations (version) VALUES ($1)', [version]);
      return true;
    });
    if (done) applied.push(version);
  }
  return applied;
}
