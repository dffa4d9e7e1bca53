import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { FrameParser } from '../../src/esl/frame-parser.js';

/**
 * A bare TCP peer for connection-level tests: it records each command it receives (parsed with
 * the real frame parser) and lets the test write any bytes back.
 */
export class RawPeer {
  readonly commands: string[] = [];
  private server: Server | undefined;
  private socket: Socket | undefined;
  private waiters: (() => void)[] = [];

  async listen(): Promise<number> {
    this.server = createServer((socket) => {
      this.socket = socket;
      const parser = new FrameParser((frame) => {
        this.commands.push([...frame.headers.entries()].map(([k, v]) => (v === '' ? k : `${k}: ${v}`)).join('\n'));
        const ws = this.waiters;
        this.waiters = [];
        for (const w of ws) w();
      });
      socket.on('data', (c: Buffer) => parser.push(c));
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return (this.server.address() as AddressInfo).port;
  }

  /** Opens a client socket to this peer and returns both ends once accepted. */
  async pair(): Promise<Socket> {
    const port = (this.server!.address() as AddressInfo).port;
    const accepted = new Promise<void>((r) => this.server!.once('connection', () => setImmediate(r)));
    const client = connect(port, '127.0.0.1');
    await Promise.all([accepted, new Promise((r) => client.once('connect', r))]);
    return client;
  }

  /** Resolves once `n` commands have arrived in total. */
  async received(n: number): Promise<void> {
    while (this.commands.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  write(bytes: string | Buffer): void {
    this.socket!.write(bytes);
  }

  reply(text: string): void {
    this.write(`Content-Type: command/reply\nReply-Text: ${text}\n\n`);
  }

  api(body: string): void {
    this.write(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`);
  }

  drop(): void {
    this.socket?.destroy();
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
