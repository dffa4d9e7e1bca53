import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { EventEmitter } from 'eventemitter3';
import { CallEndedError, CallHandlerError, EslConnectionError } from '../errors.js';
import { getDefaultConfig } from '../config/defaults.js';
import { reportError } from '../error-reporting.js';
import { type Logger, defaultLogger } from '../logger.js';
import { OutboundAdmission } from './outbound-admission.js';
import { OutboundCall } from './outbound-call.js';
import type { OutboundCallHandler, OutboundServerEvents, OutboundServerOptions, OutboundServerStats } from './outbound-server-options.js';
import { type OutboundShutdownOptions, type OutboundShutdownReport, deadline, handBackCalls } from './outbound-shutdown.js';

export type {
  OutboundCallHandler,
  OutboundServerEvents,
  OutboundServerOptions,
  OutboundServerStats,
  RejectReason,
} from './outbound-server-options.js';

/**
 * The server FreeSWITCH's `socket` dialplan application connects to: one {@link OutboundCall}
 * per connection, handed to your handler once `connect`, `myevents` and `linger` are done.
 *
 * ```ts
 * const server = createOutboundServer({ port: 8022 }, async (call) => {
 *   await call.answer();
 *   await call.playback('ivr/ivr-welcome.wav');
 *   await call.hangup();
 * });
 * await server.listen();
 * ```
 */
export class OutboundServer extends EventEmitter<OutboundServerEvents> {
  /** Counters for monitoring. */
  readonly stats: OutboundServerStats = {
    calls: 0,
    rejectedOverLimit: 0,
    rejectedNotAllowed: 0,
    handshakeFailures: 0,
    rejectedHandshakeTooLarge: 0,
    rejectedHandshakeMemory: 0,
    handlerErrors: 0,
  };
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly calls = new Set<OutboundCall>();
  private readonly logger: Logger;
  private readonly host: string;
  private readonly port: number;
  private readonly maxConnections: number;
  private readonly admission: OutboundAdmission;
  private closing: Promise<void> | undefined;
  private shuttingDown: Promise<OutboundShutdownReport> | undefined;

  constructor(
    private readonly options: OutboundServerOptions = {},
    private readonly handler?: OutboundCallHandler,
  ) {
    super();
    this.logger = options.logger ?? defaultLogger;
    const needsEnv = options.host === undefined || options.port === undefined || options.maxConnections === undefined;
    const env = needsEnv ? getDefaultConfig().server : undefined;
    this.host = options.host ?? env!.host;
    this.port = options.port ?? env!.port;
    this.maxConnections = options.maxConnections ?? env!.maxConnections;
    this.admission = new OutboundAdmission(options, this.logger, this.stats, (info) => this.emit('rejected', info));
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.maxConnections = this.maxConnections;
    this.server.on('drop', (info) => this.admission.dropped(info?.remoteAddress, this.maxConnections));
    this.server.on('error', (error) => reportError(this, error, this.logger, { host: this.host, port: this.port }));
  }

  /** Open connections (calls, and peers still in the handshake). */
  get connections(): number {
    return this.sockets.size;
  }

  /** Bytes held by peers still in their handshake (bounded by `maxPendingHandshakeBytes`). */
  get pendingHandshakeBytes(): number {
    return this.admission.budget.pendingBytes;
  }

  /** The most bytes peers in their handshake have held at once since the server was created. */
  get pendingHandshakeBytesPeak(): number {
    return this.admission.budget.peakBytes;
  }

  /** The calls in progress. */
  get activeCalls(): ReadonlySet<OutboundCall> {
    return this.calls;
  }

  /** The bound address once listening. */
  address(): AddressInfo | undefined {
    const a = this.server.address();
    return a !== null && typeof a === 'object' ? a : undefined;
  }

