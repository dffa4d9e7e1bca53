/**
 * A jitter buffer for one incoming stream: packets in (any order, any timing), one 20 ms frame
 * out per `pull()`, driven by the media clock. Pure logic with injected time: no timers inside.
 *
 * @module
 */
import { FrameStore } from './frame-store.js';
import { InterarrivalJitter } from './jitter-estimator.js';

/**
 * Options of {@link JitterBuffer}. The delays' defaults are those of `RTP_JITTER_*_MS` unset;
 * `RtpBridge` and the WebSocket transport pass the process defaults ({@link getDefaultConfig}).
 */
export interface JitterBufferOptions {
  /** Smallest playout delay, ms. Default 60. */
  minMs?: number;
  /** Largest playout delay, ms; also bounds memory. Default 200. */
  maxMs?: number;
  /** Starting playout delay, ms. Default 100. */
  targetMs?: number;
  /** Frame duration, ms. Default 20. */
  ptimeMs?: number;
  /** RTP clock rate. Default 8000. */
  clockRate?: number;
  /** One frame of silence in the payload's codec (0xFF × 160 for µ-law, zeros for L16). */
  silence: Uint8Array;
  /**
   * Packet-loss concealment: builds the `n`-th (1-based) replacement after `last`. Default:
   * repeat the last frame for 2 frames, then silence (codec-agnostic; pass {@link pcm16Conceal}
   * for L16 payloads to fade instead).
   */
  conceal?: (last: Uint8Array, n: number) => Uint8Array | undefined;
}

/** An RTP packet's fields, as the header reader gives them. */
export interface JitterPacket {
  /** RTP sequence number. */
  sequenceNumber: number;
  /** RTP timestamp. */
  timestamp: number;
  /** RTP synchronization source. */
  ssrc: number;
  /** RTP marker bit (the start of a talkspurt). */
  marker: boolean;
  /** The payload (copied in: the caller may reuse its buffer). */
  payload: Uint8Array;
  /** Arrival time, ms (monotonic). */
  arrivalMs: number;
}

/** What {@link JitterBuffer.pull} returns. */
export interface JitterFrame {
  /**
   * `audio`: a received frame; `concealed`: made up for a lost one; `silence`: nothing to play;
   * `early`: this slot's frame was already handed out by {@link JitterBuffer.readAhead} (the
   * payload is empty: nothing more to play now). Only a buffer read ahead returns `early`.
   */
  kind: 'audio' | 'concealed' | 'silence' | 'early';
  /**
   * The frame: the buffer's own storage (or the `silence` frame given to it), valid until the
   * next {@link JitterBuffer.pull}: copy it to keep it longer, never modify it.
   */
  payload: Uint8Array;
}

/** Counters of a {@link JitterBuffer}. */
export interface JitterStats {
  /** Packets received. */
  received: number;
  /** Frames never received by their playout time. */
  lost: number;
  /** Packets that arrived after their playout time: dropped. */
  late: number;
  /** Packets received twice: dropped. */
  duplicate: number;
  /** Packets that arrived out of order, in time. */
  reordered: number;
  /** Frames made up for lost ones (packet-loss concealment). */
  concealed: number;
  /** Frames dropped because the buffer was over `maxMs`. */
  overflow: number;
  /** Interarrival jitter (RFC 3550), ms. */
  jitterMs: number;
  /** Current playout delay, ms. */
  delayMs: number;
  /** For RTCP: extended highest sequence number, packets expected and cumulative loss. */
  extendedHighestSeq: number;
  /** Packets expected, from the first sequence number to the extended highest. */
  expected: number;
  /** Packets lost in all (RTCP's cumulative number lost). */
  cumulativeLost: number;
  /** Interarrival jitter in timestamp units (RTCP). */
  jitter: number;
}

/** Concealment for L16 payloads: the last frame again at -6 dB, then at -12 dB, then nothing. */
export function pcm16Conceal(last: Uint8Array, n: number): Uint8Array | undefined {
  if (n > 2) return undefined;
  const out = new Uint8Array(last.length);
  const shift = n;
  for (let i = 0; i + 1 < last.length; i += 2) {
    const s = ((last[i]! | (last[i + 1]! << 8)) << 16) >> 16;
    const v = s >> shift;
    out[i] = v & 0xff;
    out[i + 1] = (v >> 8) & 0xff;
  }
  return out;
}

const repeatConceal = (last: Uint8Array, n: number): Uint8Array | undefined => (n <= 2 ? last : undefined);
const PLAYED_RING = 256;
/** What {@link JitterBuffer.pull} returns for a slot whose frame was read ahead (one object: nothing to keep). */
const EARLY: JitterFrame = Object.freeze({ kind: 'early', payload: new Uint8Array(0) }) as JitterFrame;

