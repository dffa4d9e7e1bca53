/**
 * Sends provider audio into a call at exactly one frame per datagram per frame period.
 * FreeSWITCH neither paces nor buffers what it receives: a burst sits in its socket buffer out of
 * reach of barge-in (or plays at once with `rtp_use_timer_name=none`), so the pacing is ours.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { MediaError } from '../errors.js';
import { LATE_FRAME_MS, type MediaClock, getMediaClock } from './media-clock.js';

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
  /**
   * The clock (default: the process-wide one). `'manual'`: the owner calls {@link Pacer.tick}
   * once per frame period from a tick handler of its own (one subscription per call instead of
   * two: the bridge does this).
   */
  clock?: MediaClock | 'manual';
  /**
   * The clock whose ticks this pacer's frames are due on: each frame's departure is timed
   * against its slot ({@link MediaClock.markFrameSent}, one clock read per frame). Default:
   * `clock`, or none with `'manual'` (the owner names its clock here).
   */
  timing?: MediaClock;
}

/** Events of a {@link Pacer}. */
export interface PacerEvents {
  /** The first frame after silence went out (an answer starts, or resumes after an underrun): the RTP marker. */
  talkspurtStart: [];
  /** An answer ended with {@link Pacer.end} has been sent completely. */
  drained: [];
  /** The queue ran dry in the middle of an answer (the provider is slower than real time). */
  underrun: [];
}

/** Counters of a {@link Pacer}. */
export interface PacerStats {
  /** Frames sent. */
  framesSent: number;
  /** Bytes not queued because the queue was full (a flush is counted in `flushes`, not here). */
  bytesDropped: number;
  /** Flushes (barge-ins). */
  flushes: number;
  /** Gaps in the middle of an answer (each counted once, however long). */
  underruns: number;
  /** Frames that left more than 5 ms after their 20 ms slot (timed on the `timing` clock). */
  lateFrames: number;
}

/** Queue storage to start with, ms of audio (it doubles as answers need, up to `maxQueueMs`). */
const INITIAL_QUEUE_MS = 1000;

/**
 * One call's outgoing audio: {@link Pacer.write} any amount at any time; one frame leaves per
 * clock tick. {@link Pacer.end} closes an answer: its last frame is padded with silence, so the
 * next answer starts on a frame of its own. {@link Pacer.flush} (barge-in) drops everything
 * queued before the next tick; {@link Pacer.playedMs} is exactly how much of the current answer
 * the caller has been sent (padding excluded).
 *
 * When nothing is queued, nothing is sent (FreeSWITCH plays silence on its own).
 */
export class Pacer extends EventEmitter<PacerEvents> {
  /** Its counters, live. */
  readonly stats: PacerStats = { framesSent: 0, bytesDropped: 0, flushes: 0, underruns: 0, lateFrames: 0 };
  private readonly frameBytes: number;
  private readonly frameMs: number;
  private readonly maxBytes: number;
  private readonly silenceByte: number;
  private readonly send: (frame: Buffer) => void;
  private readonly timing: MediaClock | undefined;
  /**
   * The queued audio (and padding), in a ring the pacer owns: what is written is copied in, so
   * a provider's chunk dies young instead of living (and being copied by every young-generation
   * collection, then promoted) for the seconds an answer delivered faster than real time waits.
   */
  private ring: Uint8Array = new Uint8Array(0);
  /** Byte positions since the last flush: the next byte to send, the next byte to fill. */
  private readPos = 0;
  private writePos = 0;
  /** Where each answer closed by `end()` and not yet sent ends, and the silence padding its last frame, oldest first. */
  private ends: { at: number; padding: number }[] = [];
  /** Bytes written since the last frame boundary (to pad an answer's end). */
  private unaligned = 0;
  /** An answer is being sent (frames went out and it has not ended). */
  private talking = false;
  /** A frame must carry the talkspurt marker (start, or resume after a gap). */
  private resume = true;
  private inGap = false;
  private playedBytes = 0;
  private readonly unsubscribe: () => void;

  constructor(options: PacerOptions) {
    super();
    if (!(Number.isInteger(options.frameBytes) && options.frameBytes > 0)) throw new MediaError(`frameBytes must be a positive integer, not ${options.frameBytes}`);
    this.frameBytes = options.frameBytes;
    this.frameMs = options.frameMs ?? 20;
    this.send = options.send;
    this.silenceByte = options.silenceByte ?? 0;
    this.maxBytes = Math.ceil(((options.maxQueueMs ?? 120_000) / this.frameMs) * this.frameBytes);
    const clock = options.clock ?? getMediaClock();
    this.timing = options.timing ?? (clock === 'manual' ? undefined : clock);
    this.unsubscribe = clock === 'manual' ? () => {} : clock.subscribe(() => this.tick());
  }

  /** Audio and padding bytes waiting. */
  private get queued(): number {
    return this.writePos - this.readPos;
  }

  /** Ms of audio waiting. */
  get queuedMs(): number {
    return (this.queued / this.frameBytes) * this.frameMs;
  }

  /** Ms of the current answer sent so far (silence padding excluded). */
  get playedMs(): number {
    return (this.playedBytes / this.frameBytes) * this.frameMs;
  }

  /** Whether an answer is being sent. */
  get isTalking(): boolean {
    return this.talking;
  }

