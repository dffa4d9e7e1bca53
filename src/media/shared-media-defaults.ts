/**
 * The shared-socket mode as configuration makes it (`RTP_SHARED_SOCKET=true`): one process-wide
 * {@link SharedMediaSocket} on `RTP_PORT_MIN`, and FreeSWITCH's unicast `local-port` for each
 * call from `RTP_PORT_MIN + 1000 .. RTP_PORT_MAX + 1000`, so `startCallMedia(call)` needs no
 * media options at all.
 *
 * @module
 */
import { getDefaultConfig } from '../config/defaults.js';
import { MediaError, PortExhaustedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { SharedMediaSocket } from './shared-media-socket.js';

/** Options of {@link UnicastPortPool}. */
export interface UnicastPortPoolOptions {
  /** First port, inclusive. */
  min: number;
  /** Last port, inclusive. */
  max: number;
}

/**
 * The UDP ports FreeSWITCH binds for calls on a shared socket (`unicast`'s `local-port`): each
 * call needs its own on its FreeSWITCH, and the shared socket tells calls apart by it. Numbers
 * only, nothing is bound here; handed out round-robin, so a port is not reused right after a
 * call leaves it (late datagrams of that call find no one).
 */
export class UnicastPortPool {
  /** First port, inclusive. */
  readonly min: number;
  /** Last port, inclusive. */
  readonly max: number;
  private readonly used = new Set<number>();
  private cursor: number;

  constructor(options: UnicastPortPoolOptions) {
    this.min = options.min;
    this.max = options.max;
    if (!(Number.isInteger(this.min) && Number.isInteger(this.max) && this.min >= 1 && this.max <= 65535 && this.min <= this.max)) {
      throw new MediaError(`invalid FreeSWITCH unicast port range ${this.min}..${this.max}`);
    }
    this.cursor = this.min;
  }

  /** Ports in the range: the most calls at once. */
  get capacity(): number {
    return this.max - this.min + 1;
  }

  /** Ports taken. */
  get inUse(): number {
    return this.used.size;
  }

  /** The next free port. Throws {@link PortExhaustedError} when every port is taken. */
  take(): number {
    for (let tried = 0; tried < this.capacity; tried++) {
      const port = this.cursor;
      this.cursor = port === this.max ? this.min : port + 1;
      if (this.used.has(port)) continue;
      this.used.add(port);
      return port;
    }
    throw new PortExhaustedError(this.min, this.max);
  }

  /** Gives a port back (idempotent). */
  release(port: number): void {
    this.used.delete(port);
  }
}

let sharedSocket: Promise<SharedMediaSocket> | undefined;
let unicastPorts: UnicastPortPool | undefined;

/**
 * The process-wide shared socket of `RTP_SHARED_SOCKET=true`: bound once, on first use, on
 * `RTP_BIND_ADDRESS:RTP_PORT_MIN`, its kernel buffers sized for as many calls as the port range
 * numbers. A failed bind is not kept: the next call tries again.
 */
export function defaultSharedMediaSocket(logger?: Logger): Promise<SharedMediaSocket> {
  if (!sharedSocket) {
    const { rtp } = getDefaultConfig();
    const socket = new SharedMediaSocket({ expectedCalls: rtp.portMax - rtp.portMin + 1, logger });
    const bound = socket.bind(rtp.portMin, rtp.bindAddress).then(() => socket);
    sharedSocket = bound;
    bound.catch(() => {
      if (sharedSocket === bound) sharedSocket = undefined;
    });
  }
  return sharedSocket;
}

/** FreeSWITCH's unicast ports for calls on the default shared socket: `RTP_PORT_MIN + 1000 .. RTP_PORT_MAX + 1000`. */
export function defaultUnicastPorts(): UnicastPortPool {
  if (!unicastPorts) {
    const { rtp } = getDefaultConfig();
    if (rtp.portMax + 1000 > 65535) {
      throw new MediaError(`RTP_PORT_MAX ${rtp.portMax} leaves no room for FreeSWITCH's unicast ports (ours + 1000 must stay ≤ 65535): lower the range, or give startCallMedia a freeswitchPort`);
    }
    unicastPorts = new UnicastPortPool({ min: rtp.portMin + 1000, max: rtp.portMax + 1000 });
  }
  return unicastPorts;
}

/** @internal Forgets the process-wide shared socket (closing it) and port pool, for tests. */
export async function resetSharedMediaDefaults(): Promise<void> {
  const socket = sharedSocket;
  sharedSocket = undefined;
  unicastPorts = undefined;
  (await socket?.catch(() => undefined))?.close();
}
