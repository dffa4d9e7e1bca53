/**
 * The contract between a call's audio path and what consumes it (the realtime session):
 * caller audio out as events, answer audio in, barge-in, playout accounting. {@link RtpBridge}
 * (FreeSWITCH `unicast` over UDP) and {@link WebSocketMediaTransport} (`mod_audio_stream` /
 * `mod_audio_fork` over WebSocket) both implement it, so a session runs unchanged over either.
 *
 * @module
 */
import type { MediaError } from '../errors.js';
import type { JitterStats } from './jitter-buffer.js';
import type { PacerStats } from './pacer.js';

/** The transports the SDK ships. */
export type MediaTransportKind = 'rtp' | 'websocket';

/** Events of a {@link MediaTransport}. */
export interface MediaTransportEvents {
  /**
   * 20 ms of the caller's audio in the transport's `output` format, every 20 ms once started
   * (silence included): a buffer of the listener's own, never reused, so it may be kept.
   */
  audio: [frame: Uint8Array];
  /** A DTMF digit carried in the media (RFC 4733 over RTP). In-band transports never emit it: use the call's `dtmf`. */
  dtmf: [digit: { digit: string; durationMs: number }];
  /** The first frame of an answer reached the caller (or its playout started). */
  talkspurtStart: [];
  /** The answer closed with {@link MediaTransport.endOfAnswer} has been played out completely. */
  drained: [];
  /** Something failed; the transport keeps running (see `lost` for the end of the audio path). */
  error: [error: MediaError];
  /**
   * The audio path is gone for good while the call goes on (the module's WebSocket closed
   * mid-call): nothing more is heard or played. The consumer should fall back (operator,
   * prompt). Never emitted after {@link MediaTransport.close}.
   */
  lost: [error: MediaError];
}

/** Counters every transport reports (each adds its own). */
export interface MediaTransportStats {
  /** Answer frames sent towards the caller (20 ms each). */
  framesSent: number;
  /** The caller side's jitter buffer. */
  jitter: JitterStats;
  /** The answer side's pacer, when the transport paces frames itself. */
  pacer: PacerStats | undefined;
}

/**
 * One call's audio, whatever carries it.
 *
 * - Caller audio: `audio` events, one 20 ms frame per tick, in the `output` format the
 *   transport was built with (PCM16 at 8/16/24/48 kHz, or G.711 passthrough where the wire
 *   allows).
 * - Answer audio: {@link MediaTransport.write} any amount in the `input` format, then
 *   {@link MediaTransport.endOfAnswer}; `drained` follows once the caller has heard it all.
 * - Barge-in: {@link MediaTransport.flush} drops everything not yet played and says how much
 *   ({@link MediaTransport.playedMs} is what the caller heard of the current answer).
 *
 * @events {@link MediaTransportEvents}
 */
export interface MediaTransport {
  /** Listens to an event. */
  on<K extends keyof MediaTransportEvents>(event: K, listener: (...args: MediaTransportEvents[K]) => void): unknown;
  /** Listens to an event once. */
  once<K extends keyof MediaTransportEvents>(event: K, listener: (...args: MediaTransportEvents[K]) => void): unknown;
  /** Removes a listener. */
  off<K extends keyof MediaTransportEvents>(event: K, listener?: (...args: MediaTransportEvents[K]) => void): unknown;
  /** Which transport this is. */
  readonly kind: MediaTransportKind;
  /** Answer audio, in the transport's `input` format, any amount. */
  write(chunk: Uint8Array): void;
  /** The answer is complete: its last partial frame is padded and played. */
  endOfAnswer(): void;
  /** Barge-in: drops every frame not yet played. */
  flush(): { droppedMs: number };
  /** Ms of the current answer played to the caller. */
  readonly playedMs: number;
  /** Ms of answer audio written and not yet played. */
  readonly queuedMs: number;
  /** Counters. */
  stats(): MediaTransportStats;
  /** Whether {@link MediaTransport.close} ran. */
  readonly isClosed: boolean;
  /** Releases everything (sockets, clock, files). Idempotent. */
  close(): void;
}
