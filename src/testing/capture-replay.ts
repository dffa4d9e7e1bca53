import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';

/** One step of a recorded conversation: what the client sent, or what FreeSWITCH answered. */
export interface CaptureStep {
  send?: string;
  recv?: string;
  frames?: number;
  closedAfter?: boolean;
}

/** A recorded Event Socket conversation (the format of the wire captures). */
export interface Capture {
  description?: string;
  steps: CaptureStep[];
}

/**
 * Serves a recorded conversation byte for byte: the leading `recv` steps on accept, then, each
 * time the client has sent the bytes of the next `send` step, the `recv` steps that follow it.
 * A mismatch is recorded in {@link CaptureReplayServer.mismatches} and closes the connection.
 * For inbound captures (FreeSWITCH accepts us) — run our client against real FreeSWITCH bytes.
 */
export class CaptureReplayServer {
  /** Sends that differed from the recording: `{ expected, received }`. */
  readonly mismatches: { expected: string; received: string }[] = [];
  private server: Server | undefined;

  constructor(private readonly capture: Capture) {}

  /** Starts on 127.0.0.1 and an ephemeral port. */
  async start(): Promise<{ host: string; port: number }> {
    this.server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return { host: '127.0.0.1', port: (this.server.address() as AddressInfo).port };
  }

  /** Stops listening. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    const steps = this.capture.steps;
    let i = 0;
    let pending = Buffer.alloc(0);
    socket.on('error', () => {});
    const play = (): void => {
      while (i < steps.length && steps[i]!.send === undefined) {
        const step = steps[i++]!;
        if (step.recv) socket.write(step.recv);
        if (step.closedAfter) {
          socket.end();
          return;
        }
      }
    };
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (i < steps.length && steps[i]!.send !== undefined) {
        const expected = Buffer.from(steps[i]!.send!, 'utf8');
        if (pending.length < expected.length) return;
        const received = pending.subarray(0, expected.length);
        if (!received.equals(expected)) {
          this.mismatches.push({ expected: expected.toString(), received: pending.toString() });
          socket.destroy();
          return;
        }
        pending = pending.subarray(expected.length);
        i++;
        play();
      }
    });
    play();
  }
}
