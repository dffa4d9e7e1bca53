import { type Socket, connect } from 'node:net';
import { EslConnectionError, EslTimeoutError } from '../errors.js';

/**
 * Opens a TCP connection, failing with {@link EslTimeoutError} after `timeout` ms or with the
 * signal's reason when it aborts.
 */
export function openSocket(host: string, port: number, timeout: number, signal?: AbortSignal): Promise<Socket> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host, port });
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: Error | undefined): void => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve(socket);
      }
    };
    const onConnect = (): void => finish(undefined);
    const onError = (error: Error): void =>
      finish(
        new EslConnectionError(`cannot connect to FreeSWITCH at ${host}:${port} (${(error as NodeJS.ErrnoException).code ?? error.message}); check ESL_HOST/ESL_PORT and that mod_event_socket listens there`, {
          cause: error,
        }),
      );
    const onAbort = (): void => finish(signal!.reason as Error);
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeout > 0 && Number.isFinite(timeout)) {
      timer = setTimeout(
        () => finish(new EslTimeoutError(`connecting to ${host}:${port} took longer than ${timeout} ms`, timeout)),
        timeout,
      );
    }
  });
}
