/**
 * Records real Event Socket conversations in the capture format {@link CaptureReplayServer} and
 * the simulator's conformance tests replay: a TCP proxy between an application and FreeSWITCH
 * that writes down, byte for byte, what each side said.
 *
 * @module
 */
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { EventEmitter } from 'eventemitter3';
import { FrameParser } from '../esl/frame-parser.js';
import type { Capture, CaptureStep } from './capture-replay.js';

/** Options of {@link CaptureRecorder}. */
export interface CaptureRecorderOptions {
  /** Where to forward each connection. */
  readonly target: { readonly host: string; readonly port: number };
  /**
   * Which side is FreeSWITCH. `'target'` (default): inbound mode, the application connects
   * through the recorder to FreeSWITCH's port 8021. `'client'`: outbound mode, the dialplan's
   * `socket` application connects to the recorder, which forwards to the application's server.
   */
  readonly freeswitch?: 'target' | 'client';
  /** Where the recorder listens. Default `127.0.0.1`, port 0 (a free port). */
  readonly host?: string;
  /** Port the recorder listens on. Default 0 (a free port). */
  readonly port?: number;
  /** Written into each capture's `description`. */
  readonly description?: string;
}

/** Events of {@link CaptureRecorder}. */
export interface CaptureRecorderEvents {
  /** A conversation ended (either side closed); its capture is complete. */
  recorded: [capture: Capture];
}

/**
 * A recording proxy. Each connection becomes one {@link Capture}: the application's bytes as
 * `send` steps (consecutive writes before FreeSWITCH answers are one step), FreeSWITCH's bytes as
 * `recv` steps holding only complete frames (a frame split across the next `send` is kept for the
 * `recv` after it), with `frames` counted and `closedAfter` set when FreeSWITCH closed first.
 *
 * ```ts
 * const recorder = new CaptureRecorder({ target: { host: 'fs.example', port: 8021 } });
 * const { port } = await recorder.start();
 * // point the application at 127.0.0.1:port, run the scenario, then:
 * writeFileSync('my-scenario.json', JSON.stringify(recorder.captures[0], null, 2));
 * ```
 */
export class CaptureRecorder extends EventEmitter<CaptureRecorderEvents> {
  /** Every finished conversation, in the order they ended. */
  readonly captures: Capture[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: CaptureRecorderOptions) {
    super();
  }

  /** Starts listening. */
  async start(): Promise<{ host: string; port: number }> {
    const host = this.options.host ?? '127.0.0.1';
    const server = createServer((socket) => this.proxy(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => resolve());
    });
    this.server = server;
    return { host, port: (server.address() as AddressInfo).port };
  }

  /** Stops listening and closes every proxied connection. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves with the next conversation to end. */
  next(): Promise<Capture> {
    return new Promise((resolve) => this.once('recorded', resolve));
  }

  private proxy(accepted: Socket): void {
    const upstream = connect(this.options.target.port, this.options.target.host);
    const [app, fs] = this.options.freeswitch === 'client' ? [upstream, accepted] : [accepted, upstream];
    const tape = new Tape(this.options.description);
    let done = false;
    const finish = (fsClosedFirst: boolean): void => {
      if (done) return;
      done = true;
      accepted.destroy();
      upstream.destroy();
      const capture = tape.finish(fsClosedFirst);
      this.captures.push(capture);
      this.emit('recorded', capture);
    };
    for (const s of [accepted, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => finish(false));
    }
    app.on('data', (chunk: Buffer) => {
      tape.fromApplication(chunk);
      fs.write(chunk);
    });
    fs.on('data', (chunk: Buffer) => {
      tape.fromFreeswitch(chunk);
      app.write(chunk);
    });
    fs.on('end', () => finish(true));
    app.on('end', () => finish(false));
  }
}

/** One conversation being written down (bytes kept as bytes until the end, so a UTF-8 character split across chunks stays whole). */
class Tape {
  private readonly steps: { kind: 'send' | 'recv'; chunks: Buffer[]; frames: number }[] = [];
  private readonly parser: FrameParser;
  private framesSeen = 0;
  private framesAttributed = 0;
  /** FreeSWITCH bytes not yet in a step (a frame still incomplete). */
  private fsPending = Buffer.alloc(0);

  constructor(private readonly description: string | undefined) {
    // Frames are only counted: limits as large as FreeSWITCH's own, so nothing real is refused.
    this.parser = new FrameParser(() => this.framesSeen++, { maxBodyBytes: 64 * 1024 * 1024, maxHeaderBytes: 64 * 1024 * 1024 });
  }

  fromApplication(chunk: Buffer): void {
    this.append('send', chunk, 0);
  }

  fromFreeswitch(chunk: Buffer): void {
    this.fsPending = this.fsPending.length === 0 ? chunk : Buffer.concat([this.fsPending, chunk]);
    this.parser.push(chunk);
    const complete = this.fsPending.length - this.parser.bufferedBytes;
    if (complete <= 0) return;
    const frames = this.framesSeen - this.framesAttributed;
    this.framesAttributed = this.framesSeen;
    this.append('recv', this.fsPending.subarray(0, complete), frames);
    this.fsPending = this.fsPending.subarray(complete);
  }

  finish(fsClosedFirst: boolean): Capture {
    if (this.fsPending.length > 0) this.append('recv', this.fsPending, 0);
    const steps: CaptureStep[] = this.steps.map(({ kind, chunks, frames }) =>
      kind === 'send' ? { send: Buffer.concat(chunks).toString('utf8') } : { recv: Buffer.concat(chunks).toString('utf8'), frames },
    );
    const last = steps.at(-1);
    if (fsClosedFirst && last?.recv !== undefined) last.closedAfter = true;
    return { ...(this.description ? { description: this.description } : {}), steps };
  }

  private append(kind: 'send' | 'recv', bytes: Buffer, frames: number): void {
    const last = this.steps.at(-1);
    if (last?.kind === kind) {
      last.chunks.push(bytes);
      last.frames += frames;
    } else this.steps.push({ kind, chunks: [bytes], frames });
  }
}
