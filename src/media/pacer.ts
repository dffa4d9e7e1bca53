/**
 * Sends provider audio into a call at exactly one frame per datagram per frame period.
 * FreeSWITCH neither paces nor buffers what it receives: a burst sits in its socket buffer out of
 * reach of barge-in (or plays at once with `rtp_use_timer_name=none`), so the pacing is ours.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { MediaError } from '../errors.js';
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

/** Silence added to close an answer's last frame: sent, never counted as played. */
class Padding {
  constructor(readonly length: number) {}
}

/** Where one answer ends in the queue (always on a frame boundary). */
const END_OF_ANSWER = Symbol('end of answer');

type Item = Uint8Array | Padding | typeof END_OF_ANSWER;

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
  private items: Item[] = [];
  private head = 0;
  private offset = 0;
  /** Audio and padding bytes waiting. */
  private queued = 0;
  /** Bytes written since the last frame boundary (to pad an answer's end). */
  private unaligned = 0;
  /** Answers closed by `end()` and not yet fully sent. */
  private pendingEnds = 0;
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

  /** Queues audio (any size). The bytes are not copied: do not modify them afterwards. */
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
    if (this.unaligned > 0) this.push(new Padding(this.frameBytes - this.unaligned), this.frameBytes - this.unaligned);
    if (this.queued === 0) {
      if (this.talking) this.finish();
      return;
    }
    this.items.push(END_OF_ANSWER);
    this.pendingEnds++;
  }

  /** Barge-in: drops everything queued, effective before the next tick. */
  flush(): { droppedMs: number; playedMs: number } {
    const result = { droppedMs: this.queuedMs, playedMs: this.playedMs };
    this.items = [];
    this.head = 0;
    this.offset = 0;
    this.queued = 0;
    this.unaligned = 0;
    this.pendingEnds = 0;
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
    this.items = [];
    this.queued = 0;
    this.removeAllListeners();
  }

  private push(item: Uint8Array | Padding, length: number): void {
    if (!this.talking && this.queued === 0 && this.pendingEnds === 0) this.playedBytes = 0;
    this.items.push(item);
    this.queued += length;
    this.unaligned = (this.unaligned + length) % this.frameBytes;
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
    // How long after its slot the frame left (5 ms: the clock's `lateFrames` threshold too).
    if (this.timing !== undefined && this.timing.markFrameSent() > 5) this.stats.lateFrames++;
    this.passEnds();
  }

  /**
   * One frame out of the queue: a view of the written bytes when the frame lies inside one
   * chunk (no copy), otherwise a fresh buffer. An answer boundary is crossed only between frames.
   */
  private take(): Buffer {
    const first = this.items[this.head]!;
    let frame: Buffer;
    if (first instanceof Uint8Array && first.length - this.offset >= this.frameBytes) {
      // A chunk of exactly one frame that is a Buffer already goes out as it is.
      frame =
        this.offset === 0 && first.length === this.frameBytes && Buffer.isBuffer(first)
          ? first
          : Buffer.from(first.buffer, first.byteOffset + this.offset, this.frameBytes);
      this.playedBytes += this.frameBytes;
      this.advance(first, this.frameBytes);
    } else {
      frame = this.gather();
    }
    this.queued -= this.frameBytes;
    this.compact();
    return frame;
  }

  /** A frame assembled from several items (and padding) into a fresh buffer. */
  private gather(): Buffer {
    const frame = Buffer.allocUnsafe(this.frameBytes);
    let filled = 0;
    while (filled < this.frameBytes) {
      const item = this.items[this.head]!;
      if (item === END_OF_ANSWER) {
        // Boundaries sit on frame edges, so filled is 0 here: the next answer starts this frame.
        this.head++;
        this.pendingEnds--;
        this.finish();
        this.playedBytes = 0;
        continue;
      }
      const n = Math.min(this.frameBytes - filled, item.length - this.offset);
      if (item instanceof Padding) frame.fill(this.silenceByte, filled, filled + n);
      else {
        frame.set(item.subarray(this.offset, this.offset + n), filled);
        this.playedBytes += n;
      }
      filled += n;
      this.advance(item, n);
    }
    return frame;
  }

  /** `n` more bytes of the head item used; past its end, the next item is the head. */
  private advance(item: { length: number }, n: number): void {
    this.offset += n;
    if (this.offset === item.length) {
      this.head++;
      this.offset = 0;
    }
  }

  /** After a frame: an answer whose last frame just left is complete. */
  private passEnds(): void {
    while (this.items[this.head] === END_OF_ANSWER) {
      this.head++;
      this.pendingEnds--;
      this.finish();
      // The next answer is already queued: its played time starts now.
      if (this.head < this.items.length) this.playedBytes = 0;
    }
    this.compact();
  }

  private compact(): void {
    if (this.head === this.items.length) {
      // Emptied in place: a call's queue empties every frame, and a new array each time is garbage.
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 64) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  private finish(): void {
    this.talking = false;
    this.resume = true;
    this.inGap = false;
    this.emit('drained');
  }
}
