/**
 * The lifecycle events of {@link AsyncESLClient}, told apart from FreeSWITCH event names (which
 * go to the client's event router).
 *
 * @module
 */
import type { EslLogLine } from './connection.js';

/** Lifecycle events of {@link AsyncESLClient} (FreeSWITCH events use `on('CHANNEL_ANSWER', ...)`). */
export interface EslClientEvents {
  /** The TCP connection opened (before authentication). */
  connect: [];
  /** Authenticated, subscriptions and filters in place: commands may be sent. */
  ready: [];
  /** The connection closed; `error` says why unless it was {@link AsyncESLClient.close}. */
  disconnect: [error: Error | undefined];
  /** A reconnect attempt is starting. */
  reconnecting: [info: { attempt: number; error: Error | undefined }];
  /**
   * Something failed outside a command: a handler threw, or reconnecting stopped for good
   * ({@link EslConnectionError} after the last attempt, {@link EslAuthError} when FreeSWITCH
   * refused the login); the client is then closed. Without a listener it is logged at `error`.
   */
  error: [error: Error];
  /** A `log/data` line (after {@link AsyncESLClient.log}). */
  log: [line: EslLogLine];
}

/** A lifecycle event's name. */
export type ClientLifecycleEvent = keyof EslClientEvents;

const LIFECYCLE = new Set<string>(['connect', 'ready', 'disconnect', 'reconnecting', 'error', 'log']);

/** Whether `name` is a lifecycle event (else it is a FreeSWITCH event name). */
export function isClientLifecycleEvent(name: string): name is ClientLifecycleEvent {
  return LIFECYCLE.has(name);
}
