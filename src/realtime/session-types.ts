/**
 * The options, events and measurements of a {@link RealtimeSession}.
 *
 * @module
 */
import type { OutboundCall } from '../esl/outbound-call.js';
import type { Logger } from '../logger.js';
import type { CallTransportOptions } from '../media/call-media.js';
import type { MediaTransport, MediaTransportStats } from '../media/media-transport.js';
import type { BargeInPolicy } from './barge-in.js';
import type { ProviderStats, ProviderToolCall, ProviderTranscript, RealtimeProvider } from './provider.js';
import type { EnergyVadOptions } from './providers/energy-vad.js';
import type { RealtimeSession } from './session.js';
import type { SessionMemoryLimits, TranscriptLine, TurnMetrics } from './session-turns.js';
import type { AfterSpeechTiming } from './session-tools.js';
import type { WatchdogOptions } from './session-watchdog.js';
import type { Tool, ToolRegistry } from './tools.js';

/** What to do when the provider fails or disconnects mid-call. */
export type Fallback =
  | { transfer: string; context?: string }
  | { playback: string; hangupCause?: string }
  | ((session: RealtimeSession, reason: Error) => Promise<void> | void);

/** Options of {@link RealtimeSession}. */
export interface RealtimeSessionOptions {
  /** The call (from the outbound server). */
  call: OutboundCall;
  /** The speech-to-speech AI. */
  provider: RealtimeProvider;
  /** The system prompt. */
  instructions: string;
  voice?: string;
  language?: string;
  /** Tools the model may call. */
  tools?: ToolRegistry | readonly Tool<never>[];
  /** Sent as a user turn right after connecting, so the assistant greets the caller first. */
  greeting?: string;
  /** Hang up after this long, ms. Default: no limit. */
  maxDurationMs?: number;
  /** Hang up after this long without audio from either side, ms. Default 60 000. */
  idleTimeoutMs?: number;
  /** When the provider fails. Default: hang up with `NORMAL_TEMPORARY_FAILURE`. */
  fallback?: Fallback;
  /** Barge-in policy. */
  bargeIn?: BargeInPolicy;
  /** No answer after the caller's turn: ask again once, then fall back. `false` turns it off. */
  watchdog?: WatchdogOptions | false;
  /** When side-effect tools (`hangup_call`, `transfer_call`) act after the farewell. */
  afterSpeech?: AfterSpeechTiming;
  /** What the session keeps in memory (bounded, for calls of any length). */
  memory?: SessionMemoryLimits;
  /** The session's own voice detector, used when the provider has no turn detection. */
  vad?: EnergyVadOptions;
  /** The call's audio, already started; default: {@link startCallMediaFor} with `media` (`AUDIO_MODE` picks the transport). */
  bridge?: MediaTransport;
  media?: CallTransportOptions;
  logger?: Logger;
}

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
  turns: number;
  interruptions: number;
  /** Tool calls running or waiting for the farewell. */
  toolsPending: number;
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
