/**
 * The handshake the agent-platform providers (ElevenLabs, Deepgram) share: open a socket with
 * the shared transport defaults (`openProviderSocket`) and wait for the vendor to confirm the
 * session, with a timeout, an abort signal and a typed error for every way it can fail; close
 * cleanly; read messages. The vendor-specific protocol stays in each provider.
 *
 * @module
 * @internal
 */
import WebSocket from 'ws';
import { ProviderError } from '../../errors.js';
import { openProviderSocket } from './websocket.js';

/** What {@link openVendorSocket} needs. */
export interface VendorSocketOptions {
  /** Vendor name for messages, e.g. `ElevenLabs`. */
  readonly vendor: string;
  readonly url: string;
  /** The user's `ws` options (see `ProviderWebSocketOptions`). */
  readonly webSocket?: WebSocket.ClientOptions;
  /** Headers the provider sets (auth), on top of `webSocket.headers`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Ms from now until the session must be confirmed. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Called once the socket is open: send the session configuration here. */
  onOpen(ws: WebSocket): void;
  /**
   * Each message before the session is confirmed. Return `true` once it is (the socket is then
   * handed over, and the next message goes to the provider's own listener); throw a
   * `ProviderError` to fail the connection; return `false` to keep waiting.
   */
  onMessage(data: WebSocket.RawData, isBinary: boolean, ws: WebSocket): boolean;
  /**
   * Called synchronously once the session is confirmed, before the next message is dispatched:
   * attach the provider's listeners here (a message in the same TCP segment as the
   * confirmation would otherwise have no listener).
   */
  onReady(ws: WebSocket): void;
}

/**
 * Opens a WebSocket and resolves with it once `onMessage` says the session is confirmed, after
 * `onReady` has attached the provider's listeners (the handshake's are removed). Rejects with a `ProviderError` on a refused
 * handshake (code: the HTTP status), a socket error (`connection`), a close (the close code), a
 * timeout (`timeout`), and with the signal's reason on abort; the socket is then terminated.
 */
export function openVendorSocket(o: VendorSocketOptions): Promise<WebSocket> {
  o.signal?.throwIfAborted();
  const ws = openProviderSocket(o.url, o.webSocket, o.headers);
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

/** Closes with 1000 and resolves once closed (terminating after `graceMs` if the peer does not answer). */
export function closeSocket(ws: WebSocket, graceMs = 1000): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, graceMs);
    timer.unref();
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.on('error', () => {});
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000);
  });
}

/** The text of a message (text or binary frame, any `ws` RawData form). */
export function messageText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** The bytes of a binary message (a view, no copy, when `ws` gives one Buffer). */
export function messageBytes(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * Parses a JSON message into an object with a string `type`; `undefined` when it is not JSON or
 * has no string `type`.
 */
export function parseTypedJson<T extends { type: string }>(data: WebSocket.RawData): T | undefined {
  try {
    const value: unknown = JSON.parse(messageText(data));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return typeof (value as { type?: unknown }).type === 'string' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}
