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
import { type KernelUdpSocket, readKernelUdpSocket } from './kernel-udp-stats.js';
import { createMediaSocket } from './udp-socket.js';
import { UdpSendMonitor } from './udp-send-errors.js';

/** Kernel buffer bytes per call a {@link SharedMediaSocket} asks for by default: 4 MiB per 300 calls (~14 KiB a call), the size that held 300 calls without a drop. */
export const SHARED_SOCKET_BUFFER_BYTES_PER_CALL = (4 * 1024 * 1024) / 300;
/** The smallest kernel buffer a {@link SharedMediaSocket} asks for by default, bytes. */
export const SHARED_SOCKET_MIN_BUFFER_BYTES = 1024 * 1024;

/** Options of {@link SharedMediaSocket}. */
export interface SharedMediaSocketOptions {
  /**
   * Calls the socket should hold at once: sizes its kernel buffers. Default 300.
   */
  expectedCalls?: number;
  /**
   * Receive buffer to ask the kernel for (`SO_RCVBUF`), bytes. Default
   * `max(1 MiB, expectedCalls × 4 MiB / 300)` (~14 KiB a call): 4 MiB for 300 calls. The
   * kernel's default (~208 KiB) holds ~15 ms of 300 calls' audio, so any pause of the event loop
   * longer than that (a GC, a burst of provider messages) lost caller frames in the kernel. Linux caps what it grants at
   * `net.core.rmem_max`; a smaller grant is logged at `warn`.
   */
  receiveBufferBytes?: number;
  /** Send buffer to ask for (`SO_SNDBUF`), bytes; capped by `net.core.wmem_max`. Default: as the receive buffer. */
  sendBufferBytes?: number;
  /**
   * A pino-compatible logger: socket errors (bounded) and the warning when the kernel grants
   * smaller buffers than asked. Default: {@link defaultLogger} (warnings and errors to stderr).
   */
  logger?: Logger;
}

/** The kernel's view of a {@link SharedMediaSocket} (see {@link SharedMediaSocket.kernelStats}). */
export interface SharedSocketKernelStats {
  /** Datagrams the kernel dropped because the receive buffer was full: caller audio lost before we could read it. */
  drops: number;
  /** Bytes waiting to be read now. */
  receiveQueueBytes: number;
  /** Receive buffer as the kernel reports it (`getsockopt`; Linux reports twice what it was asked for, for its bookkeeping). */
  receiveBufferBytes: number;
  /** Send buffer as the kernel reports it. */
  sendBufferBytes: number;
}

/** A call registered on a {@link SharedMediaSocket}. */
export interface SharedRegistration {
  /** Sends a datagram to this call's FreeSWITCH address. */
  send(datagram: Uint8Array): void;
  /** Stops delivering this call's datagrams. */
  close(): void;
}

/** Counters of a {@link SharedMediaSocket}. */
export interface SharedSocketStats {
  /** Datagrams received. */
  received: number;
  /** Datagrams from a source no call is registered for: dropped. */
  unknownSource: number;
  /** Socket errors (a failed receive, ...): counted, never thrown; logged at `warn`, the first at once, then a count per minute. */
  errors: number;
  /**
   * Datagrams to FreeSWITCH that the kernel refused (no route, a firewall, a full buffer, ...):
   * counted from the first one seen, which is within 64 datagrams of the first that failed (a
   * send's failure is only known to a callback, which costs a tick per datagram: see
   * {@link UdpSendMonitor}); logged at `warn`, the first at once, then a count per minute.
   */
  sendErrors: number;
}

/** A call's route: FreeSWITCH's address, its handler, and the next route on the same port. */
interface Route {
  readonly address: string;
  readonly handler: (datagram: Buffer) => void;
  next: Route | undefined;
}

/**
 * One bound UDP socket; calls register by remote `address:port`.
 *
 * ```ts
 * const shared = new SharedMediaSocket({ expectedCalls: 500, logger });
 * await shared.bind(10000, '0.0.0.0');
 * // per call: startCallMedia(call, { shared, freeswitchPort })
 * const { drops } = (await shared.kernelStats()) ?? { drops: 0 };
 * ```
 *
 * Its kernel buffers are sized for the calls it serves ({@link SharedMediaSocketOptions}).
 */
export class SharedMediaSocket {
  /** Its counters, live. */
  readonly stats: SharedSocketStats = { received: 0, unknownSource: 0, errors: 0, sendErrors: 0 };
  /**
   * Routes by FreeSWITCH's port (a number: no string hashed per datagram), then address: one
   * route per port but when several FreeSWITCH hosts use the same port.
   */
  private readonly routes = new Map<number, Route>();
  private count = 0;
  private socket: Socket | undefined;
  private readonly logger: Logger;
  private readonly errorLog: ThrottledLog;
  private readonly sendErrorLog: ThrottledLog;
  private readonly sends: UdpSendMonitor;

