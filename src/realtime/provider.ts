/**
 * The provider-neutral contract between a call and a speech-to-speech AI. A provider for any
 * vendor fits in one file: extend {@link RealtimeProvider}, declare formats and capabilities,
 * implement the six abstract methods, emit the events. Mid-call control
 * ({@link RealtimeProvider.updateSession}, {@link RealtimeProvider.requestResponse},
 * {@link RealtimeProvider.say}, {@link RealtimeProvider.pauseInput}) has defaults here that
 * either emulate the operation with the abstract methods or refuse it with a typed
 * {@link ProviderUnsupportedError}; a provider overrides what its vendor does natively and says
 * so in {@link RealtimeCapabilities}.
 *
 * Conventions every provider follows:
 * - credentials are checked when the provider is constructed (a `ConfigError` naming the
 *   environment variable), so a server fails at start, not on its first call;
 * - a tool call is emitted only once the vendor has committed to it (never for an answer that
 *   was interrupted or cancelled), and at most once;
 * - never a second answer request while one is active: tool results, greetings and
 *   {@link RealtimeProvider.requestResponse} are sequenced by the provider;
 * - every message in and out is counted in {@link RealtimeProvider.stats}.
 *
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { type ProviderError, ProviderUnsupportedError } from '../errors.js';
import type { AudioFormat } from './audio-format.js';

/**
 * What a provider can do, so the session adapts to it instead of assuming one vendor (the idea
 * of LiveKit Agents' `RealtimeCapabilities`). The optional fields were added with mid-call
 * control; a provider that leaves them out gets the documented defaults.
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
  /**
   * How {@link RealtimeProvider.updateSession} takes effect: `live` — in place, on the open
   * session; `reconnect` — on a resumed connection carrying the new setup (the conversation is
   * kept; caller audio is held for the moment it takes); `false` (default) — not at all: it
   * rejects with {@link ProviderUnsupportedError}.
   */
  readonly sessionUpdate?: 'live' | 'reconnect' | false;
  /**
   * How {@link RealtimeProvider.say} speaks a given text: `native` — the vendor speaks exactly
   * that text; `prompted` (default, the base class's emulation) — the model is asked to say it
   * word for word, which it almost always does; `false` — not at all.
   */
  readonly say?: 'native' | 'prompted' | false;
  /**
   * How the `instructions` of {@link RealtimeProvider.requestResponse} apply: `native` — they
   * replace the session's instructions for that one answer; `prompted` (default) — they are
   * sent as a text turn the model answers.
   */
  readonly replyInstructions?: 'native' | 'prompted';
}