/**
 * Orders packets by sequence number (16-bit wraparound), drops duplicates and packets too late
 * to play, conceals losses, and adapts its delay between `minMs` and `maxMs` to the measured
 * interarrival jitter: the delay is re-chosen at each talkspurt start (marker bit, or after
 * silence) and when the buffer runs dry; it shrinks by dropping a frame only while the buffer
 * is over its target for a full second. An SSRC change resets the stream.
 *
 * Raw framing (FreeSWITCH `unicast`: no RTP header) uses {@link JitterBuffer.pushRaw}: frames
 * play in arrival order with the same delay and concealment rules.
 *
 * Payloads are copied in (the caller may reuse its buffers; a datagram is not kept alive), and
 * in steady state the buffer allocates nothing.
 */
export class JitterBuffer {
  private readonly minFrames: number;
  private readonly maxFrames: number;
  private readonly ptimeMs: number;
  private readonly clockRate: number;
  private readonly silence: Uint8Array;
  private readonly conceal: (last: Uint8Array, n: number) => Uint8Array | undefined;
  private readonly frames: FrameStore;
  private readonly played = new Float64Array(PLAYED_RING).fill(-1);
  private readonly jitter = new InterarrivalJitter();
  private targetFrames: number;
  private ssrc: number | undefined;
  private highest = -1;
  private base = -1;
  private next = -1;
  private buffering = true;
  private last: Uint8Array | undefined;
  private concealRun = 0;
  /** Frames handed out by readAhead() whose slots have not come yet. */
  private early = 0;
  private overTarget = 0;
  private rawSeq = 0;
  /**
   * The stream is raw (`unicast`): numbered by arrival, so it has no gaps — a slot whose frame
   * has not come yet is not a lost number, and the frame that comes next is that slot's.
   */
  private raw = false;
  private readonly counts = { received: 0, lost: 0, late: 0, duplicate: 0, reordered: 0, concealed: 0, overflow: 0 };

  constructor(options: JitterBufferOptions) {
    this.ptimeMs = options.ptimeMs ?? 20;
    this.clockRate = options.clockRate ?? 8000;
    const frames = (ms: number): number => Math.max(1, Math.round(ms / this.ptimeMs));
    this.minFrames = frames(options.minMs ?? 60);
    this.maxFrames = Math.max(this.minFrames, frames(options.maxMs ?? 200));
    this.targetFrames = Math.min(this.maxFrames, Math.max(this.minFrames, frames(options.targetMs ?? 100)));
    this.silence = options.silence;
    this.conceal = options.conceal ?? repeatConceal;
    // Room for the most frames bound() lets wait, plus the one being inserted.
    this.frames = new FrameStore(this.maxFrames + 3);
  }

  /** Frames waiting to be played. */
  get depth(): number {
    return this.frames.size;
  }

  /** Frames handed out ahead of their slots by {@link JitterBuffer.readAhead} (their `pull()`s return `early`). */
  get ahead(): number {
    return this.early;
  }

  /** Adds an RTP packet (its payload is copied). */
  push(p: JitterPacket): void {
    this.insert(p.sequenceNumber, p.timestamp, p.ssrc, p.marker, p.payload, p.arrivalMs);
  }

  /** Adds a raw (`unicast`) frame: no sequence number, arrival order (the payload is copied). */
  pushRaw(payload: Uint8Array, arrivalMs: number): void {
    this.raw = true;
    const ts = (this.rawSeq * this.ptimeMs * this.clockRate) / 1000;
    this.insert(this.rawSeq & 0xffff, ts >>> 0, 0, false, payload, arrivalMs);
    this.rawSeq++;
  }

  /** {@link JitterBuffer.push} with the fields apart (the hot path allocates nothing). */
  private insert(sequenceNumber: number, timestamp: number, ssrc: number, marker: boolean, payload: Uint8Array, arrivalMs: number): void {
    if (this.ssrc !== ssrc) {
      if (this.ssrc !== undefined) this.resetStream();
      this.ssrc = ssrc;
    }
    const seq = this.extend(sequenceNumber);
    this.jitter.update(arrivalMs, timestamp, this.clockRate);
    if (this.played[seq % PLAYED_RING] === seq || this.frames.has(seq)) {
      this.counts.duplicate++;
      return;
    }
    if (this.next !== -1 && seq < this.next) {
      this.counts.late++;
      return;
    }
    this.counts.received++;
    if (seq < this.highest) this.counts.reordered++;
    if (seq > this.highest) this.highest = seq;
    if (this.base === -1) this.base = seq;
    if (this.next === -1) this.next = seq;
    // A talkspurt starts (marker) while nothing is waiting: re-anchor on it with a fresh delay.
    if (marker && this.frames.size === 0 && !this.buffering) this.rebuffer();
    this.frames.insert(seq, payload);
    this.bound();
  }

  /**
   * The next frame before its time, if it has arrived and follows the last one handed out
   * without a gap; `undefined` otherwise (nothing is concealed here). For a consumer that needs
   * order and loss handling but no playout timing — an AI provider's input — which then gets
   * frames as soon as they are in order instead of one per period. Each frame taken counts as
   * owed: the `pull()` of its slot returns `early`, so the buffer's delay, adaptation and late
   * detection are those of a buffer pulled once per period. The payload is the buffer's own,
   * valid until the next `pull()` or `readAhead()`.
   */
  readAhead(): Uint8Array | undefined {
    if (this.buffering || this.frames.oldest !== this.next) return undefined;
    const payload = this.frames.shift(this.last);
    this.markPlayed(this.next++);
    this.last = payload;
    this.concealRun = 0;
    this.early++;
    return payload;
  }

