/**
 * UDP ports for call audio: a range on an address (the process-wide one:
 * `RTP_PORT_MIN..RTP_PORT_MAX` on `RTP_BIND_ADDRESS`).
 *
 * @module
 */
import type { Socket } from 'node:dgram';
import { getDefaultConfig } from '../config/defaults.js';
import { MediaError, PortExhaustedError } from '../errors.js';
import { createMediaSocket } from './udp-socket.js';

/**
 * Options of {@link PortAllocator}: plain values (the process-wide {@link defaultPortAllocator}
 * gives it `RTP_PORT_MIN`, `RTP_PORT_MAX` and `RTP_BIND_ADDRESS`).
 */
export interface PortAllocatorOptions {
  /** First port, inclusive. Default 10000. */
  min?: number;
  /** Last port, inclusive. Default 10100. */
  max?: number;
  /** Address to bind. Default `0.0.0.0`. */
  bindAddress?: string;
}

/** A bound UDP socket on an allocated port. Release it when the call ends (idempotent). */
export interface AllocatedPort {
  /** The UDP port. */
  readonly port: number;
  /** The socket bound on it. */
  readonly socket: Socket;
  /** Closes the socket and gives the port back to the allocator (idempotent). */
  release(): void;
}

/**
 * Hands out bound UDP sockets, one port per call, round-robin through the range so a port is
 * not reused right after release (late packets of the previous call land nowhere). Ports taken
 * by other processes are skipped; when every port is taken, {@link PortExhaustedError}.
 *
 * One port per call caps a process at the size of the range; {@link SharedMediaSocket} serves
 * any number of calls on one port.
 */
export class PortAllocator {
  /** First port, inclusive. */
  readonly min: number;
  /** Last port, inclusive. */
  readonly max: number;
  /** Address the sockets bind to. */
  readonly bindAddress: string;
  private readonly used = new Set<number>();
  private cursor: number;

  constructor(options: PortAllocatorOptions = {}) {
    this.min = options.min ?? 10000;
    this.max = options.max ?? 10100;
    this.bindAddress = options.bindAddress ?? '0.0.0.0';
    if (!(Number.isInteger(this.min) && Number.isInteger(this.max) && this.min >= 1 && this.max <= 65535 && this.min <= this.max)) {
      throw new MediaError(`invalid port range ${this.min}..${this.max}`);
    }
    this.cursor = this.min;
  }

  /** Ports in the range. */
  get capacity(): number {
    return this.max - this.min + 1;
  }

  /** Ports currently allocated by this allocator. */
  get inUse(): number {
    return this.used.size;
  }

  /** Binds a socket on the next free port. Rejects with {@link PortExhaustedError}. */
  async allocate(): Promise<AllocatedPort> {
    for (let tried = 0; tried < this.capacity; tried++) {
      const port = this.cursor;
      this.cursor = port === this.max ? this.min : port + 1;
      if (this.used.has(port)) continue;
      this.used.add(port); // reserved before the await: concurrent calls never get the same port
      const socket = await bind(port, this.bindAddress);
      if (socket === undefined) {
        this.used.delete(port);
        continue;
      }
      let released = false;
      return {
        port,
        socket,
        release: () => {
          if (released) return;
          released = true;
          this.used.delete(port);
          try {
            socket.close();
          } catch {
            // already closed
          }
        },
      };
    }
    throw new PortExhaustedError(this.min, this.max);
  }
}

/** Binds UDP4 `address:port`; `undefined` when the port is taken. */
function bind(port: number, address: string): Promise<Socket | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createMediaSocket();
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.close();
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(undefined);
      else reject(new MediaError(`cannot bind UDP ${address}:${port}: ${error.message}`, { cause: error }));
    });
    // exclusive: in a `cluster` worker Node would otherwise share the port with the other workers.
    socket.bind({ port, address, exclusive: true }, () => {
      socket.removeAllListeners('error');
      socket.on('error', () => {}); // owners add their own handler; an ICMP error must never crash
      resolve(socket);
    });
  });
}

let shared: PortAllocator | undefined;

/**
 * The process-wide allocator every bridge uses unless given its own: `RTP_PORT_MIN..RTP_PORT_MAX`
 * on `RTP_BIND_ADDRESS` (the process defaults, {@link getDefaultConfig}), read once, on first use.
 */
export function defaultPortAllocator(): PortAllocator {
  if (!shared) {
    const { rtp } = getDefaultConfig();
    shared = new PortAllocator({ min: rtp.portMin, max: rtp.portMax, bindAddress: rtp.bindAddress });
  }
  return shared;
}
