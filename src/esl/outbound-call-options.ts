/**
 * The settings of an {@link OutboundCall} and of the applications it runs.
 *
 * @module
 */
import type { Logger } from '../logger.js';
import type { FrameParserOptions } from './frame-parser.js';

/** Per-call settings, shared by every call of an {@link OutboundServer}. */
export interface OutboundCallOptions extends FrameParserOptions {
  /** Ms to wait for the reply to one command. Default 30 000. */
  readTimeout?: number;
  /**
   * Seconds FreeSWITCH keeps the socket open after hangup so the last events
   * (`CHANNEL_HANGUP_COMPLETE` with the billing variables) arrive; `false` disables. Default 10.
   * We close the socket ourselves as soon as those events are in.
   */
  linger?: number | false;
  /** Events to subscribe to besides `myevents` (`event plain ...`, needs `full`), e.g. `CUSTOM my::event`. */
  events?: readonly string[];
  /**
   * Largest command line and headers written to a call, in bytes: a larger command is refused
   * with `EslCommandTooLargeError` before anything is written (FreeSWITCH cuts a command at
   * 10,485,760 bytes and runs the rest as another one). Default 1048576 (1 MiB).
   */
  maxCommandBytes?: number;
  /** A pino-compatible logger. Default: {@link defaultLogger} (warnings and errors to stderr). */
  logger?: Logger;
}

/** Options of {@link OutboundCall.execute}. */
export interface ExecuteCallOptions {
  /**
   * `event-lock`: run after the application in progress instead of nested inside it
   * (FreeSWITCH's default without it). Default `true`.
   */
  eventLock?: boolean;
  /** `async: true` on a socket that is not `async`. */
  async?: boolean;
  /** Run the application this many times. */
  loops?: number;
  /** Ms to wait for completion; default: as long as the call lasts. */
  timeout?: number;
  /** Aborts the wait (the application keeps running in FreeSWITCH). */
  signal?: AbortSignal;
}
