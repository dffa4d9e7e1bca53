/**
 * Opens the secretary's database: FusionPBX's PostgreSQL when a URL is given (`DATABASE_URL`),
 * else embedded PGlite with FusionPBX-shaped tables and sample tenants — then brings the
 * secretary's own tables up to date. Either way the rest of the code sees one {@link SqlClient}.
 */
import { migrate, sqlFile } from './migrate.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import type { SqlClient } from './sql-client.js';

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** FusionPBX's PostgreSQL, `postgres://fusionpbx:...@127.0.0.1:5432/fusionpbx`; absent: embedded PGlite. */
  url?: string;
  /** Embedded only: keep the data in this directory (default: in memory). */
  dataDir?: string;
  /**
   * Create FusionPBX's own tables (`v_domains`, `v_extensions`, `v_dialplans`, ...) when missing.
   * Default: only for the embedded database — FusionPBX's server has them.
   */
  fusionpbxTables?: boolean;
  /** Load the sample tenants (ACME, Globex). Default: only for the embedded database. */
  sampleData?: boolean;
}

/** Opens, migrates, and (embedded) seeds the database. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<SqlClient> {
  const embedded = options.url === undefined;
  const db = embedded ? await openPglite({ dataDir: options.dataDir }) : await openPostgres({ url: options.url! });
  try {
    if (options.fusionpbxTables ?? embedded) await db.exec(sqlFile('fusionpbx-tables.sql'));
    await migrate(db);
    if (options.sampleData ?? embedded) await db.exec(sqlFile('sample-data.sql'));
    return db;
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}
