/**
 * The settings of {@link AsyncESLClient}: what a user may pass, and the defaults filled in
 * (the documented constants, those of `ESL_*` unset: the client never reads the environment;
 * pass it `loadConfig().esl`).
 *
 * @module
 */
import type { Logger } from '../logger.js';
import { DEFAULT_MAX_COMMAND_BYTES } from './commands.js';
import type { FrameParserOptions } from './frame-parser.js';

/** Options of {@link AsyncESLClient}. Defaults are those of the `ESL_*` variables unset; pass `loadConfig().esl` for the environment's. */
export interface AsyncESLClientOptions extends FrameParserOptions {
  /** FreeSWITCH host (`ESL_HOST`). Default `127.0.0.1`. */
  host?: string;
  /** Event Socket port (`ESL_PORT`). Default `8021`. */
  port?: number;
  /**
   * `event_socket.conf.xml` password (`ESL_PASSWORD`). Default `ClueCon`. Never logged, and
   * never shown by `util.inspect(client)` or `JSON.stringify(client)`.
   */
  password?: string;
  /** Log in with `userauth <user@domain>:<password>` instead of `auth`. */
  user?: string;
  /** Ms to open the socket and authenticate (`ESL_CONNECT_TIMEOUT`). Default 5000. */
  connectTimeout?: number;
  /** Ms to wait for a command's reply (`ESL_READ_TIMEOUT`). Default 30000. */
  readTimeout?: number;
  /** Ms before the first reconnect retry; doubles up to `maxReconnectDelay` (`ESL_RECONNECT_DELAY`). Default 1000. */
  reconnectDelay?: number;
  /** Longest wait between reconnect attempts, ms. Default 30000. */
  maxReconnectDelay?: number;
  /** Reconnect attempts after a drop; 0 disables, `Infinity` never gives up (`ESL_MAX_RECONNECT_ATTEMPTS`). Default 10. */
  maxReconnectAttempts?: number;
  /**
   * Ms a `bgapi` job may take to report its result. Default 300000. A job whose connection is
   * lost first is rejected at once with {@link EslJobResultUnknownError}.
   */
  backgroundJobTimeout?: number;
  /**
   * When the connection is lost while an {@link AsyncESLClient.originate} waits for its job, ms
   * to wait for the client to be connected again; then `originate` asks `uuid_exists` for the
   * call's `origination_uuid` and resolves with it if the call exists, else rejects with
   * {@link EslJobResultUnknownError}. 0 rejects at once. Default 10000.
   */
  originateRecoveryTimeout?: number;
  /**
   * Largest command line and headers the client writes, in bytes: a larger command is refused
   * with `EslCommandTooLargeError` before anything is written. FreeSWITCH itself cuts a command
   * at 10,485,760 bytes and runs the rest as another command, so that is the ceiling whatever
   * is set. Default 1048576 (1 MiB).
   */
  maxCommandBytes?: number;
  /** A pino-compatible logger. Default: {@link defaultLogger} (warnings and errors to stderr). */
  logger?: Logger;
}

/** Options of {@link AsyncESLClient.bgapi}. */
export interface BgapiOptions {
  /** Ms to wait for the result (default `backgroundJobTimeout`). */
  timeout?: number;
  /** Aborts the wait for the result (a job already sent still runs in FreeSWITCH). */
  signal?: AbortSignal;
  /** Your own Job-UUID (FreeSWITCH uses it); default a random one. */
  jobUuid?: string;
}

/** The client's settings with every default filled in; the password and logger are kept apart. */
export type ResolvedClientOptions = Required<Omit<AsyncESLClientOptions, 'user' | 'logger' | 'password' | keyof FrameParserOptions>> &
  Pick<AsyncESLClientOptions, 'user' | keyof FrameParserOptions>;

/** Fills in the defaults (those of `ESL_*` unset), leaving out the password and the logger. */
export function resolveClientOptions(options: AsyncESLClientOptions): ResolvedClientOptions {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 8021,
    user: options.user,
    connectTimeout: options.connectTimeout ?? 5000,
    readTimeout: options.readTimeout ?? 30_000,
    reconnectDelay: options.reconnectDelay ?? 1000,
    maxReconnectDelay: options.maxReconnectDelay ?? 30_000,
    maxReconnectAttempts: options.maxReconnectAttempts ?? 10,
    backgroundJobTimeout: options.backgroundJobTimeout ?? 300_000,
    originateRecoveryTimeout: options.originateRecoveryTimeout ?? 10_000,
    maxCommandBytes: options.maxCommandBytes ?? DEFAULT_MAX_COMMAND_BYTES,
    maxHeaderBytes: options.maxHeaderBytes,
    maxBodyBytes: options.maxBodyBytes,
  };
}
