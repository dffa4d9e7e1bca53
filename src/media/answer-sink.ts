/**
 * Where a WebSocket transport's answer audio goes: back over the socket as paced binary frames
 * (jambonz `mod_audio_fork`), or into files FreeSWITCH plays (the modules as installed). Both
 * take PCM16 little-endian at their own rate and account for what the caller has heard.
 *
 * @module
 */
import type { MediaError } from '../errors.js';
import type { PacerStats } from './pacer.js';

/** Events of an {@link AnswerSink}. */
export interface AnswerSinkEvents {
  /** An answer started playing. */
  talkspurtStart: [];
  /** An answer closed with {@link AnswerSink.end} has played completely. */
  drained: [];
  /** Something failed (a file not written, FreeSWITCH refusing a playback); the sink goes on. */
  error: [error: MediaError];
}

/** Counters every sink reports. */
export interface AnswerSinkStats {
  /** 20 ms frames (or their worth in files) sent towards the caller. */
  framesSent: number;
  /** The pacer's counters, when the sink paces frames itself. */
  pacer: PacerStats | undefined;
}

/**
 * The answer side of a WebSocket transport.
 *
 * @events {@link AnswerSinkEvents}
 */
export interface AnswerSink {
  /** Listens to an event. */
  on<K extends keyof AnswerSinkEvents>(event: K, listener: (...args: AnswerSinkEvents[K]) => void): unknown;
  /** Removes a listener. */
  off<K extends keyof AnswerSinkEvents>(event: K, listener?: (...args: AnswerSinkEvents[K]) => void): unknown;
  /** The rate of the PCM16 it takes. */
  readonly sampleRate: number;
  /** PCM16 little-endian at {@link AnswerSink.sampleRate}, whole samples. The bytes may be kept: do not modify them. */
  write(pcm: Uint8Array): void;
  /** The answer is complete. */
  end(): void;
  /** Barge-in: stops what plays and drops what waits. */
  flush(): { droppedMs: number };
  /** One 20 ms clock tick (the transport's). */
  tick(): void;
  /** Ms of the answer played to the caller so far. */
  readonly playedMs: number;
  /** Ms written and not yet played (what a barge-in would drop). */
  readonly queuedMs: number;
  /** Its counters. */
  stats(): AnswerSinkStats;
  /** Stops playing and releases everything (idempotent). */
  close(): void;
}