  /** Starts listening; resolves with the bound address. */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject);
        const address = this.address()!;
        this.logger.info({ host: address.address, port: address.port }, 'outbound server listening');
        this.emit('listening', address);
        resolve(address);
      });
    });
  }

  /**
   * Stops accepting connections, lets the calls in progress finish for up to `drainTimeout` ms
   * (default 0: none), then closes what is left. Resolves when everything is closed.
   */
  close(options: { drainTimeout?: number } = {}): Promise<void> {
    this.closing ??= this.closeAfter(options.drainTimeout ?? 0);
    return this.closing;
  }

  /** `true` once {@link OutboundServer.shutdown} or {@link OutboundServer.close} began: no new calls are taken. */
  get isClosing(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Graceful shutdown (what SIGTERM should do): stops accepting at once (FreeSWITCH's `socket`
   * then fails and the dialplan continues after it), lets the calls in progress go on for up to
   * `deadlineMs`, then hands those still up back to the dialplan — transferred to `transferTo`,
   * or released to the actions after `socket` — and never hangs one up. Resolves with what
   * happened once every socket is closed (the server then emits `close`). See
   * {@link shutdownOnSignals} to run it on SIGTERM.
   */
  shutdown(options: OutboundShutdownOptions = {}): Promise<OutboundShutdownReport> {
    if (this.shuttingDown) return this.shuttingDown;
    if (this.closing) {
      return this.closing.then(() => ({ finished: 0, transferred: 0, released: 0, transferFailures: 0 }));
    }
    const run = this.drainAndHandBack(options);
    this.shuttingDown = run;
    this.closing = run.then(() => this.emit('close')).then(() => undefined);
    return run;
  }

  private async drainAndHandBack(options: OutboundShutdownOptions): Promise<OutboundShutdownReport> {
    const deadlineMs = options.deadlineMs ?? 30_000;
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const inProgress = this.calls.size;
    this.logger.info({ calls: inProgress, deadlineMs }, 'outbound server shutting down: no new calls');
    this.emit('draining', { deadlineMs });
    const until = deadline(deadlineMs, options.signal);
    await Promise.race([this.allSocketsClosed(), until.promise]);
    until.cancel();
    const handedBack = await handBackCalls(this.calls, options.transferTo, this.logger);
    const finished = Math.max(0, inProgress - handedBack.transferred - handedBack.released);
    const grace = deadline(options.closeTimeoutMs ?? 5000);
    await Promise.race([this.allSocketsClosed(), grace.promise]);
    grace.cancel();
    for (const socket of this.sockets) socket.destroy();
    await serverClosed;
    this.admission.flush();
    const report = { finished, ...handedBack };
    this.logger.info(report, 'outbound server shut down');
    return report;
  }

  private allSocketsClosed(): Promise<unknown> {
    return Promise.all([...this.sockets].map((s) => (s.closed ? undefined : new Promise((resolve) => s.once('close', resolve)))));
  }

  private async closeAfter(drainTimeout: number): Promise<void> {
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.sockets.size > 0 && drainTimeout > 0) {
      const allClosed = Promise.all([...this.sockets].map((s) => new Promise((resolve) => s.once('close', resolve))));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([allClosed, new Promise((resolve) => (timer = setTimeout(resolve, drainTimeout)))]);
      clearTimeout(timer);
    }
    for (const socket of this.sockets) socket.destroy();
    await serverClosed;
    this.admission.flush();
    this.emit('close');
  }

  private accept(socket: Socket): void {
    const remoteAddress = socket.remoteAddress;
    socket.on('error', () => {});
    if (!this.admission.admit(socket, remoteAddress, this.closing !== undefined)) return;
    this.sockets.add(socket);
    const allowance = this.admission.budget.open();
    socket.once('close', () => {
      this.sockets.delete(socket);
      allowance.release();
    });
    const call = new OutboundCall(socket, this.options, allowance.admit);
    call.handshake(this.options.handshakeTimeout ?? 5000).then(
      () => {
        allowance.release();
        this.start(call);
      },
      (error: Error) => {
        allowance.release();
        this.admission.handshakeFailed(call, allowance, remoteAddress, error);
      },
    );
  }

  private start(call: OutboundCall): void {
    this.stats.calls++;
    this.calls.add(call);
    call.once('end', () => this.calls.delete(call));
    call.logger.debug({ caller: call.channel.callerIdNumber, destination: call.channel.destinationNumber }, 'outbound call');
    this.emit('call', call);
    if (!this.handler) return;
    const handler = this.handler;
    new Promise<void>((resolve) => resolve(handler(call))).catch((error: unknown) => this.onHandlerError(call, error));
  }

  /**
   * A handler threw: hang the call up so the caller does not sit in silence, unless the caller
   * is already with someone else (a fallback transferred or bridged them), then report it.
   */
  private onHandlerError(call: OutboundCall, error: unknown): void {
    // The call ended under it, or close() cut it: not a failure of the handler.
    if (!call.isActive && (error instanceof CallEndedError || (this.closing && error instanceof EslConnectionError))) {
      call.logger.debug({ closing: this.closing !== undefined }, 'outbound handler stopped: the call ended');
      return;
    }
    this.stats.handlerErrors++;
    const handedOff = call.isActive ? call.handedOff : undefined;
    const ours = call.isActive && !handedOff;
    const fallback = ours ? this.options.handlerFallback : undefined;
    const cause = ours && !fallback ? (this.options.handlerErrorCause ?? 'NORMAL_TEMPORARY_FAILURE') : undefined;
    if (cause) call.hangup(cause).catch(() => call.destroy());
    const failure = new CallHandlerError(call.uuid, cause, error, handedOff, fallback?.transfer);
    // Through the call's logger: call_uuid, domain_uuid and node on the line.
    reportError(this, failure, call.logger, { uuid: call.uuid, ...(handedOff && { handedOff }), ...(fallback && { fallback: fallback.transfer }) }, call);
    if (fallback) void this.transferToFallback(call, fallback);
  }

  /** The handler's fallback: the dialplan takes the caller; a failed transfer hangs up as without one. */
  private async transferToFallback(call: OutboundCall, fallback: { transfer: string; context?: string }): Promise<void> {
    try {
      await call.transfer(fallback.transfer, 'XML', fallback.context ?? call.channel.context ?? 'default');
    } catch (error) {
      if (!call.isActive) return;
      call.logger.error({ err: error, fallback: fallback.transfer }, 'handler fallback transfer failed: hanging up');
      call.hangup(this.options.handlerErrorCause ?? 'NORMAL_TEMPORARY_FAILURE').catch(() => call.destroy());
    }
  }
}

/** Creates an {@link OutboundServer}; call `listen()` to start it. */
export function createOutboundServer(options: OutboundServerOptions = {}, handler?: OutboundCallHandler): OutboundServer {
  return new OutboundServer(options, handler);
}
