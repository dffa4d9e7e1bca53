/**
 * One UDP socket for many calls, demultiplexed by FreeSWITCH's source address and port. With
 * `unicast`, the application picks FreeSWITCH's `local-port` itself, so it knows in advance
 * where each call's audio comes from: no port per call, no limit from the port range.
 *
 * @module
 */
import type { Socket } from 'node:dgram';
import { MediaError } from '../errors.js';
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
  /** Socket errors (ICMP port unreachable, ...): counted, never thrown. */
  errors: number;
}

/** One bound UDP socket; calls register by remote `address:port`. */
export class SharedMediaSocket {
  readonly stats: SharedSocketStats = { received: 0, unknownSource: 0, errors: 0 };
  /** Handlers by FreeSWITCH's address, then port: no key string built per datagram. */
  private readonly routes = new Map<string, Map<number, (datagram: Buffer) => void>>();
  private count = 0;
  private socket: Socket | undefined;

  /** Binds `address:port` (port 0: any). */
  async bind(port: number, address = '0.0.0.0'): Promise<{ address: string; port: number }> {
    const socket = createMediaSocket();
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (e) => reject(new MediaError(`cannot bind UDP ${address}:${port}: ${e.message}`, { cause: e })));
      socket.bind(port, address, () => resolve());
    });
    socket.removeAllListeners('error');
    socket.on('error', () => this.stats.errors++);
    socket.on('message', (datagram, rinfo) => {
      this.stats.received++;
      const route = this.routes.get(rinfo.address)?.get(rinfo.port);
      if (route === undefined) this.stats.unknownSource++;
      else route(datagram);
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
    let ports = this.routes.get(remoteAddress);
    if (ports?.has(remotePort)) throw new MediaError(`a call is already registered for ${remoteAddress}:${remotePort}`);
    if (!ports) this.routes.set(remoteAddress, (ports = new Map()));
    ports.set(remotePort, handler);
    this.count++;
    let open = true;
    return {
      send: (datagram) => socket.send(datagram, remotePort, remoteAddress),
      close: () => {
        if (!open) return;
        open = false;
        // After the socket's own close() the routes are gone already.
        if (this.routes.get(remoteAddress) !== ports || !ports.delete(remotePort)) return;
        this.count--;
        if (ports.size === 0) this.routes.delete(remoteAddress);
      },
    };
  }

  /** Closes the socket. */
  close(): void {
    this.routes.clear();
    this.count = 0;
    this.socket?.close();
    this.socket = undefined;
  }
}
