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
 * Every command the library logs goes through here.
 */
export function redactCommand(line: string): string {
  if (line.startsWith('auth ')) return 'auth ***';
  if (line.startsWith('userauth ')) {
    const colon = line.lastIndexOf(':');
    return colon > 0 ? `${line.slice(0, colon)}:***` : 'userauth ***';
  }
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
