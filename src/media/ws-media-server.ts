/**
 * The WebSocket server `mod_audio_stream` and `mod_audio_fork` connect to
 * (`VOICE_AI_REALTIME_PORT`, default 8085): it accepts both modules, finds which call each
 * stream carries and hands it to whoever waits for that call.
 *
 * @module
 */
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'eventemitter3';
import { type WebSocket, WebSocketServer } from 'ws';
import { getDefaultConfig } from '../config/defaults.js';
import { MediaError } from '../errors.js';
import { reportError } from '../error-reporting.js';
import { ThrottledLog } from '../log-throttle.js';
import { type Logger, defaultLogger } from '../logger.js';
import { AUDIO_FORK_SUBPROTOCOL, metadataUuid } from './audio-stream-modules.js';
import { WebSocketAudioStream } from './ws-media-stream.js';

/** Options of {@link WebSocketMediaServer}. */
export interface WebSocketMediaServerOptions {
  /** TCP port; 0 picks a free one. Default `VOICE_AI_REALTIME_PORT` (8085). */
  port?: number;
  /** Address to listen on. Default `RTP_BIND_ADDRESS` (127.0.0.1). */
  host?: string;
  /** Largest message accepted, bytes; a larger one closes the stream (1009). Default 262 144. */
  maxPayloadBytes?: number;
  /**
   * Ms a stream has to be bound to a call (uuid in the path, else in its metadata) and claimed
   * by it; then it is closed (1008) and counted. Default 5000.
   */
  bindTimeoutMs?: number;
  /** Audio bytes held for a stream no call has claimed yet (oldest dropped). Default 64 000 (2 s at 16 kHz). */
  maxHeldBytes?: number;
  /** Bytes waiting in a stream's socket beyond which messages to the module are dropped. Default 262 144. */
  maxSendBufferBytes?: number;
  /** Refused streams are logged at `warn`, throttled to one line per minute. Default: {@link defaultLogger}. */
  logger?: Logger;
}

/** Why the server closed a stream without handing it to a call. */
export type StreamRejection = 'unbound' | 'unknown-call' | 'duplicate';

/** Events of {@link WebSocketMediaServer}. */
export interface WebSocketMediaServerEvents {
  /** A stream was bound to a call (before any claim). */
  stream: [stream: WebSocketAudioStream];
  /** A stream was closed without reaching a call. */
  rejected: [info: { reason: StreamRejection; uuid: string | undefined; path: string; remoteAddress: string | undefined }];
  /** The listening socket failed. */
  error: [error: MediaError];
}

/** Counters of a {@link WebSocketMediaServer}. */
export interface WebSocketMediaServerStats {
  /** Streams accepted (upgraded). */
  connections: number;
  /** Streams handed to a call. */
  claimed: number;
  /** Closed: no uuid in the path or the metadata within `bindTimeoutMs`. */
  unbound: number;
  /** Closed: bound to a uuid no call claimed within `bindTimeoutMs`. */
  unknownCall: number;
  /** Closed: a second stream for a call that already has one. */
  duplicate: number;
  /** Closed by `ws` for a message over `maxPayloadBytes` (1009). */
  oversized: number;
}

interface Claim {
  resolve: (stream: WebSocketAudioStream) => void;
  reject: (error: Error) => void;
}

/** A FreeSWITCH uuid (what `switch_uuid_str` makes); custom `origination_uuid`s go by claim. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Accepts `mod_audio_stream` and `mod_audio_fork` streams (the latter's `audio.drachtio.org`
 * subprotocol is echoed; a `permessage-deflate` offer is declined, so audio flows uncompressed).
 * A stream is bound to its call by the last segment of its path (`ws://host:8085/stream/<uuid>`,
 * what the call helper gives the module), or else by its metadata (`{"uuid": ...}`, which may
 * arrive after the first audio), and handed to {@link WebSocketMediaServer.claim}. What is not
 * bound and claimed within `bindTimeoutMs` is closed and counted, never silently kept.
 *
 * ```ts
 * const server = new WebSocketMediaServer({ port: 8085 });
 * await server.listen();
 * const stream = await server.claim(call.uuid, { timeoutMs: 5000 });
 * ```
 */
