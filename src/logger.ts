/**
 * Logging. The library is quiet by default; inject any pino-compatible logger to see inside.
 *
 * @module
 */

/** A log method: pino's `(obj, msg)` form, or a bare message. */
export interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

/** A pino-compatible logger: `pino()`, `console`-like wrappers, or your own. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const noop = (): void => {};

/** The default logger: discards everything. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/**
 * Returns a command line fit for a log: `auth`/`userauth` passwords are replaced by `***`.
 * Every command the library logs goes through here. FreeSWITCH matches both commands in any
 * case, and `parse_command` takes a `userauth` password from the **first** `:` on (the user
 * part `user@domain` cannot hold one), so everything after the first `:` is hidden — a password
 * may contain `:` itself.
 */
export function redactCommand(line: string): string {
  const lower = line.slice(0, 9).toLowerCase();
  if (lower.startsWith('auth ')) return 'auth ***';
  if (lower.startsWith('userauth ')) {
    const colon = line.indexOf(':', 9);
    return colon > 0 ? `${line.slice(0, colon)}:***` : 'userauth ***';
  }
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
