import { EslAuthError, EslConnectionError, EslTimeoutError, ErrorCodes } from '../errors.js';
import type { Logger } from '../logger.js';
import { authCommand, userauthCommand } from './commands.js';
import { type ConnectionHandler, EslConnection, type EslConnectionOptions } from './connection.js';
import type { FrameParserOptions } from './frame-parser.js';
import { openSocket } from './open-socket.js';

/** Where and how to log in. */
export interface InboundLoginOptions extends FrameParserOptions {
  host: string;
  port: number;
  password: string;
  /** `userauth` user (`user@domain`); plain `auth` when absent. */
  user?: string;
  /** Ms for the TCP connect, then again for the `auth/request` and the login reply. */
  connectTimeout: number;
  readTimeout: number;
  /** Largest command line and headers written (see {@link EslConnectionOptions.maxCommandBytes}). */
  maxCommandBytes?: number;
  logger: Logger;
}

/**
 * Opens an inbound Event Socket connection and logs in: waits for FreeSWITCH's `auth/request`,
 * sends `auth` (or `userauth`), checks the reply. Resolves with a ready connection whose frames
 * go to `handler`. Fails with {@link EslAuthError} (wrong password, or `text/rude-rejection` from
 * the ACL), {@link EslTimeoutError}, or {@link EslConnectionError}.
 */
export async function openInboundConnection(
  options: InboundLoginOptions,
  handler: ConnectionHandler,
  signal?: AbortSignal,
): Promise<EslConnection> {
  const { host, port, connectTimeout } = options;
  const socket = await openSocket(host, port, connectTimeout, signal);
  let settle: ((error?: Error) => void) | undefined;
  const authRequested = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  authRequested.catch(() => {});
  const conn = new EslConnection(
    socket,
    {
      ...handler,
      onAuthRequest: () => settle?.(),
      onRudeRejection: (text) =>
        settle?.(
          new EslAuthError(
            `FreeSWITCH rejected the connection (${text.trim()}): add this host to the apply-inbound-acl list`,
            text.trim(),
            ErrorCodes.ESL_ACCESS_DENIED,
          ),
        ),
      onClose: (error) => {
        settle?.(new EslConnectionError('FreeSWITCH closed the connection during login', { cause: error }));
        handler.onClose(error);
      },
    },
    options,
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    if (connectTimeout > 0 && Number.isFinite(connectTimeout)) {
      timer = setTimeout(
        () => settle?.(new EslTimeoutError(`no auth/request from ${host}:${port} within ${connectTimeout} ms`, connectTimeout)),
        connectTimeout,
      );
    }
    await authRequested;
    const login = options.user ? userauthCommand(options.user, options.password) : authCommand(options.password);
    const reply = await conn.send(login, { timeout: connectTimeout, signal });
    if (!reply.ok) {
      throw new EslAuthError(
        `FreeSWITCH refused the login (${reply.text}); check ESL_PASSWORD${options.user ? ' and the user' : ''}`,
        reply.text,
      );
    }
    return conn;
  } catch (error) {
    conn.destroy();
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
  }
}
