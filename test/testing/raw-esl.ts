import { type Socket, connect } from 'node:net';
import { type EslEvent, parseJsonEvent, parsePlainEvent, parseXmlEvent } from '../../src/esl/event.js';
import { FrameParser } from '../../src/esl/frame-parser.js';

/** One frame as it came off the wire. */
export interface RawFrame {
  type: string | undefined;
  /** The header block text (without the blank line). */
  head: string;
  body: Buffer | undefined;
  /** The frame's exact bytes. */
  bytes: string;
}

function frameOf(f: { contentType: string | undefined; raw: Buffer; body: Buffer | undefined }): RawFrame {
  const head = f.raw.toString('utf8');
  return { type: f.contentType, head, body: f.body, bytes: `${head}\n\n${f.body?.toString('utf8') ?? ''}` };
}

/** Splits recorded bytes into frames. */
export function splitFrames(text: string): RawFrame[] {
  const out: RawFrame[] = [];
  new FrameParser((f) => out.push(frameOf(f))).push(Buffer.from(text, 'utf8'));
  return out;
}

/** Decodes an event frame with the core decoders. */
export function decodeEvent(frame: RawFrame): EslEvent {
  const decode = frame.type === 'text/event-json' ? parseJsonEvent : frame.type === 'text/event-xml' ? parseXmlEvent : parsePlainEvent;
  const event = decode(frame.body!);
  if (!event) throw new Error(`undecodable ${frame.type}`);
  return event;
}

/** A bare Event Socket client that hands back every frame with its exact bytes. */
export class RawEslClient {
  readonly received: RawFrame[] = [];
  closed = false;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    const parser = new FrameParser((f) => {
      this.received.push(frameOf(f));
      this.wake();
    });
    socket.on('data', (c: Buffer) => parser.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static async open(port: number): Promise<RawEslClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawEslClient(socket);
  }

  /** Reads frames off a socket something else opened (the application side of an outbound connection). */
  static wrap(socket: Socket): RawEslClient {
    return new RawEslClient(socket);
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Resolves with the next `n` frames (rejects after `timeoutMs`, or when the socket closes first). */
  async frames(n: number, timeoutMs = 2000): Promise<RawFrame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (this.closed) throw new Error(`socket closed after ${this.received.length} of ${n} frames`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`only ${this.received.length} of ${n} frames within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received.splice(0, n);
  }

  /** Sends a command and resolves with its first answering frame. */
  async command(text: string): Promise<RawFrame> {
    this.write(text);
    return (await this.frames(1))[0]!;
  }

  /** Resolves when the peer has closed the socket. */
  async whenClosed(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket still open');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