export class WebSocketMediaServer extends EventEmitter<WebSocketMediaServerEvents> {
  /** Its counters, live. */
  readonly counters: WebSocketMediaServerStats = { connections: 0, claimed: 0, unbound: 0, unknownCall: 0, duplicate: 0, oversized: 0 };
  private readonly logger: Logger;
  /** Refused streams: a flood (a scanner, a misconfigured dialplan) costs one line per minute. */
  private readonly refusals: ThrottledLog;
  private readonly options: Required<Omit<WebSocketMediaServerOptions, 'logger'>>;
  private readonly wss: WebSocketServer;
  private readonly http: Server;
  /** Calls waiting for their stream. */
  private readonly claims = new Map<string, Claim>();
  /** Streams bound to a uuid and not yet claimed. */
  private readonly waiting = new Map<string, WebSocketAudioStream>();
  /** Streams claimed and still open, by uuid. */
  private readonly active = new Map<string, WebSocketAudioStream>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private listening: Promise<{ host: string; port: number }> | undefined;
  private closed = false;

  constructor(options: WebSocketMediaServerOptions = {}) {
    super();
    const config = options.port === undefined || options.host === undefined ? getDefaultConfig() : undefined;
    this.options = {
      port: options.port ?? config!.websocket.port,
      host: options.host ?? config!.rtp.bindAddress,
      maxPayloadBytes: options.maxPayloadBytes ?? 262_144,
      bindTimeoutMs: options.bindTimeoutMs ?? 5000,
      maxHeldBytes: options.maxHeldBytes ?? 64_000,
      maxSendBufferBytes: options.maxSendBufferBytes ?? 262_144,
    };
    this.logger = options.logger ?? defaultLogger;
    this.refusals = new ThrottledLog(this.logger, { level: 'warn', message: 'WebSocket media stream refused' });
    this.http = createServer((_, res) => {
      res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' });
      res.end('a WebSocket audio stream endpoint (mod_audio_stream, mod_audio_fork)\n');
    });
    this.wss = new WebSocketServer({
      server: this.http,
      perMessageDeflate: false,
      maxPayload: this.options.maxPayloadBytes,
      clientTracking: true,
      handleProtocols: (protocols) => (protocols.has(AUDIO_FORK_SUBPROTOCOL) ? AUDIO_FORK_SUBPROTOCOL : false),
    });
    this.wss.on('connection', (socket, request) => this.accept(socket, request));
    this.wss.on('error', () => {});
    this.http.on('error', (error) => reportError(this, new MediaError(`WebSocket media server: ${error.message}`, { cause: error }), this.logger));
  }

