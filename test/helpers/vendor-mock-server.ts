/**
 * What the local stand-ins for the vendors' WebSocket APIs (`test/realtime/*-mock-server.ts`)
 * share: the record of what the provider sent (JSON messages, caller audio), waiting for it,
 * sending on the latest connection, refusing the handshake, closing. Each vendor's protocol stays
 * in its own server.
 */
import type { VerifyClientCallbackAsync, WebSocket, WebSocketServer } from 'ws';

/** A client message as a server received it. */
export type ReceivedMessage = { type?: string; [k: string]: unknown };

/** The base of a vendor's mock server; the subclass creates {@link wss} and records each message with {@link record}. */
export abstract class VendorMockServer<M extends ReceivedMessage> {
  /** JSON client messages, in order. */
  readonly received: M[] = [];
  /** The caller audio received (decoded when the protocol carries it as text), in order. */
  readonly audio: Buffer[] = [];
  /** The latest connection's socket. */
  socket: WebSocket | undefined;
  protected abstract readonly wss: WebSocketServer;
  private waiters: (() => void)[] = [];

  /** Sends a JSON server message (or raw text) on the latest connection. */
  send(message: object | string): void {
    this.socket!.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Client messages of `type` received so far. */
  all(type: string): M[] {
    return this.received.filter((m) => m.type === type);
  }

  /** Resolves once `count` client messages of `type` have arrived. */
  async waitFor(type: string, count = 1): Promise<M> {
    for (;;) {
      const seen = this.all(type);
      if (seen.length >= count) return seen[count - 1]!;
      await this.next();
    }
  }

  /** Resolves once at least `bytes` of caller audio have arrived. */
  async waitForAudio(bytes: number): Promise<Buffer> {
    for (;;) {
      const all = Buffer.concat(this.audio);
      if (all.length >= bytes) return all;
      await this.next();
    }
  }

  /** Drops every connection and closes the server. */
  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }

  /** Records what the provider sent (a JSON message, caller audio) and wakes whoever waits. */
  protected record(message: M | undefined, audio?: Buffer): void {
    if (message) this.received.push(message);
    if (audio) this.audio.push(audio);
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when the next message is recorded. */
  protected next(): Promise<void> {
    return new Promise<void>((r) => this.waiters.push(r));
  }
}

/** A `verifyClient` that refuses every handshake with HTTP `status`, or accepts all without one. */
export function refuseWith(status: number | undefined): VerifyClientCallbackAsync {
  return (_info, cb) => (status ? cb(false, status) : cb(true));
}
