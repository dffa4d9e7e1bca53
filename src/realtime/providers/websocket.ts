/**
 * The WebSocket options every WebSocket provider accepts, and the one place their sockets are
 * opened, so transport defaults are the same for every vendor.
 *
 * @module
 */
import { type ClientOptions, type RawData, WebSocket } from 'ws';

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
