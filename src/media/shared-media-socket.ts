/**
 * One UDP socket for many calls, demultiplexed by FreeSWITCH's source address and port. With
 * `unicast`, the application picks FreeSWITCH's `local-port` itself, so it knows in advance
 * where each call's audio comes from: no port per call, no limit from the port range.
 *
 * @module
 */
import type { Socket } from 'node:dgram';
import { MediaError } from '../errors.js';
import { ThrottledLog } from '../log-throttle.js';
import { type Logger, defaultLogger } from '../logger.js';
import { createMediaSocket } from './udp-socket.js';

/** A call registered on a {@link SharedMediaSocket}. */
export interface SharedRegistration {
  /** Sends a datagram to this call's FreeSWITCH address. */
  send(datagram: Uint8Array): void;
  /** Stops delivering this call's datagrams. */
  close(): void;
}

/** Counters of a {@link SharedMediaSocket}. */
export interface SharedSocketStats {
  received: number;
  /** Datagrams from a source no call is registered for: dropped. */
  unknownSource: number;
  /** Socket errors (a failed send, ...): counted, never thrown; logged at `warn`, the first at once, then a count per minute. */
  errors: number;
}

/** Options of {@link SharedMediaSocket}. */
export interface SharedMediaSocketOptions {
  /** A pino-compatible logger. Default: {@link defaultLogger} (warnings and errors to stderr). */
  logger?: Logger;
}

/** A call's route: FreeSWITCH's address, its handler, and the next route on the same port. */
interface Route {
  readonly address: string;
  readonly handler: (datagram: Buffer) => void;
  next: Route | undefined;
}

/** One bound UDP socket; calls register by remote `address:port`. */
export class SharedMediaSocket {
  readonly stats: SharedSocketStats = { received: 0, unknownSource: 0, errors: 0 };
  /**
   * Routes by FreeSWITCH's port (a number: no string hashed per datagram), then address: one
   * route per port but when several FreeSWITCH hosts use the same port.
   */
  private readonly routes = new Map<number, Route>();
  private count = 0;
  private socket: Socket | undefined;
  private readonly errorLog: ThrottledLog;

  constructor(options: SharedMediaSocketOptions = {}) {
    this.errorLog = new ThrottledLog(options.logger ?? defaultLogger, { level: 'warn', message: 'shared media socket error (counted in stats.errors)' });
  }

  /** Binds `address:port` (port 0: any). */
  async bind(port: number, address = '0.0.0.0'): Promise<{ address: string; port: number }> {
    const socket = createMediaSocket();
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (e) => reject(new MediaError(`cannot bind UDP ${address}:${port}: ${e.message}`, { cause: e })));
      socket.bind(port, address, () => resolve());
    });
    socket.removeAllListeners('error');
    const localPort = socket.address().port;
    socket.on('error', (err) => {
      this.stats.errors++;
      this.errorLog.log({ err, port: localPort });
    });
    socket.on('message', (datagram, rinfo) => {
      this.stats.received++;
      let route = this.routes.get(rinfo.port);
      while (route !== undefined && route.address !== rinfo.address) route = route.next;
      if (route === undefined) this.stats.unknownSource++;
      else route.handler(datagram);
    });
    this.socket = socket;
    return socket.address();
  }

  /** The bound address, once bound. */
  address(): { address: string; port: number } | undefined {
    return this.socket?.address();
  }

  /** Calls registered. */
  get size(): number {
    return this.count;
  }

  /** Delivers datagrams from `remoteAddress:remotePort` to `handler`. */
  register(remoteAddress: string, remotePort: number, handler: (datagram: Buffer) => void): SharedRegistration {
    const socket = this.socket;
    if (!socket) throw new MediaError('SharedMediaSocket.register before bind');
    const first = this.routes.get(remotePort);
    for (let r = first; r !== undefined; r = r.next) {
      if (r.address === remoteAddress) throw new MediaError(`a call is already registered for ${remoteAddress}:${remotePort}`);
    }
    const route: Route = { address: remoteAddress, handler, next: first };
    this.routes.set(remotePort, route);
    this.count++;
    return {
      send: (datagram) => socket.send(datagram, remotePort, remoteAddress),
      close: () => {
        // Not found once closed before, or after the socket's own close().
        if (this.unlink(remotePort, route)) this.count--;
      },
    };
  }

  /** Takes `route` off its port's list; false when it is not there (the socket was closed). */
  private unlink(port: number, route: Route): boolean {
    let r = this.routes.get(port);
    if (r === route) {
      if (route.next === undefined) this.routes.delete(port);
      else this.routes.set(port, route.next);
      return true;
    }
    for (; r !== undefined; r = r.next) {
      if (r.next === route) {
        r.next = route.next;
        return true;
      }
    }
    return false;
  }

  /** Closes the socket. */
  close(): void {
    this.routes.clear();
    this.count = 0;
    this.socket?.close();
    this.socket = undefined;
  }
}