  /** Starts listening; resolves with the bound address. Calling it again returns the same. */
  listen(): Promise<{ host: string; port: number }> {
    if (this.closed) return Promise.reject(new MediaError('the WebSocket media server is closed: create a new one'));
    this.listening ??= new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        this.listening = undefined;
        reject(new MediaError(`the WebSocket media server cannot listen on ${this.options.host}:${this.options.port}: ${error.message}`, { cause: error }));
      };
      this.http.once('error', onError);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off('error', onError);
        const a = this.http.address() as AddressInfo;
        resolve({ host: a.address, port: a.port });
      });
    });
    return this.listening;
  }

  /** The bound address, once listening. */
  address(): { host: string; port: number } | undefined {
    const a = this.http.address() as AddressInfo | null;
    return a ? { host: a.address, port: a.port } : undefined;
  }

  /** Whether {@link WebSocketMediaServer.close} ran. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Streams open (bound or not). */
  get size(): number {
    return this.wss.clients.size;
  }

  /** Whether a stream for `uuid` is connected (claimed or waiting for its call). */
  hasStream(uuid: string): boolean {
    return this.waiting.has(uuid) || this.active.has(uuid);
  }

  /**
   * Waits for the stream of call `uuid`: resolves at once with one that arrived first (a
   * dialplan-started stream), else when it connects. Rejects on timeout or abort (and then no
   * stream for that call is accepted any more). One claim per call at a time.
   */
  claim(uuid: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<WebSocketAudioStream> {
    const ready = this.waiting.get(uuid);
    if (ready) {
      this.waiting.delete(uuid);
      return Promise.resolve(this.hand(uuid, ready));
    }
    if (this.claims.has(uuid)) return Promise.reject(new MediaError(`call ${uuid} already waits for its stream`));
    options.signal?.throwIfAborted();
    return new Promise<WebSocketAudioStream>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.claims.delete(uuid);
      };
      const onAbort = (): void => {
        done();
        reject(options.signal!.reason);
      };
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          done();
          reject(new MediaError(`no stream for call ${uuid} within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.claims.set(uuid, {
        resolve: (stream) => {
          done();
          resolve(stream);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
    });
  }

  /** Counters. */
  stats(): WebSocketMediaServerStats & { open: number } {
    return { ...this.counters, open: this.wss.clients.size };
  }

  /**
   * Stops listening and closes every stream (1001, going away); pending claims reject.
   * Resolves once the port is free. Final: a closed server does not listen again.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.refusals.flush();
    for (const claim of [...this.claims.values()]) claim.reject(new MediaError('the WebSocket media server closed'));
    for (const socket of this.wss.clients) socket.close(1001, 'server closing');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    for (const socket of this.wss.clients) socket.terminate();
    if (this.listening) await new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.listening = undefined;
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    this.counters.connections++;
    const stream = new WebSocketAudioStream(socket, request, this.options);
    // ws closes with 1009 on a message over maxPayload (and reports why as an error).
    stream.once('close', ({ error }) => {
      if (error?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.counters.oversized++;
    });
    const fromPath = this.pathUuid(stream.path);
    if (fromPath !== undefined) return this.bind(stream, fromPath);
    // No call in the path: the metadata names it (it may follow the first audio frames).
    const timer = this.later(() => {
      if (stream.uuid === undefined) this.reject(stream, 'unbound');
    });
    stream.once('metadata', (json) => {
      clearTimeout(timer);
      this.timers.delete(timer);
      const uuid = metadataUuid(json);
      if (uuid === undefined) this.reject(stream, 'unbound');
      else this.bind(stream, uuid);
    });
    stream.once('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
  }

  /** The last path segment, when it names a call: a FreeSWITCH uuid, or one a call waits for. */
  private pathUuid(path: string): string | undefined {
    const segment = path.split('?')[0]!.split('/').filter((s) => s !== '').pop();
    if (segment === undefined) return undefined;
    let uuid: string;
    try {
      uuid = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
    return UUID.test(uuid) || this.claims.has(uuid) ? uuid : undefined;
  }

  private bind(stream: WebSocketAudioStream, uuid: string): void {
    if (!stream.isOpen) return;
    if (this.active.has(uuid) || this.waiting.has(uuid)) return this.reject(stream, 'duplicate', uuid);
    stream.uuid = uuid;
    this.emit('stream', stream);
    const claim = this.claims.get(uuid);
    if (claim) return claim.resolve(this.hand(uuid, stream));
    // A stream for a call not (yet) waiting: kept for bindTimeoutMs, then refused.
    this.waiting.set(uuid, stream);
    const timer = this.later(() => {
      if (this.waiting.get(uuid) !== stream) return;
      this.waiting.delete(uuid);
      this.reject(stream, 'unknown-call', uuid);
    });
    stream.once('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
      if (this.waiting.get(uuid) === stream) this.waiting.delete(uuid);
    });
  }

  private hand(uuid: string, stream: WebSocketAudioStream): WebSocketAudioStream {
    this.counters.claimed++;
    this.active.set(uuid, stream);
    stream.once('close', () => {
      if (this.active.get(uuid) === stream) this.active.delete(uuid);
    });
    return stream;
  }

  private reject(stream: WebSocketAudioStream, reason: StreamRejection, uuid?: string): void {
    if (reason === 'unbound') this.counters.unbound++;
    else if (reason === 'unknown-call') this.counters.unknownCall++;
    else this.counters.duplicate++;
    const info = { reason, uuid, path: stream.path, remoteAddress: stream.remoteAddress };
    this.refusals.log(info);
    this.emit('rejected', info);
    stream.close(1008, reason === 'unbound' ? 'no call uuid in the path or the metadata' : reason === 'duplicate' ? 'the call already has a stream' : 'no such call');
  }

  private later(fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, this.options.bindTimeoutMs);
    this.timers.add(timer);
    return timer;
  }
}

let shared: WebSocketMediaServer | undefined;

/**
 * The process-wide WebSocket media server (`VOICE_AI_REALTIME_PORT` on `RTP_BIND_ADDRESS`),
 * created and started on first use (again after it was closed).
 */
export async function getWebSocketMediaServer(): Promise<WebSocketMediaServer> {
  if (shared?.isClosed) shared = undefined;
  shared ??= new WebSocketMediaServer();
  await shared.listen();
  return shared;
}
