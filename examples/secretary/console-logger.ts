/**
 * A pino-shaped logger on the console (`LOG_LEVEL`: debug, info, warn, error): one line per
 * entry, the message then its fields as JSON. Use pino itself in production if you have it.
 */
import type { Logger } from 'freeswitch-voice-ai';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** A console logger at `level` (default `info`). */
export function consoleLogger(level = 'info', write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const min = Math.max(0, LEVELS.indexOf(level as (typeof LEVELS)[number]));
  const at = (index: number, name: string) =>
    index < min
      ? () => {}
      : (a: unknown, b?: string): void => {
          const [fields, message] = typeof a === 'string' ? [undefined, a] : [a, b ?? ''];
          write(`${new Date().toISOString()} ${name.toUpperCase().padEnd(5)} ${message}${fields === undefined ? '' : ` ${JSON.stringify(fields)}`}`);
        };
  return { debug: at(0, 'debug'), info: at(1, 'info'), warn: at(2, 'warn'), error: at(3, 'error') } as Logger;
}