  /** Queues audio (any size). The bytes are copied: the chunk may be reused at once. */
  write(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const room = this.maxBytes - this.queued;
    if (chunk.length > room) {
      this.stats.bytesDropped += chunk.length - Math.max(0, room);
      if (room <= 0) return;
      chunk = chunk.subarray(0, room);
    }
    this.push(chunk, chunk.length);
  }

  /** The answer is complete: its last partial frame is padded with silence; `drained` follows once it is out. */
  end(): void {
    const padding = this.unaligned > 0 ? this.frameBytes - this.unaligned : 0;
    if (padding > 0) this.push(undefined, padding);
    if (this.queued === 0) {
      if (this.talking) this.finish();
      return;
    }
    this.ends.push({ at: this.writePos, padding });
  }

  /** Barge-in: drops everything queued, effective before the next tick. */
  flush(): { droppedMs: number; playedMs: number } {
    const result = { droppedMs: this.queuedMs, playedMs: this.playedMs };
    this.readPos = 0;
    this.writePos = 0;
    this.ends = [];
    this.unaligned = 0;
    this.stats.flushes++;
    this.talking = false;
    this.resume = true;
    this.inGap = false;
    return result;
  }

  /** Starts {@link Pacer.playedMs} from zero. */
  resetPlayed(): void {
    this.playedBytes = 0;
  }

  /** Stops: leaves the clock and drops what is queued. */
  close(): void {
    this.unsubscribe();
    this.readPos = 0;
    this.writePos = 0;
    this.ends = [];
    this.ring = new Uint8Array(0);
    this.removeAllListeners();
  }

  /** Appends `length` bytes: `bytes`, or silence padding when `undefined`. */
  private push(bytes: Uint8Array | undefined, length: number): void {
    if (!this.talking && this.queued === 0 && this.ends.length === 0) this.playedBytes = 0;
    if (this.queued + length > this.ring.length) this.grow(this.queued + length);
    const cap = this.ring.length;
    const at = this.writePos % cap;
    const first = Math.min(length, cap - at);
    if (bytes === undefined) {
      this.ring.fill(this.silenceByte, at, at + first);
      if (first < length) this.ring.fill(this.silenceByte, 0, length - first);
    } else {
      this.ring.set(first === length ? bytes : bytes.subarray(0, first), at);
      if (first < length) this.ring.set(bytes.subarray(first), 0);
    }
    this.writePos += length;
    this.unaligned = (this.unaligned + length) % this.frameBytes;
  }

  /** A larger ring (doubling, whole frames) holding what is queued at the same positions. */
  private grow(needed: number): void {
    const frames = Math.ceil(INITIAL_QUEUE_MS / this.frameMs);
    let cap = Math.max(this.ring.length, frames * this.frameBytes);
    while (cap < needed) cap *= 2;
    const next = new Uint8Array(cap);
    for (let pos = this.readPos; pos < this.writePos; ) {
      const from = pos % this.ring.length;
      const n = Math.min(this.writePos - pos, this.ring.length - from, cap - (pos % cap));
      next.set(this.ring.subarray(from, from + n), pos % cap);
      pos += n;
    }
    this.ring = next;
  }

  /** Sends the next frame, if a whole one is queued. The clock calls it, or the owner with `clock: 'manual'`. */
  tick(): void {
    if (this.queued < this.frameBytes) {
      // Nothing (or only part of a frame) to send: a gap, unless the answer has ended.
      if (this.talking && !this.inGap) {
        this.inGap = true;
        this.resume = true;
        this.stats.underruns++;
        this.emit('underrun');
      }
      return;
    }
    const frame = this.take();
    this.inGap = false;
    if (this.resume) {
      this.resume = false;
      this.emit('talkspurtStart');
    }
    this.talking = true;
    this.stats.framesSent++;
    this.send(frame);
    // How long after its slot the frame left, by the clock's own threshold.
    if (this.timing !== undefined && this.timing.markFrameSent() > LATE_FRAME_MS) this.stats.lateFrames++;
    this.passEnds();
  }

  /**
   * One frame out of the queue, in a buffer of its own (pooled: as cheap as a view, and never
   * reused). An answer boundary is crossed only between frames: an answer's padding is the end
   * of its last frame, never counted as played.
   */
  private take(): Buffer {
    const bytes = this.frameBytes;
    const frame = Buffer.allocUnsafe(bytes);
    const cap = this.ring.length;
    const at = this.readPos % cap;
    const first = Math.min(bytes, cap - at);
    frame.set(this.ring.subarray(at, at + first), 0);
    if (first < bytes) frame.set(this.ring.subarray(0, bytes - first), first);
    this.readPos += bytes;
    const end = this.ends[0];
    this.playedBytes += end !== undefined && end.at === this.readPos ? bytes - end.padding : bytes;
    return frame;
  }

  /** After a frame: an answer whose last frame just left is complete. */
  private passEnds(): void {
    while (this.ends.length > 0 && this.ends[0]!.at <= this.readPos) {
      this.ends.shift();
      this.finish();
      // The next answer is already queued: its played time starts now.
      if (this.queued > 0) this.playedBytes = 0;
    }
    if (this.queued === 0 && this.ends.length === 0) {
      // Empty: start again at the ring's beginning (positions stay small).
      this.readPos = 0;
      this.writePos = 0;
    }
  }

  private finish(): void {
    this.talking = false;
    this.resume = true;
    this.inGap = false;
    this.emit('drained');
  }
}
