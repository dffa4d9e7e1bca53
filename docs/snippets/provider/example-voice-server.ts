import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ClientMessage, ServerMessage } from './example-voice-protocol.js';

/**
 * A local Example Voice server, following the vendor's published protocol: it refuses a wrong key
 * (HTTP 401), confirms `session.start` with the format asked, records what the client sends, and
 * says what the test tells it to. The same role as test/realtime/*-mock-server.ts for the real vendors.
 */
export class ExampleVoiceServer {
  /** JSON messages the client sent, in order; the caller's audio frames. */
  readonly received: ClientMessage[] = [];
  readonly audio: Buffer[] = [];
  socket: WebSocket | undefined;
  private readonly wss: WebSocketServer;
  private readonly waiters = new Set<() => void>();

  constructor(key: string) {
    this.wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: ({ req }, done) => done(req.headers.authorization === `Bearer ${key}`, 401),
    });
    this.wss.on('connection', (ws) => {
      this.socket = ws;
      ws.on('message', (data: Buffer, isBinary) => {
        if (isBinary) this.audio.push(data);
        else {
          const message = JSON.parse(data.toString()) as ClientMessage;
          this.received.push(message);
          if (message.type === 'session.start') this.send({ type: 'session.ready', audio: message.audio });
        }
        for (const wake of this.waiters) wake();
      });
    });
  }

  /** Its URL, once listening. */
  async url(): Promise<string> {
    if (!this.wss.address()) await new Promise((resolve) => this.wss.once('listening', resolve));
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/v1/realtime`;
  }

  send(message: ServerMessage): void {
    this.socket?.send(JSON.stringify(message));
  }

  /** An answer's audio, in `chunks` messages. */
  speak(responseId: string, audio: Uint8Array, chunks = 1): void {
    const size = Math.ceil(audio.length / chunks);
    for (let at = 0; at < audio.length; at += size) {
      this.send({ type: 'response.audio', response_id: responseId, audio: Buffer.from(audio.subarray(at, at + size)).toString('base64') });
    }
  }

  /** Resolves once `holds()` is true, checked again after each message the client sends. */
  async until(holds: () => boolean): Promise<void> {
    while (!holds()) {
      await new Promise<void>((resolve) => {
        const wake = (): void => (this.waiters.delete(wake), resolve());
        this.waiters.add(wake);
      });
    }
  }

  /** The first message of that type the client sent (already, or from now on). */
  async waitFor<T extends ClientMessage['type']>(type: T): Promise<Extract<ClientMessage, { type: T }>> {
    await this.until(() => this.received.some((m) => m.type === type));
    return this.received.find((m) => m.type === type) as Extract<ClientMessage, { type: T }>;
  }

  /** The caller's audio, once at least `bytes` of it arrived. */
  async waitForAudio(bytes: number): Promise<Buffer> {
    await this.until(() => this.audio.reduce((n, b) => n + b.length, 0) >= bytes);
    return Buffer.concat(this.audio);
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
  }
}