  constructor(private readonly options: SharedMediaSocketOptions = {}) {
    this.logger = options.logger ?? defaultLogger;
    this.errorLog = new ThrottledLog(this.logger, { level: 'warn', message: 'shared media socket error (counted in stats.errors)' });
    this.sendErrorLog = new ThrottledLog(this.logger, { level: 'warn', message: 'shared media socket: a datagram to FreeSWITCH could not be sent (counted in stats.sendErrors)' });
    this.sends = new UdpSendMonitor((err) => {
      this.stats.sendErrors++;
      this.sendErrorLog.log({ err, port: this.socket?.address().port });
    });
  }

  /**
   * Binds `address:port` (port 0: any) and sizes the kernel buffers. The port is this process's
   * alone (`exclusive`), also in a `cluster` worker, where Node would otherwise share one socket
   * between workers and hand each datagram to any of them.
   */
  async bind(port: number, address = '0.0.0.0'): Promise<{ address: string; port: number }> {
    const socket = createMediaSocket();
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (e) => reject(new MediaError(`cannot bind UDP ${address}:${port}: ${e.message}`, { cause: e })));
      socket.bind({ port, address, exclusive: true }, () => resolve());
    });
    socket.removeAllListeners('error');
    this.sizeBuffers(socket);
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

  /**
   * What the kernel counts for this socket, read now from `/proc/net/udp` (Linux; `undefined`
   * elsewhere or before `bind`): above all `drops`, the datagrams lost because the receive
   * buffer was full. Read it when you export metrics, not per datagram.
   */
  async kernelStats(): Promise<SharedSocketKernelStats | undefined> {
    const socket = this.socket;
    if (!socket) return undefined;
    const row: KernelUdpSocket | undefined = await readKernelUdpSocket(socket.address(), 'udp4');
    if (!row || this.socket !== socket) return undefined;
    return {
      drops: row.drops,
      receiveQueueBytes: row.receiveQueueBytes,
      receiveBufferBytes: socket.getRecvBufferSize(),
      sendBufferBytes: socket.getSendBufferSize(),
    };
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
      send: (datagram) => socket.send(datagram, remotePort, remoteAddress, this.sends.callback()),
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

  /** Asks for the buffers of {@link SharedMediaSocketOptions}; warns when the kernel grants less. */
  private sizeBuffers(socket: Socket): void {
    const calls = this.options.expectedCalls ?? 300;
    const byCalls = Math.max(SHARED_SOCKET_MIN_BUFFER_BYTES, Math.ceil(calls * SHARED_SOCKET_BUFFER_BYTES_PER_CALL));
    const receive = this.options.receiveBufferBytes ?? byCalls;
    const send = this.options.sendBufferBytes ?? receive;
    for (const [which, asked, set, get, sysctl] of [
      ['receive', receive, (n: number) => socket.setRecvBufferSize(n), () => socket.getRecvBufferSize(), 'net.core.rmem_max'],
      ['send', send, (n: number) => socket.setSendBufferSize(n), () => socket.getSendBufferSize(), 'net.core.wmem_max'],
    ] as const) {
      if (!(Number.isSafeInteger(asked) && asked > 0)) throw new MediaError(`SharedMediaSocket ${which} buffer must be a positive integer of bytes, not ${asked}`);
      try {
        set(asked);
      } catch (error) {
        this.logger.warn({ err: (error as Error).message, asked, which }, 'shared media socket: cannot size its kernel buffer');
        continue;
      }
      // Linux doubles what it grants (bookkeeping overhead) after capping the request at the sysctl.
      const granted = get();
      const effective = process.platform === 'linux' ? granted / 2 : granted;
      if (effective < asked) {
        this.logger.warn(
          { which, askedBytes: asked, grantedBytes: effective, sysctl, expectedCalls: calls },
          `shared media socket: the kernel granted a ${which} buffer of ${effective} bytes, not ${asked}: raise ${sysctl} (sysctl -w ${sysctl}=${asked}) or caller audio may be dropped under load`,
        );
      }
    }
  }

  /** Closes the socket. */
  close(): void {
    this.sendErrorLog.flush();
    this.errorLog.flush();
    this.routes.clear();
    this.count = 0;
    this.socket?.close();
    this.socket = undefined;
  }
}
