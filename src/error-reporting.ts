/**
 * How a failure that no caller awaits is reported: to the emitter's `error` listeners, or, when
 * nobody listens, to the logger at `error` level. eventemitter3 drops an `error` event nobody
 * listens to; this is the one place that makes sure such a failure is still seen.
 *
 * @module
 */
import type { ThrottledLog } from './log-throttle.js';
import type { Logger } from './logger.js';
import { notifyReportedError } from './observability/error-tap.js';

/** An event emitter with an `error` event (eventemitter3's or Node's). */
export interface ErrorEmitter {
  /** How many listeners `error` has (none: the error is logged instead). */
  listenerCount(event: 'error'): number;
  /** Emits `error` with the error and any extra arguments. */
  emit(event: 'error', ...args: never[]): boolean;
}

/**
 * Emits `error` (with `extra` arguments after the error) when someone listens; otherwise logs
 * it through `logger.error` with `fields`, so it is never lost.
 *
 * @returns whether a listener received it.
 */
export function reportError(emitter: ErrorEmitter, error: Error, logger: Logger, fields: object = {}, ...extra: unknown[]): boolean {
  notifyReportedError(error, fields);
  if (emitter.listenerCount('error') > 0) {
    (emitter.emit as (event: 'error', ...args: unknown[]) => boolean)('error', error, ...extra);
    return true;
  }
  logger.error({ ...fields, err: error }, `unhandled ${error.name}: ${error.message}`);
  return false;
}

/**
 * {@link reportError} for a failure that may repeat without end (a socket error per datagram):
 * emitted to every listener each time, but without one it goes to `log`, a {@link ThrottledLog}
 * that writes the first and then one count per interval, so a flood cannot flood the log.
 *
 * @returns whether a listener received it.
 */
export function reportRepeatedError(emitter: ErrorEmitter, error: Error, log: ThrottledLog, fields: object = {}): boolean {
  notifyReportedError(error, fields);
  if (emitter.listenerCount('error') > 0) {
    (emitter.emit as (event: 'error', ...args: unknown[]) => boolean)('error', error);
    return true;
  }
  log.log({ ...fields, err: error });
  return false;
}
