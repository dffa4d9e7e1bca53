/**
 * One WebSocket connection from `mod_audio_stream` / `mod_audio_fork`: which call it carries,
 * its binary audio and text messages in arrival order, bounded sending, and its counters.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { EventEmitter } from 'eventemitter3';
import type { RawData, WebSocket } from 'ws';
import { AUDIO_FORK_SUBPROTOCOL, type AudioStreamModule } from './audio-stream-modules.js';

/** Counters of a {@link WebSocketAudioStream}. */
export interface WebSocketAudioStreamStats {
  /** Binary messages received (audio). */
  binaryMessages: number;
  /** Audio bytes received. */
  audioBytes: number;
  /** Text messages received. */
  textMessages: number;
  /** Text messages that were not JSON (kept as text, never fatal). */
  malformedJson: number;
  /** Audio bytes received before a call claimed the stream and dropped because the hold was full. */
  heldDropped: number;
  /** Messages sent to the module. */
  messagesSent: number;
  /** Bytes sent to the module. */
  bytesSent: number;
  /** Messages not sent because the module was not reading (its send buffer was full). */
  sendDropped: number;
}

/** Events of a {@link WebSocketAudioStream}. */
export interface WebSocketAudioStreamEvents {
  /** A binary message: L16 little-endian audio, any length (the module's own framing). */
  audio: [bytes: Buffer];
  /** A text message, with its JSON value (`undefined` when it is not JSON). */
  text: [text: string, json: unknown];
  /** The first text message arrived (emitted at once, even while the stream is held). */
  metadata: [json: unknown, text: string];
  /**
   * The socket closed. `byUs`: we closed it ({@link WebSocketAudioStream.close}); `error`: why
   * `ws` closed it (`WS_ERR_UNSUPPORTED_MESSAGE_LENGTH` for a message over `maxPayload`, ...).
   */
  close: [info: { code: number; reason: string; byUs: boolean; error?: Error & { code?: string } }];
}

/** Limits of a {@link WebSocketAudioStream} (the server passes its options). */
export interface WebSocketAudioStreamLimits {
  /** Audio bytes kept while no call has claimed the stream. */
  maxHeldBytes: number;
  /** Bytes waiting in the socket beyond which messages to the module are dropped. */
  maxSendBufferBytes: number;
}

type Held = { kind: 'audio'; bytes: Buffer } | { kind: 'text'; text: string; json: unknown };

/**
 * A call's stream. Until a consumer {@link WebSocketAudioStream.attach}es, what arrives is held (text
 * always, audio up to `maxHeldBytes`, oldest dropped first); attaching replays it in order.
 */
export class WebSocketAudioStream extends EventEmitter<WebSocketAudioStreamEvents> {
  /** Its counters, live. */
  readonly stats: WebSocketAudioStreamStats = {
    binaryMessages: 0,
    audioBytes: 0,
    textMessages: 0,
    malformedJson: 0,
    heldDropped: 0,
    messagesSent: 0,
    bytesSent: 0,
    sendDropped: 0,
  };
  /** Which module connected: `mod_audio_fork` offers the `audio.drachtio.org` subprotocol. */
  readonly module: AudioStreamModule;
  /** The request path (`/stream/<uuid>`). */
  readonly path: string;
  /** FreeSWITCH's address. */
  readonly remoteAddress: string | undefined;
  /** The call this stream carries, once known (from the path, or the metadata). */
  uuid: string | undefined;
  /** The first text message (the `start` command's metadata), parsed when it is JSON. */
  metadata: unknown;
  /** `performance.now()` of the upgrade. */
  readonly openedAt = performance.now();
  private held: Held[] | undefined = [];
  private heldBytes = 0;
  private sawText = false;
  private closedByUs = false;
  private open = true;
  private failure: (Error & { code?: string }) | undefined;

  constructor(
    private readonly socket: WebSocket,
    request: IncomingMessage,
    private readonly limits: WebSocketAudioStreamLimits,
  ) {
    super();
    this.module = socket.protocol === AUDIO_FORK_SUBPROTOCOL ? 'mod_audio_fork' : 'mod_audio_stream';
    this.path = request.url ?? '/';
    this.remoteAddress = request.socket.remoteAddress?.replace(/^::ffff:/, '');
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('close', (code, reason) => {
      this.open = false;
      this.held = undefined;
      this.emit('close', { code, reason: reason.toString(), byUs: this.closedByUs, ...(this.failure && { error: this.failure }) });
      this.removeAllListeners();
    });
    // A socket or protocol error is followed by `close`: the stream reports it there.
    socket.on('error', (error) => {
      this.failure ??= error;
    });
  }

  /** Whether the socket is open. */
  get isOpen(): boolean {
    return this.open;
  }

  /** Bytes queued in the socket, not yet written to the network. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** Starts delivering `audio` and `text` events: what was held is emitted first, in order. */
  attach(): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    this.heldBytes = 0;
    for (const m of held) {
      if (m.kind === 'audio') this.emit('audio', m.bytes);
      else this.emit('text', m.text, m.json);
    }
  }

  /**
   * Sends a message to the module unless its socket is backed up past `maxSendBufferBytes` (the
   * module is not reading): then it is dropped and counted. Returns whether it was sent.
   */
  send(data: Buffer | string): boolean {
    if (!this.open) return false;
    if (this.socket.bufferedAmount > this.limits.maxSendBufferBytes) {
      this.stats.sendDropped++;
      return false;
    }
    const binary = typeof data !== 'string';
    this.socket.send(data, { binary });
    this.stats.messagesSent++;
    this.stats.bytesSent += binary ? data.length : Buffer.byteLength(data);
    return true;
  }

  /** Closes the socket (FreeSWITCH then fires its `disconnect` event). Idempotent. */
  close(code = 1000, reason = ''): void {
    if (!this.open || this.closedByUs) return;
    this.closedByUs = true;
    this.socket.close(code, reason);
  }

  /** Drops the connection at once (no close handshake). */
  terminate(): void {
    this.closedByUs = true;
    this.socket.terminate();
  }

  private receive(data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (isBinary) {
      this.stats.binaryMessages++;
      this.stats.audioBytes += bytes.length;
      if (this.held === undefined) return void this.emit('audio', bytes);
      this.hold({ kind: 'audio', bytes }, bytes.length);
      return;
    }
    this.stats.textMessages++;
    const text = bytes.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.stats.malformedJson++;
    }
    // The metadata is the first text, wherever it falls among the first frames.
    if (!this.sawText) {
      this.sawText = true;
      this.metadata = json;
      this.emit('metadata', json, text);
    }
    if (this.held === undefined) return void this.emit('text', text, json);
    this.hold({ kind: 'text', text, json }, 0);
  }

  private hold(message: Held, bytes: number): void {
    const held = this.held!;
    held.push(message);
    this.heldBytes += bytes;
    // Oldest audio goes first: what a late consumer wants is the recent past.
    while (this.heldBytes > this.limits.maxHeldBytes) {
      const i = held.findIndex((m) => m.kind === 'audio');
      if (i === -1) break;
      const dropped = held.splice(i, 1)[0] as { bytes: Buffer };
      this.heldBytes -= dropped.bytes.length;
      this.stats.heldDropped += dropped.bytes.length;
    }
  }
}
