/**
 * What the secretary needs from a database: PostgreSQL's SQL, through either driver — `pg`
 * (node-postgres) to FusionPBX's server, or PGlite (PostgreSQL in WebAssembly) embedded. Every
 * query of the secretary runs unchanged on both: one dialect, one code path, two drivers.
 */

/** Runs statements. */
export interface SqlQueryable {
  /** One statement with `$1, $2, ...` parameters; resolves with its rows. */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** A script of several statements without parameters (migrations, seeds). */
  exec(script: string): Promise<void>;
}

/** A database connection (a pool for `pg`, the instance for PGlite). */
export interface SqlClient extends SqlQueryable {
  /** `pg` or `pglite`, for logs. */
  readonly driver: 'pg' | 'pglite';
  /** Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** Closes the pool or the instance. */
  close(): Promise<void>;
}
