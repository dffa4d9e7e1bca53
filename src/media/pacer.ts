/**
 * Sends provider audio into a call at exactly one frame per datagram per frame period.
 * FreeSWITCH neither paces nor buffers what it receives: a burst sits in its socket buffer out of
 * reach of barge-in (or plays at once with `rtp_use_timer_name=none`), so the pacing is ours.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { type MediaClock, getMediaClock } from './media-clock.js';

/** Options of {@link Pacer}. */
export interface PacerOptions {
  /** Bytes per frame: 160 (G.711, 20 ms), 320 (L16 8 kHz), 640 (L16 16 kHz). */
  frameBytes: number;
  /** Frame duration, ms. Default 20. */
  frameMs?: number;
  /**
   * Receives each frame: a `Buffer` of exactly `frameBytes`, never reused, so it may be handed
   * to an asynchronous `socket.send`. Never called with an empty or short frame.
   */
  send: (frame: Buffer) => void;
  /** The byte that pads the last frame of an answer: 0xFF (µ-law), 0xD5 (A-law), 0 (L16). */
  silenceByte?: number;
  /** Most audio queued; beyond it the newest bytes are dropped and counted. Default 120 000 ms. */
  maxQueueMs?: number;
  /** The clock (default: the process-wide one). */
  clock?: MediaClock;
}

/** Events of a {@link Pacer}. */
export interface PacerEvents {
  /** The first frame after idle went out (an RTP sender sets the marker bit). */
  talkspurtStart: [];
  /** Everything queued has been sent after {@link Pacer.end}. */
  drained: [];
  /** The queue ran dry in the middle of an answer (the provider is slower than real time). */
  underrun: [];
}

/** Counters of a {@link Pacer}. */
export interface PacerStats {
  framesSent: number;
  bytesDropped: number;
  flushes: number;
  underruns: number;
}

/**
 * One call's outgoing audio: {@link Pacer.write} any amount at any time; one frame leaves per
 * clock tick. {@link Pacer.flush} (barge-in) drops everything queued before the next tick;
 * {@link Pacer.playedMs} says how much of the answer the caller has actually heard.
 *
 * When nothing is queued, nothing is sent (FreeSWITCH plays silence on its own).
 */
export class Pacer extends EventEmitter<PacerEvents> {
  readonly stats: PacerStats = { framesSent: 0, bytesDropped: 0, flushes: 0, underruns: 0 };
  private readonly frameBytes: number;
  private readonly frameMs: number;
  private readonly maxBytes: number;
  private readonly silenceByte: number;
  private readonly send: (frame: Buffer) => void;
  private chunks: Uint8Array[] = [];
  private head = 0;
  private offset = 0;
  private queued = 0;
  private ended = false;
  private talking = false;
  private played = 0;
  private readonly unsubscribe: () => void;

  constructor(options: PacerOptions) {
    super();
    if (!(options.frameBytes > 0)) throw new RangeError('frameBytes must be positive');
    this.frameBytes = options.frameBytes;
    this.frameMs = options.frameMs ?? 20;
    this.send = options.send;
    this.silenceByte = options.silenceByte ?? 0;
    this.maxBytes = Math.ceil(((options.maxQueueMs ?? 120_000) / this.frameMs) * this.frameBytes);
    this.unsubscribe = (options.clock ?? getMediaClock()).subscribe(() => this.tick());
  }

  /** Ms of audio waiting. */
  get queuedMs(): number {
    return (this.queued / this.frameBytes) * this.frameMs;
  }

  /** Ms sent since the answer started (or since {@link Pacer.resetPlayed}). */
  get playedMs(): number {
    return this.played * this.frameMs;
  }

  /** Whether an answer is being sent. */
  get isTalking(): boolean {
    return this.talking;
  }

  /** Queues audio (any size). The bytes are not copied: do not modify them afterwards. */
  write(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const room = this.maxBytes - this.queued;
    if (chunk.length > room) {
      this.stats.bytesDropped += chunk.length - Math.max(0, room);
      if (room <= 0) return;
      chunk = chunk.subarray(0, room);
    }
    if (!this.talking && this.queued === 0) this.played = 0;
    this.ended = false;
    this.chunks.push(chunk);
    this.queued += chunk.length;
  }

  /** The answer is complete: the last partial frame is padded with silence and sent. */
  end(): void {
    this.ended = true;
    if (this.queued === 0 && this.talking) this.finish();
  }

  /** Barge-in: drops everything queued, effective before the next tick. Returns the ms dropped. */
  flush(): { droppedMs: number } {
    const droppedMs = this.queuedMs;
    this.chunks = [];
    this.head = 0;
    this.offset = 0;
    this.queued = 0;
    this.stats.flushes++;
    this.talking = false;
    this.ended = false;
    return { droppedMs };
  }

  /** Starts {@link Pacer.playedMs} from zero. */
  resetPlayed(): void {
    this.played = 0;
  }

  /** Stops: leaves the clock and drops what is queued. */
  close(): void {
    this.unsubscribe();
    this.chunks = [];
    this.queued = 0;
    this.removeAllListeners();
  }

  private tick(): void {
    if (this.queued === 0) {
      if (this.talking && !this.ended) {
        this.stats.underruns++;
        this.emit('underrun');
      }
      return;
    }
    if (this.queued < this.frameBytes && !this.ended) return; // wait for the rest of the frame
    const frame = this.take();
    if (!this.talking) {
      this.talking = true;
      this.emit('talkspurtStart');
    }
    this.played++;
    this.stats.framesSent++;
    this.send(frame);
    if (this.queued === 0 && this.ended) this.finish();
  }

  /** Copies one frame out of the queue into a fresh buffer (padded with silence at the very end). */
  private take(): Buffer {
    const frame = Buffer.allocUnsafe(this.frameBytes);
    let filled = 0;
    while (filled < this.frameBytes && this.head < this.chunks.length) {
      const chunk = this.chunks[this.head]!;
      const n = Math.min(this.frameBytes - filled, chunk.length - this.offset);
      frame.set(chunk.subarray(this.offset, this.offset + n), filled);
      filled += n;
      this.offset += n;
      if (this.offset === chunk.length) {
        this.head++;
        this.offset = 0;
      }
    }
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head > 64) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    this.queued -= filled;
    if (filled < this.frameBytes) frame.fill(this.silenceByte, filled);
    return frame;
  }

  private finish(): void {
    this.talking = false;
    this.ended = false;
    this.emit('drained');
  }
}