/** A JSON Schema object describing a tool's parameters. */
export interface JsonSchema {
  /** JSON type(s): `object`, `string`, `number`, `integer`, `boolean`, `array`, `null`. */
  readonly type?: string | readonly string[];
  /** An object's properties, by name. */
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  /** The properties an object must have. */
  readonly required?: readonly string[];
  /** What it means: the model reads it. */
  readonly description?: string;
  /** The values allowed. */
  readonly enum?: readonly unknown[];
  /** An array's items. */
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

/** What {@link RealtimeProvider.updateSession} changes; absent fields stay as they are. */
export interface SessionUpdate {
  /** The new system prompt. */
  readonly instructions?: string;
  /** The new set of tools (replaces the old set). */
  readonly tools?: readonly ToolDefinition[];
}

/** Options of {@link RealtimeProvider.requestResponse}. */
export interface ResponseRequest {
  /** Instructions for this one answer (see {@link RealtimeCapabilities.replyInstructions}). */
  readonly instructions?: string;
}

/** A chunk of the assistant's audio, in {@link RealtimeProvider.outputFormat}. */
export interface ProviderAudio {
  /** The audio bytes. */
  readonly data: Uint8Array;
  /** The answer it belongs to. */
  readonly responseId?: string;
  /** The conversation item it belongs to (what `interrupt` truncates). */
  readonly itemId?: string;
}

/** A transcript, partial (`final: false`, a delta) or final (the whole text). */
export interface ProviderTranscript {
  /** Who spoke. */
  readonly role: 'user' | 'assistant';
  /** The text: a delta when partial, the whole line when final. */
  readonly text: string;
  /** Whether this is the final text of the line. */
  readonly final: boolean;
  /** The conversation item it belongs to. */
  readonly itemId?: string;
}

/** The model calls a tool. `args` is the parsed JSON (`{}` when it sent none). */
export interface ProviderToolCall {
  /** The call's id, to answer with. */
  readonly id: string;
  /** The tool's name. */
  readonly name: string;
  /** Its arguments, parsed. */
  readonly args: Record<string, unknown>;
  /** The answer that made the call. */
  readonly responseId?: string;
}

/** Tokens the vendor reports for one answer (fields the vendor does not report are absent). */
export interface ProviderUsage {
  /** Tokens in (text and audio). */
  readonly inputTokens?: number;
  /** Tokens out (text and audio). */
  readonly outputTokens?: number;
  /** All tokens. */
  readonly totalTokens?: number;
  /** Of the input, audio tokens. */
  readonly inputAudioTokens?: number;
  /** Of the output, audio tokens. */
  readonly outputAudioTokens?: number;
  /** Of the input, tokens served from the vendor's cache. */
  readonly cachedTokens?: number;
}

/** How an answer ended. */
export interface ResponseDoneInfo {
  /** The answer. */
  readonly responseId?: string;
  /** `completed`, `cancelled`, `interrupted`, `failed`, `incomplete`, ... (the vendor's word). */
  readonly status?: string;
  /** What the answer cost, when the vendor reports it. */
  readonly usage?: ProviderUsage;
}

/** Messages and bytes through a provider's connection, since it was constructed. */
export interface ProviderStats {
  /** Messages sent to the vendor. */
  messagesSent: number;
  /** Bytes sent to the vendor. */
  bytesSent: number;
  /** Messages received from the vendor. */
  messagesReceived: number;
  /** Bytes received from the vendor. */
  bytesReceived: number;
  /** Received messages that were not understood (bad JSON, unknown types) and were dropped. */
  messagesIgnored: number;
}

/** Events of a {@link RealtimeProvider}. */
export interface RealtimeProviderEvents {
  /** Assistant audio. */
  audio: [chunk: ProviderAudio];
  /** The caller started speaking (server VAD): the barge-in signal. */
  speechStarted: [info: { readonly audioStartMs?: number }];
  /** The caller stopped speaking: their turn has ended. */
  speechStopped: [info: { readonly audioEndMs?: number }];
  /** A transcript of either side. */
  transcript: [transcript: ProviderTranscript];
  /** The model calls a tool; answer with {@link RealtimeProvider.sendToolResult}. */
  toolCall: [call: ProviderToolCall];
  /**
   * The vendor withdrew tool calls it had made (the caller interrupted): do not run them, or
   * stop them; their results are no longer wanted (the provider drops any that still come).
   */
  toolCallCancelled: [info: { readonly ids: readonly string[] }];
  /** An answer is complete (or was cancelled). */
  responseDone: [info: ResponseDoneInfo];
  /** Something failed; `fatal` errors are followed by `close`. */
  error: [error: ProviderError];
  /** The provider's connection is gone; the session may fall back. */
  close: [info: { readonly code?: number; readonly reason?: string; readonly error?: ProviderError }];
}

/** The text {@link RealtimeProvider.say} gives the model when it has to prompt for it. */
export function sayPrompt(text: string): string {
  return `Say exactly the following words, and nothing else, in the voice and language of this conversation: ${JSON.stringify(text)}`;
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
  /** The format of the audio it emits (`audio` events), once connected; `undefined` before. */
  abstract readonly outputFormat: AudioFormat | undefined;

  /** Messages and bytes through the vendor connection (see {@link RealtimeProvider.countSent}). */
  readonly stats: ProviderStats = { messagesSent: 0, bytesSent: 0, messagesReceived: 0, bytesReceived: 0, messagesIgnored: 0 };

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

  /**
   * Changes the instructions and/or tools of the open session (see
   * {@link RealtimeCapabilities.sessionUpdate}); resolves once the vendor has them. The default
   * rejects with {@link ProviderUnsupportedError}: nothing is sent.
   */
  updateSession(_update: SessionUpdate): Promise<void> {
    return Promise.reject(new ProviderUnsupportedError(this.name, 'updateSession', 'its vendor takes instructions and tools only when the session opens'));
  }

  /**
   * Asks the model to answer now (sequenced after any active answer), optionally with
   * instructions for that answer. The default emulates it: the instructions become a user text
   * turn ({@link RealtimeProvider.sendText}); without instructions it throws
   * {@link ProviderUnsupportedError}.
   */
  requestResponse(request: ResponseRequest = {}): void {
    if (request.instructions === undefined) throw new ProviderUnsupportedError(this.name, 'requestResponse', 'an answer without instructions needs a vendor that can be asked for one');
    this.sendText(request.instructions);
  }

  /**
   * Speaks `text` now, as the assistant (see {@link RealtimeCapabilities.say}). The default
   * emulates it by asking for an answer whose instructions are to say the text word for word
   * ({@link sayPrompt}).
   */
  say(text: string): void {
    this.requestResponse({ instructions: sayPrompt(text) });
  }

  /**
   * The caller's audio stops for a while (the session muted it): a provider that buffers input
   * flushes or discards it so a half-heard utterance is not answered. Default: nothing.
   */
  pauseInput(): void {}

  /** Counts one message sent to the vendor. Providers call it from their send path. */
  protected countSent(bytes: number): void {
    this.stats.messagesSent++;
    this.stats.bytesSent += bytes;
  }

  /** Counts one message received from the vendor. */
  protected countReceived(bytes: number): void {
    this.stats.messagesReceived++;
    this.stats.bytesReceived += bytes;
  }

  /** Counts a received message that was not understood and was dropped. */
  protected countIgnored(): void {
    this.stats.messagesIgnored++;
  }
}
