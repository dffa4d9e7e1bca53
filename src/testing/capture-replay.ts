/**
 * Replays a recorded Event Socket conversation byte for byte, so a client can be tested against
 * real FreeSWITCH bytes.
 *
 * @module
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { EventEmitter } from 'eventemitter3';

/** One step of a recorded conversation: what the client sent, or what FreeSWITCH answered. */
export interface CaptureStep {
  /** Bytes the client wrote. */
  send?: string;
  /** Bytes FreeSWITCH wrote back before the next `send` (complete frames). */
  recv?: string;
  /** How many frames `recv` holds. */
  frames?: number;
  /** FreeSWITCH closed the socket after this `recv`. */
  closedAfter?: boolean;
}

/** A recorded Event Socket conversation (the format of the wire captures). */
export interface Capture {
  /** What the recording shows. */
  description?: string;
  /** The conversation, in order. */
  steps: CaptureStep[];
}

/** A client's bytes that differed from the recording. */
export interface ReplayMismatch {
  /** Index of the `send` step that was expected. */
  step: number;
  /** The bytes the recording has. */
  expected: string;
  /** What the client wrote instead (everything unconsumed). */
  received: string;
}

/** Options of {@link CaptureReplayServer}. */
export interface CaptureReplayOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
}

/** Events of {@link CaptureReplayServer}. */
export interface CaptureReplayEvents {
  /** A connection played the whole recording. */
  played: [];
  /** A connection sent bytes the recording does not have; it was closed. */
  mismatch: [mismatch: ReplayMismatch];
}

/**
 * Serves a recorded inbound conversation (FreeSWITCH accepting us) to every connection: the
 * leading `recv` steps on accept, then, each time the client has written exactly the bytes of
 * the next `send` step, the `recv` steps that follow it; `closedAfter` closes the socket. A
 * client that writes anything else gets its connection closed and the difference recorded in
 * {@link CaptureReplayServer.mismatches}.
 *
 * ```ts
 * const server = await replayCapture(JSON.parse(readFileSync('inbound-session.json', 'utf8')));
 * const client = new AsyncESLClient({ host: server.host, port: server.port, password: 'ClueCon' });
 * ```
 */
export class CaptureReplayServer extends EventEmitter<CaptureReplayEvents> {
  /** Sends that differed from the recording. */
  readonly mismatches: ReplayMismatch[] = [];
  /** How many connections played the recording to its end. */
  playedCount = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Pending {@link CaptureReplayServer.whenPlayed} calls: `stop()` ends them. */
  private readonly waiters = new Set<(error?: Error) => void>();
  private bound = { host: '127.0.0.1', port: 0 };

  constructor(
    private readonly capture: Capture,
    private readonly options: CaptureReplayOptions = {},
  ) {
    super();
  }

  /** Address once started. */
  get host(): string {
    return this.bound.host;
  }

  /** Port once started. */
  get port(): number {
    return this.bound.port;
  }

  /** Starts listening (once: a second call answers the same address). */
  async start(): Promise<{ host: string; port: number }> {
    if (this.server) return { ...this.bound };
    const host = this.options.host ?? '127.0.0.1';
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.bound = { host, port: (server.address() as AddressInfo).port };
    return { ...this.bound };
  }

  /**
   * Stops listening, closes every connection, and rejects every {@link CaptureReplayServer.whenPlayed}
   * still waiting. Resolves once the listening socket and every connection are closed: nothing
   * the server opened (socket or timer) is left to keep the process alive.
   */
  async stop(): Promise<void> {
    for (const end of [...this.waiters]) end(new Error('the replay server stopped before a connection played the recording to its end'));
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    // close() calls back once every connection it accepted has closed too.
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Resolves once a connection has played the whole recording (at once if one has); rejects after
   * `timeoutMs`, or when the server stops first.
   */
  whenPlayed(timeoutMs = 5000): Promise<void> {
    if (this.playedCount > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const end = (error?: Error): void => {
        clearTimeout(timer);
        this.off('played', played);
        this.waiters.delete(end);
        if (error) reject(error);
        else resolve();
      };
      const played = (): void => end();
      const timer = setTimeout(() => end(new Error(`recording not played to its end within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.add(end);
      this.on('played', played);
    });
  }

  private serve(socket: Socket): void {
    const steps = this.capture.steps;
    let i = 0;
    let pending = Buffer.alloc(0);
    let ended = false;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const finishIfDone = (): void => {
      if (i >= steps.length && !ended) {
        ended = true;
        this.playedCount++;
        this.emit('played');
      }
    };
    const play = (): void => {
      while (i < steps.length && steps[i]!.send === undefined) {
        const step = steps[i++]!;
        if (step.recv) socket.write(step.recv);
        if (step.closedAfter) {
          finishIfDone();
          socket.end(() => socket.destroy());
          return;
        }
      }
      finishIfDone();
    };
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (i < steps.length && steps[i]!.send !== undefined) {
        const expected = Buffer.from(steps[i]!.send!, 'utf8');
        const compared = Math.min(pending.length, expected.length);
        if (!pending.subarray(0, compared).equals(expected.subarray(0, compared))) {
          const mismatch = { step: i, expected: expected.toString('utf8'), received: pending.toString('utf8') };
          this.mismatches.push(mismatch);
          this.emit('mismatch', mismatch);
          socket.destroy();
          return;
        }
        if (pending.length < expected.length) return;
        pending = pending.subarray(expected.length);
        i++;
        play();
      }
    });
    play();
  }
}

/** Starts a {@link CaptureReplayServer} for `capture` and resolves once it listens. */
export async function replayCapture(capture: Capture, options: CaptureReplayOptions = {}): Promise<CaptureReplayServer> {
  const server = new CaptureReplayServer(capture, options);
  await server.start();
  return server;
}
