/**
 * The provider-neutral contract between a call and a speech-to-speech AI. A provider for any
 * vendor fits in one file: extend {@link RealtimeProvider}, declare formats and capabilities,
 * implement the six methods, emit the events.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import type { ProviderError } from '../errors.js';
import type { AudioFormat } from './audio-format.js';

/**
 * What a provider can do, so the session adapts to it instead of assuming one vendor (the idea
 * of LiveKit Agents' `RealtimeCapabilities`).
 */
export interface RealtimeCapabilities {
  /** It can cut its last answer to what the caller heard (`interrupt({ playedMs })` is exact). */
  readonly truncation: boolean;
  /** It detects the caller's turns itself (server VAD) and emits `speechStarted` / `speechStopped`. */
  readonly turnDetection: boolean;
  /** It transcribes the caller (`transcript` events with `role: 'user'`). */
  readonly userTranscription: boolean;
  /** A tool result makes it answer by itself; otherwise the provider asks for the next answer. */
  readonly autoToolReply: boolean;
}

/** A JSON Schema object describing a tool's parameters. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly description?: string;
  readonly enum?: readonly unknown[];
  readonly items?: JsonSchema;
  readonly [keyword: string]: unknown;
}

/** A tool the model may call. */
export interface ToolDefinition {
  /** `^[a-zA-Z0-9_-]{1,64}$`, e.g. `transfer_call`. */
  readonly name: string;
  /** What it does and when to use it: the model reads this. */
  readonly description: string;
  /** Its arguments, as a JSON Schema object. */
  readonly parameters: JsonSchema;
}

/** Options of {@link RealtimeProvider.connect}. */
export interface ProviderConnectOptions {
  /** The system prompt. */
  readonly instructions: string;
  /** A vendor voice name. */
  readonly voice?: string;
  /** BCP 47 language of the conversation, e.g. `pt-BR`. */
  readonly language?: string;
  /** Tools the model may call. */
  readonly tools?: readonly ToolDefinition[];
  /** The format the caller's audio is in; the provider picks the closest it accepts (see `chooseFormat`). */
  readonly callFormat?: AudioFormat;
  /** Aborts connecting. */
  readonly signal?: AbortSignal;
}

/** A chunk of the assistant's audio, in {@link RealtimeProvider.outputFormat}. */
export interface ProviderAudio {
  readonly data: Uint8Array;
  /** The answer it belongs to. */
  readonly responseId?: string;
  /** The conversation item it belongs to (what `interrupt` truncates). */
  readonly itemId?: string;
}

/** A transcript, partial (`final: false`, a delta) or final (the whole text). */
export interface ProviderTranscript {
  readonly role: 'user' | 'assistant';
  readonly text: string;
  readonly final: boolean;
  readonly itemId?: string;
}

/** The model calls a tool. `args` is the parsed JSON (`{}` when it sent none). */
export interface ProviderToolCall {
  readonly id: string;
  readonly name: string;
  readonly args: Record<string, unknown>;
  readonly responseId?: string;
}

/** Events of a {@link RealtimeProvider}. */
export interface RealtimeProviderEvents {
  /** Assistant audio. */
  audio: [chunk: ProviderAudio];
  /** The caller started speaking (server VAD): the barge-in signal. */
  speechStarted: [info: { readonly audioStartMs?: number }];
  /** The caller stopped speaking. */
  speechStopped: [info: { readonly audioEndMs?: number }];
  /** A transcript of either side. */
  transcript: [transcript: ProviderTranscript];
  /** The model calls a tool; answer with {@link RealtimeProvider.sendToolResult}. */
  toolCall: [call: ProviderToolCall];
  /** An answer is complete (or was cancelled). */
  responseDone: [info: { readonly responseId?: string; readonly status?: string }];
  /** Something failed; `fatal` errors are followed by `close`. */
  error: [error: ProviderError];
  /** The provider's connection is gone; the session may fall back. */
  close: [info: { readonly code?: number; readonly reason?: string; readonly error?: ProviderError }];
}

/**
 * A speech-to-speech AI, seen from a call. Subclasses keep the vendor's session duties inside:
 * keep-alives, session resumption, and never a second answer request while one is active
 * (tool results and greetings are sequenced by the provider).
 */
export abstract class RealtimeProvider extends EventEmitter<RealtimeProviderEvents> {
  /** A short vendor name for logs and metrics, e.g. `openai`. */
  abstract readonly name: string;
  /** What this provider can do. */
  abstract readonly capabilities: RealtimeCapabilities;
  /** Formats it accepts for the caller's audio, in order of preference. */
  abstract readonly inputFormats: readonly AudioFormat[];
  /** Formats it can answer in, in order of preference. */
  abstract readonly outputFormats: readonly AudioFormat[];

  /**
   * The formats actually in effect, known after {@link RealtimeProvider.connect} resolves (a
   * vendor may fall back silently; a mismatch is heard as static, so providers report what the
   * vendor confirmed).
   */
  abstract readonly inputFormat: AudioFormat | undefined;
  abstract readonly outputFormat: AudioFormat | undefined;

  /** Opens the session. Rejects with `ProviderError` (or the signal's reason). */
  abstract connect(options: ProviderConnectOptions): Promise<void>;

  /** Sends caller audio, in {@link RealtimeProvider.inputFormat}, any size (usually one 20 ms frame). */
  abstract sendAudio(frame: Uint8Array): void;

  /** Answers a tool call. `result` is serialised as JSON; errors should be `{ error: '...' }`. */
  abstract sendToolResult(callId: string, result: unknown): void;

  /**
   * The caller barged in: stop answering and, when the provider supports truncation, cut the
   * last answer to the `playedMs` the caller actually heard.
   */
  abstract interrupt(options: { playedMs: number }): void;

  /** Sends a text turn as the user would (e.g. "greet the caller"), which triggers an answer. */
  abstract sendText(text: string): void;

  /** Closes the session; emits `close`. */
  abstract close(): Promise<void>;
}
