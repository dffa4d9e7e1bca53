/**
 * The WebSocket options every WebSocket provider accepts, and the one place their sockets are
 * opened and their sessions confirmed, so transport defaults and handshake failures are the same
 * for every vendor.
 *
 * @module
 */
import { type ClientOptions, type RawData, WebSocket } from 'ws';
import { ProviderError } from '../../errors.js';

/** Transport options shared by every WebSocket provider (OpenAI, Gemini, and yours). */
export interface ProviderWebSocketOptions {
  /**
   * Extra `ws` client options: `agent`, TLS (`ca`, `rejectUnauthorized`...), `headers`,
   * `handshakeTimeout`, `maxPayload`, ... permessage-deflate is **off** unless set here:
   * compressing base64 audio costs several times the CPU of the session and saves little (a
   * server that accepts it took 100 sessions from 26 % to 81 % CPU). Headers the provider sets
   * itself (authentication) take precedence over the ones given here.
   */
  webSocket?: ClientOptions;
  /**
   * WebSocket ping period, ms: a peer that has not answered (a pong or any message) by the next
   * ping is dropped, which the provider reports as a closed session — a half-open connection is
   * found in at most twice this time instead of when the operating system gives up. Default
   * 20 000; 0 disables.
   */
  pingIntervalMs?: number;
}

/** Opens a provider's socket: the shared defaults, the user's options, then the provider's own headers. */
export function openProviderSocket(url: string, options: ClientOptions | undefined, headers: Readonly<Record<string, string>> = {}): WebSocket {
  return new WebSocket(url, { perMessageDeflate: false, ...options, headers: { ...options?.headers, ...headers } });
}

/** What {@link openVendorSocket} needs: where to connect, and the vendor's side of the handshake. */
export interface VendorSocketOptions {
  /** The vendor's name in error messages, e.g. `Example Voice`. */
  readonly vendor: string;
  /** The WebSocket URL. */
  readonly url: string;
  /** The user's `ws` options (`ProviderWebSocketOptions.webSocket`). */
  readonly webSocket?: ClientOptions;
  /** Headers the provider sets (authentication), on top of `webSocket.headers`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Ms from now until the vendor must have confirmed the session. */
  readonly timeoutMs: number;
  /** Aborts the handshake: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Called with the socket as soon as it exists, before it opens: a provider keeps it where its
   * `close()` finds it, so closing the provider during the handshake ends it (the promise then
   * rejects with the close).
   */
  onSocket?(ws: WebSocket): void;
  /** Called once the socket is open: send the session's configuration here. */
  onOpen(ws: WebSocket): void;
  /**
   * Each message before the session is confirmed. Return `true` once it is; `false` to keep
   * waiting; throw (a `ProviderError` with the vendor's code) to fail the connection.
   */
  onMessage(data: RawData, isBinary: boolean, ws: WebSocket): boolean;
  /**
   * Called synchronously once the session is confirmed, before the next message is dispatched:
   * attach the provider's listeners here (a message in the same TCP segment as the confirmation
   * would otherwise find none).
   */
  onReady(ws: WebSocket): void;
}

/**
 * Opens a provider's socket ({@link openProviderSocket}) and resolves with it once `onMessage`
 * says the vendor confirmed the session, after `onReady` attached the provider's listeners (the
 * handshake's own are removed). Rejects with a `ProviderError` for each way it can fail: a
 * refused handshake (`providerCode`: the HTTP status), a socket error (`connection`), a close
 * (the close code), a timeout (`timeout`), or what `onOpen` / `onMessage` threw; with the
 * signal's reason on abort. The socket is terminated on every failure.
 */
export function openVendorSocket(o: VendorSocketOptions): Promise<WebSocket> {
  o.signal?.throwIfAborted();
  const ws = openProviderSocket(o.url, o.webSocket, o.headers);
  o.onSocket?.(ws);
  return new Promise<WebSocket>((resolve, reject) => {
    const timer = setTimeout(() => fail(new ProviderError(`${o.vendor} did not confirm the session within ${o.timeoutMs} ms`, 'timeout')), Math.max(0, o.timeoutMs));
    const onAbort = (): void => fail(o.signal?.reason);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (): void => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      ws.removeAllListeners();
    };
    const fail = (error: unknown): void => {
      settle();
      ws.on('error', () => {});
      ws.terminate();
      reject(error);
    };
    ws.once('open', () => {
      try {
        o.onOpen(ws);
      } catch (error) {
        fail(error);
      }
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      fail(new ProviderError(`${o.vendor} refused the connection: HTTP ${res.statusCode}`, String(res.statusCode)));
    });
    ws.on('error', (e) => fail(new ProviderError(`${o.vendor} connection failed: ${e.message}`, 'connection', { cause: e })));
    ws.on('close', (code, reason) => fail(new ProviderError(`${o.vendor} closed the connection before the session started (${code} ${reason.toString()})`, String(code))));
    ws.on('message', (data, isBinary) => {
      let ready: boolean;
      try {
        ready = o.onMessage(data, isBinary, ws);
      } catch (error) {
        return fail(error);
      }
      if (!ready) return;
      settle();
      o.onReady(ws);
      resolve(ws);
    });
  });
}

/**
 * A provider's handshake in progress, for its `close()` to end: {@link VendorHandshake.open} is
 * {@link openVendorSocket} holding the socket until the session is confirmed or fails, and
 * {@link VendorHandshake.terminate} ends it (the open then rejects as on a close).
 *
 * @internal
 */
export class VendorHandshake {
  private socket: WebSocket | undefined;

  /** {@link openVendorSocket}, with the socket held while the handshake runs. */
  open(o: VendorSocketOptions): Promise<WebSocket> {
    let socket: WebSocket | undefined;
    const onSocket = (ws: WebSocket): void => {
      this.socket = socket = ws;
      o.onSocket?.(ws);
    };
    return openVendorSocket({ ...o, onSocket }).finally(() => {
      if (this.socket === socket) this.socket = undefined;
    });
  }

  /** Ends the handshake in progress, if any. */
  terminate(): void {
    this.socket?.terminate();
  }
}

/** Bytes of a received WebSocket message (for the provider's counters). */
export function rawDataBytes(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.byteLength, 0);
  return data.byteLength;
}

/**
 * Pings `ws` every `everyMs` and calls `onDead` (then terminates the socket) when nothing came
 * back since the previous ping. Returns the function that stops it.
 */
export function keepAlive(ws: WebSocket, everyMs: number, onDead: () => void): () => void {
  if (everyMs <= 0) return () => {};
  let alive = true;
  const heard = (): void => {
    alive = true;
  };
  ws.on('pong', heard);
  ws.on('message', heard);
  const timer = setInterval(() => {
    if (!alive) {
      stop();
      onDead();
      ws.terminate();
      return;
    }
    alive = false;
    ws.ping();
  }, everyMs);
  timer.unref();
  function stop(): void {
    clearInterval(timer);
    ws.off('pong', heard);
    ws.off('message', heard);
  }
  return stop;
}