  /** The frame to play now (call once per frame period). */
  pull(): JitterFrame {
    if (this.early > 0) {
      this.early--;
      this.shrinkIfOver();
      return EARLY;
    }
    if (this.buffering) {
      if (this.frames.size < this.targetFrames) return this.concealOne();
      this.buffering = false;
      // Play from the oldest frame held: packets skipped while re-anchoring are not losses.
      const oldest = this.frames.oldest;
      if (oldest > this.next) this.next = oldest;
    }
    // Every frame held is at or after `next`: the one due is the oldest, if it came.
    if (this.frames.oldest === this.next) {
      // The previous frame's buffer goes back to the store; this one is kept for concealment.
      const payload = this.frames.shift(this.last);
      this.markPlayed(this.next++);
      this.last = payload;
      this.concealRun = 0;
      this.shrinkIfOver();
      return { kind: 'audio', payload };
    }
    if (this.frames.size > 0) {
      // A gap with later frames waiting: that packet is lost (if it still comes, it is late).
      this.counts.lost++;
      this.next++;
      return this.concealOne();
    }
    // Ran dry: the delay was too short for this network (or the talkspurt ended). Re-choose it
    // from the measured jitter and buffer again; what arrives for slots already due is late.
    // Raw frames are numbered as they arrive: the next one is this slot's, delayed, not late.
    if (!this.raw) this.next++;
    this.rebuffer();
    return this.concealOne();
  }

  /** Counters and delay. */
  stats(): JitterStats {
    const expected = this.base === -1 ? 0 : this.highest - this.base + 1;
    return {
      ...this.counts,
      jitterMs: (this.jitter.value * 1000) / this.clockRate,
      delayMs: this.targetFrames * this.ptimeMs,
      extendedHighestSeq: Math.max(0, this.highest),
      expected,
      cumulativeLost: Math.max(0, expected - this.counts.received),
      jitter: this.jitter.value,
    };
  }

  /** Forgets everything buffered (counters are kept). */
  reset(): void {
    this.resetStream();
    this.ssrc = undefined;
  }

  private resetStream(): void {
    this.frames.clear();
    this.played.fill(-1);
    this.jitter.reset();
    this.highest = -1;
    this.base = -1;
    this.next = -1;
    this.buffering = true;
    this.last = undefined;
    this.concealRun = 0;
    this.early = 0;
  }

  /** Sequence number → extended (cycles × 65536 + seq), relative to the highest seen. */
  private extend(seq: number): number {
    if (this.highest === -1) return seq + 65536; // room to go back across a wrap
    const delta = ((seq - (this.highest & 0xffff) + 32768) & 0xffff) - 32768;
    return this.highest + delta;
  }

  private markPlayed(seq: number): void {
    this.played[seq % PLAYED_RING] = seq;
  }

  private concealOne(): JitterFrame {
    this.concealRun++;
    const made = this.last === undefined ? undefined : this.conceal(this.last, this.concealRun);
    if (made === undefined) return { kind: 'silence', payload: this.silence };
    this.counts.concealed++;
    return { kind: 'concealed', payload: made };
  }

  /** Re-chooses the delay from the measured jitter and buffers again before playing. */
  private rebuffer(): void {
    this.targetFrames = this.wantedFrames();
    this.buffering = true;
  }

  /** The delay the measured jitter calls for: one frame plus four times the jitter, within min..max. */
  private wantedFrames(): number {
    const jitterMs = (this.jitter.value * 1000) / this.clockRate;
    const wanted = Math.ceil((this.ptimeMs + 4 * jitterMs) / this.ptimeMs);
    return Math.min(this.maxFrames, Math.max(this.minFrames, wanted));
  }

  /**
   * Shrinks the delay once the network calms: while more frames wait than the jitter calls for,
   * for a full second, one frame is dropped and the target lowered by one.
   */
  private shrinkIfOver(): void {
    const wanted = this.wantedFrames();
    // Frames read ahead still count as waiting: the delay is the same with or without readAhead().
    if (this.frames.size + this.early > wanted) {
      if (++this.overTarget >= 1000 / this.ptimeMs) {
        this.overTarget = 0;
        // A frame read ahead has gone out already: its slot is given up instead of a waiting frame.
        if (this.early > 0) this.early--;
        else this.dropOldest();
        this.targetFrames = Math.max(wanted, this.targetFrames - 1);
      }
    } else {
      this.overTarget = 0;
    }
  }

  /** Memory bound: never more than `maxFrames` (+2) waiting. */
  private bound(): void {
    while (this.frames.size > this.maxFrames + 2) {
      this.counts.overflow++;
      this.dropOldest();
    }
  }

  private dropOldest(): void {
    const oldest = this.frames.oldest;
    if (oldest === Infinity) return;
    this.frames.dropOldest();
    if (this.next <= oldest) this.next = oldest + 1;
  }
}
