import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** A local stand-in for OpenAI's Realtime WebSocket: records client events, sends what the test scripts. */
export class OpenAIMockServer {
  readonly received: { type: string; [k: string]: unknown }[] = [];
  headers: IncomingMessage['headers'] = {};
  socket: WebSocket | undefined;
  private readonly wss: WebSocketServer;
  private waiters: (() => void)[] = [];

  constructor(private readonly confirm: (sessionUpdate: Record<string, unknown>) => object[] = defaultConfirm) {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.wss.on('connection', (ws, req) => {
      this.socket = ws;
      this.headers = req.headers;
      ws.send(JSON.stringify({ type: 'session.created', session: {} }));
      ws.on('message', (data) => {
        const event = JSON.parse(data.toString()) as { type: string; [k: string]: unknown };
        this.received.push(event);
        if (event.type === 'session.update') for (const e of this.confirm(event)) ws.send(JSON.stringify(e));
        for (const w of this.waiters.splice(0)) w();
      });
    });
  }

  async ready(): Promise<string> {
    if (!this.wss.address()) await new Promise((r) => this.wss.once('listening', r));
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/v1/realtime`;
  }

  send(event: object | string): void {
    this.socket!.send(typeof event === 'string' ? event : JSON.stringify(event));
  }

  /** Resolves once a client event of `type` has arrived (`count` of them). */
  async waitFor(type: string, count = 1): Promise<{ type: string; [k: string]: unknown }> {
    for (;;) {
      const seen = this.received.filter((e) => e.type === type);
      if (seen.length >= count) return seen[count - 1]!;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}

/** session.updated echoing the requested session, as the server does. */
function defaultConfirm(update: Record<string, unknown>): object[] {
  return [{ type: 'session.updated', session: update.session }];
}
