/**
 * What the agent-platform providers (ElevenLabs, Deepgram) share once connected (the handshake
 * is `openVendorSocket` in `websocket.ts`): close cleanly, read messages. The vendor-specific
 * protocol stays in each provider.
 *
 * @module
 * @internal
 */
import WebSocket from 'ws';

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
