/**
 * Logging. Every class takes a pino-compatible `logger`. Without one, the library uses
 * {@link defaultLogger}: silent for `debug`/`info`, one line on stderr for each `warn`/`error`
 * (a failure nobody handles is never silent). Pass `pino()` to route everything to your logs,
 * {@link consoleLogger} to pick a level, or {@link silentLogger} to see nothing.
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
  /** Detail for debugging (silent by default). */
  debug: LogFn;
  /** Normal operation (silent by default). */
  info: LogFn;
  /** Something to look at; the SDK carried on. */
  warn: LogFn;
  /** A failure nobody awaited. */
  error: LogFn;
}

const noop = (): void => {};

/** A logger that discards everything: pass it to silence the library entirely. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/** A level of {@link consoleLogger}, from the most to the least verbose; `silent` logs nothing. */
export type LoggerLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Options of {@link consoleLogger}. */
export interface ConsoleLoggerOptions {
  /** The least severe level written. Default `warn`. */
  level?: LoggerLevel;
  /** Where lines go. Default `process.stderr` (looked up at each write). */
  stream?: {
    /** Writes one line (with its newline). */
    write(line: string): unknown;
  };
}

const LEVELS: readonly LoggerLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
/** Field names whose values never reach a log line, whatever the caller passed. */
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authori[sz]ation|credential/i;
const MAX_VALUE_CHARS = 1000;

/**
 * A logger writing one line per entry: `<ISO time> freeswitch-voice-ai <level>: <message>
 * {<fields as JSON>}`. Errors in fields are written as `Name [CODE]: message` (with their
 * causes); fields named like a secret (`password`, `token`, `apiKey`, ...) are written as
 * `***`; newlines are escaped, so an entry is always one line. Writing never throws.
 *
 * ```ts
 * const server = createOutboundServer({ logger: consoleLogger({ level: 'debug' }) }, handler);
 * ```
 */
export function consoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const threshold = LEVELS.indexOf(options.level ?? 'warn');
  const method = (level: Exclude<LoggerLevel, 'silent'>): LogFn => {
    if (LEVELS.indexOf(level) < threshold) return noop;
    return (a: object | string, b?: string): void => {
      try {
        const line = formatLine(level, a, b);
        (options.stream ?? process.stderr).write(line);
      } catch {
        // A logger must never be the reason a call fails.
      }
    };
  };
  return Object.freeze({ debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error') });
}

/**
 * The logger of every object created without one: `debug` and `info` are discarded, `warn` and
 * `error` are written to stderr, one line each ({@link consoleLogger} at `warn`).
 */
export const defaultLogger: Logger = consoleLogger({ level: 'warn' });

function formatLine(level: string, a: object | string, b: string | undefined): string {
  const message = typeof a === 'string' ? a : (b ?? '');
  const fields = typeof a === 'string' ? undefined : fieldsJson(a);
  const text = `${new Date().toISOString()} freeswitch-voice-ai ${level}: ${oneLine(message)}${fields ? ` ${fields}` : ''}`;
  return `${text}\n`;
}

function fieldsJson(fields: object): string | undefined {
  const seen = new WeakSet<object>();
  const json = JSON.stringify(fields, function (this: unknown, key: string, value: unknown): unknown {
    if (key !== '' && SECRET_KEY.test(key)) return '***';
    if (value instanceof Error) return describeError(value);
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'string') return value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value;
    if (value !== null && typeof value === 'object') {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  });
  return json === undefined || json === '{}' ? undefined : json;
}

/** `Name [CODE]: message (cause: ...)`, causes followed a few levels deep. */
function describeError(error: Error, depth = 0): string {
  const code = (error as { code?: unknown }).code;
  const text = `${error.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${error.message}`;
  const cause = (error as { cause?: unknown }).cause;
  if (depth >= 3 || cause === undefined || cause === null) return text;
  return `${text} (cause: ${cause instanceof Error ? describeError(cause, depth + 1) : String(cause)})`;
}

function oneLine(text: string): string {
  return text.replace(/\r?\n|\r/g, '\\n');
}

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
