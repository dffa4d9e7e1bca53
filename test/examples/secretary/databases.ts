/**
 * The databases the secretary's tests run against: embedded PGlite always, and a real
 * PostgreSQL server when `PG_TEST_URL` points at one (`.ci/run` starts one; locally:
 * `eval "$(bash .ci/postgres.sh start)"`). Outside CI a missing server skips those tests with a
 * message; with `CI=true` it fails them.
 */
import { randomBytes } from 'node:crypto';
import { it } from 'vitest';
import { openDatabase, type OpenDatabaseOptions } from '../../../examples/secretary/db/open.js';
import { openPostgres } from '../../../examples/secretary/db/postgres.js';
import type { SqlClient } from '../../../examples/secretary/db/sql-client.js';

/** The server's URL, when there is one. */
export const PG_URL = process.env.PG_TEST_URL;

const MISSING = 'PG_TEST_URL is not set: the tests against a real PostgreSQL server are skipped (start one: eval "$(bash .ci/postgres.sh start)")';

/** A database kind: its name, and how to open a fresh, empty database of it. */
export interface DatabaseKind {
  name: 'pglite' | 'postgres';
  /** Why its tests are skipped, if they are. */
  skip: string | undefined;
  /** A fresh database (PGlite: a new instance; PostgreSQL: a new database on the server), migrated. */
  open(options?: Omit<OpenDatabaseOptions, 'url' | 'dataDir'>): Promise<{ db: SqlClient; url: string | undefined; drop(): Promise<void> }>;
}

/** A new database on the test server: `{ url, drop }`. */
export async function createServerDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = await openPostgres({ url: PG_URL! });
  const name = `voice_ai_test_${randomBytes(6).toString('hex')}`;
  await admin.exec(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}

export const DATABASES: DatabaseKind[] = [
  {
    name: 'pglite',
    skip: undefined,
    async open(options = {}) {
      const db = await openDatabase({ ...options });
      return { db, url: undefined, drop: () => db.close() };
    },
  },
  {
    name: 'postgres',
    skip: PG_URL ? undefined : MISSING,
    async open(options = {}) {
      const server = await createServerDatabase();
      const db = await openDatabase({ url: server.url, fusionpbxTables: true, sampleData: true, ...options });
      return { db, url: server.url, drop: async () => (await db.close().catch(() => {}), await server.drop()) };
    },
  },
];

/** In CI a missing server is a failure, not a skip: register that failing test. */
export function requireServerInCi(): void {
  if (!PG_URL && process.env.CI === 'true') {
    it('has a PostgreSQL server (CI=true)', () => {
      throw new Error(`${MISSING}; .ci/run starts one`);
    });
  }
}
