/**
 * The events and measurements of a {@link RealtimeSession} (its options live with it, in
 * `session.ts`: a fallback function is given the session).
 *
 * @module
 */
import type { MediaTransportStats } from '../media/media-transport.js';
import type { ProviderStats, ProviderToolCall, ProviderTranscript } from './provider.js';
import type { TranscriptLine, TurnMetrics } from './session-turns.js';

/** Why a session ended. */
export type EndReason = 'hangup' | 'max-duration' | 'idle' | 'provider-failed' | 'media-failed' | 'tool-hangup' | 'transferred' | 'closed';

/** Measurements of a session (bounded: the latest transcript lines and barge-ins). */
export interface SessionMetrics {
  /** From start to the first assistant frame sent to the caller, ms. */
  timeToFirstAudioMs: number | undefined;
  /** The latest barge-ins: ms from `speechStarted` to the last assistant frame sent (0: none after it). */
  bargeInLatenciesMs: number[];
  /** The latest transcript lines, with ms since start (see `memory.transcriptLines`). */
  transcript: TranscriptLine[];
  /** Transcript lines dropped to keep the limit. */
  transcriptDropped: number;
  /** Answers measured (each one a `metrics` event). */
  turns: number;
  /** Answers the caller interrupted. */
  interruptions: number;
  /** Tokens the vendor reported over the session. */
  usage: { inputTokens: number; outputTokens: number; totalTokens: number };
}

/** Counters of a session and the parts under it. */
export interface SessionStats {
  /** The provider's messages and bytes. */
  provider: Readonly<ProviderStats>;
  /** The media bridge's counters, once started. */
  media: MediaTransportStats | undefined;
  /** Answers measured. */
  turns: number;
  /** Answers the caller interrupted. */
  interruptions: number;
  /** Tool calls running or waiting for the farewell. */
  toolsPending: number;
  /** Caller audio given to the provider: frames, and the messages (`sendAudio` calls) they went in. */
  providerInput: { frames: number; messages: number };
  /** Whether the caller's audio is withheld from the provider ({@link RealtimeSession.mute}). */
  muted: boolean;
}

/** Events of {@link RealtimeSession}. */
export interface RealtimeSessionEvents {
  /** Media and provider are up; the greeting has been requested. */
  started: [];
  /** A final transcript line. */
  transcript: [line: ProviderTranscript];
  /** The caller interrupted; what they had heard of the answer. */
  bargeIn: [info: { playedMs: number; droppedMs: number; latencyMs: number }];
  /** A tool ran. */
  toolResult: [info: { call: ProviderToolCall; result: unknown }];
  /** An answer ended: its measurements. */
  metrics: [turn: TurnMetrics];
  /** No answer came in time: the watchdog asked again (`attempt` 1) or falls back (2). */
  noAnswer: [info: { attempt: number; waitedMs: number }];
  /** A DTMF digit from the caller. */
  dtmf: [digit: string];
  /**
   * Something failed (the session decides whether it can go on). Without a listener it is
   * logged at `error`; a failure of `start()` is not logged here, `start()` rejects with it.
   */
  error: [error: Error];
  /** Everything is released. */
  ended: [info: { reason: EndReason; metrics: SessionMetrics }];
}
