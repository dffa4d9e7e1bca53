import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { RecordedMessage } from '../helpers/vendor-recordings.js';

/** One connection to the mock: its socket, request and the client messages received. */
export interface GeminiConnection {
  readonly ws: WebSocket;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly messages: any[];
}

/**
 * A local stand-in for the Live API (`BidiGenerateContent`): answers `setup` with `setupComplete`
 * in a binary frame, as Google does, records every client message per connection, and sends
 * whatever the test scripts. With {@link replay}, a recorded session's server messages follow
 * the client messages they followed in the recording (by position).
 */
export class GeminiMockServer {
  readonly connections: GeminiConnection[] = [];
  /** Answer `setup` with `setupComplete` (default true). */
  answerSetup = true;
  private readonly wss: WebSocketServer;
  private waiters: (() => void)[] = [];
  private script: RecordedMessage[] | undefined;

  /** @param options.autoPong - answer pings (default true); `false` plays a half-open peer. */
  constructor(options: { autoPong?: boolean } = {}) {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true, autoPong: options.autoPong ?? true });
    this.wss.on('connection', (ws, req) => {
      const conn: GeminiConnection = { ws, url: req.url ?? '', headers: req.headers, messages: [] };
      this.connections.push(conn);
      for (const w of this.waiters.splice(0)) w();
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString());
        conn.messages.push(m);
        if (this.script) this.answerFromScript(conn);
        else if (m.setup && this.answerSetup) ws.send(Buffer.from(JSON.stringify({ setupComplete: {} })));
        for (const w of this.waiters.splice(0)) w();
      });
    });
  }

  /** Plays `recording`'s server messages: those after its n-th client message answer our n-th message. */
  replay(recording: readonly RecordedMessage[]): void {
    this.script = [...recording];
  }

  private answerFromScript(conn: GeminiConnection): void {
    const n = conn.messages.length; // our n-th message
    let clients = 0;
    for (let i = 0; i < this.script!.length; i++) {
      const r = this.script![i]!;
      if (r.dir === 'client') clients++;
      else if (clients === n) conn.ws.send(Buffer.from(JSON.stringify(r.json)));
    }
  }

  async url(): Promise<string> {
    if (!this.wss.address()) await new Promise((r) => this.wss.once('listening', r));
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/ws`;
  }

  get last(): GeminiConnection {
    return this.connections[this.connections.length - 1]!;
  }

  send(m: object | string, conn = this.last): void {
    conn.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  /** Resolves with the first client message of `conn` (default: the last connection) matching `pred`. */
  async waitFor(pred: (m: any) => boolean, conn: () => GeminiConnection | undefined = () => this.connections[this.connections.length - 1]): Promise<any> {
    for (;;) {
      const hit = conn()?.messages.find(pred);
      if (hit) return hit;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Resolves once `n` connections have been made. */
  async connection(n: number): Promise<GeminiConnection> {
    while (this.connections.length < n) await new Promise<void>((r) => this.waiters.push(r));
    return this.connections[n - 1]!;
  }

  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}
