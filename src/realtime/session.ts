import { EventEmitter } from 'eventemitter3';
import type { OutboundCall } from '../esl/outbound-call.js';
import { ProviderError } from '../errors.js';
import { reportError } from '../error-reporting.js';
import { type Logger, defaultLogger } from '../logger.js';
import { callLogger } from '../observability/call-log.js';
import { startCallMediaFor } from '../media/call-media.js';
import type { CallTransportOptions } from '../media/call-media.js';
import type { MediaTransport } from '../media/media-transport.js';
import { callAudioFormat } from './audio-format.js';
import { AssistantSpeech } from './assistant-speech.js';
import type { ProviderTranscript, RealtimeProvider, RealtimeProviderEvents } from './provider.js';
import { BargeInGate, type BargeInPolicy } from './barge-in.js';
import { type SessionMemoryLimits, type TurnMetrics, type TurnTrigger, TurnTracker, pushBounded } from './session-turns.js';
import type { EndReason, RealtimeSessionEvents, SessionMetrics, SessionStats } from './session-types.js';
import { type AfterSpeechTiming, ToolRunner } from './session-tools.js';
import { MidCallControl } from './session-control.js';
import type { WatchdogOptions } from './session-watchdog.js';
import { type Tool, ToolRegistry } from './tools.js';
import { EnergyVad, type EnergyVadOptions } from './providers/energy-vad.js';
import { ProviderInput, type ProviderInputOptions } from './provider-input.js';

export type { TurnMetrics, TurnTrigger, TranscriptLine, SessionMemoryLimits } from './session-turns.js';
export type { EndReason, RealtimeSessionEvents, SessionMetrics, SessionStats } from './session-types.js';
export type { AfterSpeechTiming } from './session-tools.js';
export type { WatchdogOptions } from './session-watchdog.js';
export { DEFAULT_FRAMES_PER_MESSAGE, type ProviderInputOptions } from './provider-input.js';

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
  /** The voice, as the provider names it. */
  voice?: string;
  /** The language of the conversation (e.g. `en`, `pt-BR`), for providers that take one. */
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
  /**
   * How {@link startCallMediaFor} starts the audio when `bridge` is not given. Its
   * `readAheadFrames` defaults to `providerInput.framesPerMessage`.
   */
  media?: CallTransportOptions;
  /**
   * How the caller's audio goes to the provider: sent after the media clock's tick, in messages
   * of up to `framesPerMessage` frames that have already arrived (default 5; nothing waits).
   */
  providerInput?: ProviderInputOptions;
  /** A pino-compatible logger; the call's fields are added. Default: the call's logger. */
  logger?: Logger;
}

/**
 * Joins a call, its audio and a provider: caller audio to the provider, the provider's answers
 * paced to the caller, barge-in (flush within one frame, the provider told exactly how much was
 * heard, the interrupted answer's late audio and tool calls dropped), tools (side effects after
 * the farewell), mid-call control (`say`, `generateReply`, `updateInstructions`, `updateTools`,
 * `mute`), a no-answer watchdog, per-answer `metrics`, timeouts, a fallback when the provider
 * fails, and teardown on hangup.
 *
 * ```ts
 * createOutboundServer({}, async (call) => {
 *   await call.answer();
 *   const session = new RealtimeSession({ call, provider: new OpenAIRealtimeProvider(), instructions, greeting: 'Greet the caller.' });
 *   await session.start();
 * });
 * ```
 */
export class RealtimeSession extends EventEmitter<RealtimeSessionEvents> {
  /** The session's measurements, live (bounded: see `memory`). */
  readonly metrics: SessionMetrics = {
    timeToFirstAudioMs: undefined,
    bargeInLatenciesMs: [],
    transcript: [],
    transcriptDropped: 0,
    turns: 0,
    interruptions: 0,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
  };
  private readonly call: OutboundCall;
  private readonly provider: RealtimeProvider;
  private readonly tools: ToolRegistry;
  private readonly logger: Logger;
  private readonly gate: BargeInGate;
  private readonly turns: TurnTracker;
  private readonly speech: AssistantSpeech;
  private readonly runner: ToolRunner;
  private readonly control: MidCallControl;
  /** The caller's audio on its way to the provider (sent after the media tick, batched). */
  private readonly input: ProviderInput;
  private bridge: MediaTransport | undefined;
  private startedAt = 0;
  private greetingStartedAt: number | undefined;
  private lastSendAt = 0;
  private currentResponse: string | undefined;
  private hangupCause: string | undefined;
  private timers: NodeJS.Timeout[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private ended: EndReason | undefined;
  /** Aborted when the session ends during {@link start} (the caller hung up while the provider was connecting). */
  private readonly starting = new AbortController();
  /** `start()` failed and will reject with the error: the fallback does not report it a second time. */
  private startFailed = false;
  /** Removes our listeners from the provider (the user's stay). */
  private readonly detach: (() => void)[] = [];

  constructor(private readonly options: RealtimeSessionOptions) {
    super();
    this.call = options.call;
    this.provider = options.provider;
    this.tools = options.tools instanceof ToolRegistry ? options.tools : new ToolRegistry(options.tools ?? []);
    // Every line about the call carries call_uuid, domain_uuid and node (the call's own logger has them).
    this.logger = options.logger ? callLogger(options.logger, options.call) : (options.call.logger ?? defaultLogger);
    this.gate = new BargeInGate(options.bargeIn);
    this.turns = new TurnTracker((m) => this.onTurnMetrics(m));
    this.speech = new AssistantSpeech(() => this.queuedAudioMs());
    const session = this;
    this.runner = new ToolRunner({
      call: this.call,
      provider: this.provider,
      tools: this.tools,
      speech: this.speech,
      logger: this.logger,
      timing: options.afterSpeech ?? {},
      onResult: (call, result) => this.emit('toolResult', { call, result }),
      onResultSent: () => this.expectAnswer('tool'),
      endSession: (reason, cause) => {
        if (cause) this.hangupCause = cause;
        void this.end(reason);
      },
      onError: (error, call) => reportError(this, error, this.logger, { uuid: this.call.uuid, tool: call.name }),
      get ended() {
        return session.ended !== undefined;
      },
    });
    this.input = new ProviderInput(
      (audio) => this.provider.sendAudio(audio),
      (error) => reportError(this, error instanceof Error ? error : new ProviderError(String(error)), this.logger, { uuid: this.call.uuid, provider: this.provider.name }),
      options.providerInput,
    );
    this.control = new MidCallControl(
      {
        provider: this.provider,
        turns: this.turns,
        logger: this.logger,
        fail: (error) => void this.end('provider-failed', error),
        noAnswer: (info) => this.emit('noAnswer', info),
        speaking: () => this.speech.speaking,
      },
      options.watchdog,
    );
  }

  /** The call's audio bridge, once started. */
  get media(): MediaTransport | undefined {
    return this.bridge;
  }

  /** Whether the caller's audio is withheld from the provider ({@link mute}). */
  get muted(): boolean {
    return this.control.muted;
  }

  /** Counters of the session, its provider and its media. */
  stats(): SessionStats {
    return {
      provider: { ...this.provider.stats },
      media: this.bridge?.stats(),
      turns: this.turns.turns,
      interruptions: this.turns.interruptions,
      toolsPending: this.runner.pending,
      muted: this.control.muted,
      providerInput: { frames: this.input.frames, messages: this.input.messages },
    };
  }

  /**
   * Connects the provider, starts the audio, asks for the greeting. If any of it fails, the
   * fallback takes the call (e.g. `transfer` to an operator), then this rejects with the error.
   * Inside an outbound server's handler nothing more is needed: the server reports the error and
   * does not hang up a call the fallback handed off. If the call ends while this runs (the
   * caller hangs up during the provider's handshake), it resolves without starting anything: the
   * provider's `connect` is aborted through its `signal`, and a provider that connects anyway
   * is closed, so no vendor session stays open.
   */
  async start(): Promise<void> {
    this.startedAt = performance.now();
    this.call.once('end', () => void this.end('hangup'));
    this.call.on('dtmf', ({ digit }) => this.emit('dtmf', digit));
    const callFormat = callAudioFormat(this.call.channel.readCodec?.name);
    let stage: EndReason = 'provider-failed';
    try {
      await this.provider.connect({
        instructions: this.options.instructions,
        voice: this.options.voice,
        language: this.options.language,
        tools: this.tools.definitions(),
        callFormat,
        signal: this.starting.signal,
      });
      // Hung up while connecting: a provider that connected anyway is closed (no vendor session left open).
      if (this.ended) return void (await this.provider.close().catch(() => {}));
      this.wireProvider();
      stage = 'media-failed';
      await this.startMedia();
      // Hung up while the audio started: the transport that came after end() is closed too.
      if (this.ended) return this.closeMedia();
    } catch (error) {
      // The caller hung up during start: not a failure, nothing to fall back to.
      if (this.ended) return;
      // No AI or no audio for this call: the fallback takes it (an operator, a prompt), never silence.
      this.startFailed = true;
      await this.end(stage, error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    if (this.options.maxDurationMs) this.timers.push(setTimeout(() => void this.end('max-duration'), this.options.maxDurationMs));
    this.touch();
    if (this.options.greeting) {
      this.greetingStartedAt = performance.now();
      this.expectAnswer('greeting');
      this.provider.sendText(this.options.greeting);
    }
    this.emit('started');
  }

  /**
   * Speaks `text` now, as the assistant (natively or by asking the model to say it word for
   * word: see the provider's `capabilities.say`). With `interruptible: false` the caller cannot
   * barge in on it (the session does not cut it; a vendor whose own VAD cancels answers may
   * still stop generating the rest).
   *
   * @throws {@link ProviderUnsupportedError} when the provider cannot speak a given text.
   */
  say(text: string, options: { interruptible?: boolean } = {}): void {
    this.control.say(text, options.interruptible !== false, this.currentResponse);
  }

  /** Asks the assistant to answer now, optionally with instructions for that one answer. */
  generateReply(instructions?: string): void {
    this.control.generateReply(instructions);
  }

  /**
   * Replaces the system prompt for the rest of the call; resolves once the vendor has it.
   *
   * @throws {@link ProviderUnsupportedError} (rejects) when the vendor cannot change it mid-call.
   */
  async updateInstructions(instructions: string): Promise<void> {
    await this.provider.updateSession({ instructions });
  }

  /**
   * Replaces the tools for the rest of the call; resolves once the vendor has them (the session
   * runs the new set from then on; the old one if the vendor refuses).
   */
  async updateTools(tools: readonly Tool<never>[]): Promise<void> {
    const next = new ToolRegistry(tools);
    await this.provider.updateSession({ tools: next.definitions() });
    this.tools.replace(tools);
  }

  /** Stops sending the caller's audio to the provider (and the caller cannot barge in) until {@link unmute}. */
  mute(): void {
    if (!this.control.mute()) return;
    this.gate.cancel();
    this.input.discard();
  }

  /** Sends the caller's audio to the provider again. */
  unmute(): void {
    this.control.muted = false;
  }

  /** Ends the session (hanging up unless the call already ended or was handed off: transferred, bridged). */
  async end(reason: EndReason = 'closed', error?: Error): Promise<void> {
    if (this.ended) return;
    this.ended = reason;
    this.starting.abort(new ProviderError('the session ended while the provider was connecting', 'session_ended'));
    if (error) this.logger.warn({ err: error.message, reason }, 'realtime session ending');
    for (const t of this.timers) clearTimeout(t);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.gate.cancel();
    this.control.stop();
    this.runner.cancel();
    this.turns.close();
    this.input.close();
    for (const off of this.detach.splice(0)) off();
    await this.provider.close().catch(() => {});
    this.closeMedia();
    // A caller someone else has now (transferred, bridged) is theirs: no fallback, no hangup.
    const ours = this.call.isActive && this.call.handedOff === undefined;
    if ((reason === 'provider-failed' || reason === 'media-failed') && ours) await this.fallback(error ?? new ProviderError('provider failed'));
    else if (reason !== 'hangup' && reason !== 'transferred' && ours) await this.call.hangup(this.hangupCause ?? 'NORMAL_CLEARING').catch(() => {});
    this.emit('ended', { reason, metrics: this.metrics });
    this.removeAllListeners();
  }

  // --- media: every use of the call's audio transport goes through these calls ---

  private async startMedia(): Promise<void> {
    const media = { readAheadFrames: this.input.framesPerMessage, ...this.options.media, output: this.provider.inputFormat, input: this.provider.outputFormat };
    const bridge = this.options.bridge ?? (await startCallMediaFor(this.call, media)).transport;
    this.bridge = bridge;
    const vad = this.provider.capabilities.turnDetection ? undefined : new EnergyVad(this.options.vad);
    bridge.on('audio', (frame) => {
      if (this.control.muted) return;
      this.input.push(frame);
      // A provider without turn detection: the session listens itself so the caller can still interrupt.
      const change = vad?.pushEncoded(frame, this.provider.inputFormat);
      if (change === 'start') this.onSpeechStarted();
      else if (change === 'stop') this.onSpeechStopped();
    });
    bridge.on('talkspurtStart', () => {
      this.metrics.timeToFirstAudioMs ??= performance.now() - this.startedAt;
      this.turns.frameSent();
    });
    bridge.on('drained', () => {
      this.control.drained();
      this.speech.changed();
    });
    bridge.on('error', (e) => reportError(this, e, this.logger, { uuid: this.call.uuid }));
    bridge.on('dtmf', ({ digit }) => this.emit('dtmf', digit));
    // The audio path died mid-call (a WebSocket stream closed): the fallback takes the caller.
    bridge.on('lost', (e) => void this.end('media-failed', e));
  }

  private playAudio(data: Uint8Array): void {
    this.bridge?.write(data);
  }

  private endAnswer(): void {
    this.bridge?.endOfAnswer();
  }

  private flushPlayback(): { playedMs: number; droppedMs: number } {
    const playedMs = this.bridge?.playedMs ?? 0;
    const { droppedMs } = this.bridge?.flush() ?? { droppedMs: 0 };
    return { playedMs, droppedMs };
  }

  private queuedAudioMs(): number {
    return this.bridge?.queuedMs ?? 0;
  }

  private closeMedia(): void {
    this.bridge?.close();
  }

  // --- provider events ---

  private wireProvider(): void {
    const p = this.provider;
    const on = <K extends keyof RealtimeProviderEvents>(event: K, fn: (...args: RealtimeProviderEvents[K]) => void): void => {
      p.on(event, fn as never);
      this.detach.push(() => p.off(event, fn as never));
    };
    on('audio', ({ data, responseId }) => this.onAudio(data, responseId));
    on('responseDone', ({ responseId, status, usage }) => {
      if (!this.turns.isCancelled(responseId)) this.endAnswer();
      this.control.responseDone(responseId);
      this.turns.done(responseId, status, usage);
      this.speech.done(responseId);
    });
    on('speechStarted', () => this.onSpeechStarted());
    on('speechStopped', () => this.onSpeechStopped());
    on('transcript', (t) => this.onTranscript(t));
    on('toolCall', (c) => {
      if (this.turns.isCancelled(c.responseId)) return; // a call of an interrupted answer
      this.control.hold();
      this.turns.toolCall(c.responseId, c.name);
      void this.runner.run(c);
    });
    on('toolCallCancelled', ({ ids }) => this.runner.cancel(ids));
    on('error', (e) => reportError(this, e, this.logger, { uuid: this.call.uuid, provider: p.name }));
    on('close', ({ error }) => {
      if (!this.ended) void this.end('provider-failed', error ?? new ProviderError(`${p.name} closed the session`));
    });
  }

  private onAudio(data: Uint8Array, responseId: string | undefined): void {
    if (this.turns.isCancelled(responseId)) return; // late audio of an interrupted answer
    this.control.audio(responseId);
    this.currentResponse = responseId;
    this.lastSendAt = performance.now();
    this.touch();
    this.turns.audio(responseId, this.audioMs(data.byteLength), this.queuedAudioMs());
    this.speech.audio(responseId);
    this.playAudio(data);
  }

  private onTranscript(t: ProviderTranscript): void {
    if (!t.final) return;
    const line = { atMs: Math.round(performance.now() - this.startedAt), role: t.role, text: t.text };
    this.metrics.transcriptDropped += pushBounded(this.metrics.transcript, line, this.options.memory?.transcriptLines ?? 200);
    this.emit('transcript', t);
  }

  private onTurnMetrics(m: TurnMetrics): void {
    this.metrics.turns = this.turns.turns;
    this.metrics.interruptions = this.turns.interruptions;
    this.metrics.usage = { ...this.turns.usage };
    this.emit('metrics', m);
  }

  /** Ms of provider audio in `bytes`. */
  private audioMs(bytes: number): number {
    const f = this.provider.outputFormat;
    if (!f) return 0;
    return (bytes / (f.encoding === 'pcm16' ? 2 : 1) / f.sampleRate) * 1000;
  }

  /** An answer is due (a request was sent, or the caller's turn ended). */
  private expectAnswer(trigger: TurnTrigger): void {
    this.control.expectAnswer(trigger);
  }

  private onSpeechStarted(): void {
    this.touch();
    this.control.hold();
    if (this.control.protecting) return; // a non-interruptible say is playing
    const speaking = this.queuedAudioMs() > 0 || this.call.runningApplications.includes('playback');
    this.gate.speechStarted(speaking, this.greetingStartedAt, () => this.bargeIn());
  }

  /** The caller's turn ended: an answer is due. */
  private onSpeechStopped(): void {
    this.gate.speechStopped();
    if (this.control.muted) return;
    this.expectAnswer('caller');
  }

  /** Flushes queued audio, tells the provider what was heard, cancels the answer's tools. */
  private bargeIn(): void {
    if (!this.bridge) return;
    const at = performance.now();
    const { playedMs, droppedMs } = this.flushPlayback();
    this.turns.bargeIn();
    this.speech.stopped();
    this.runner.cancel();
    this.provider.interrupt({ playedMs });
    // A prompt FreeSWITCH itself is playing (call.playback during the session) stops too.
    if (this.call.runningApplications.includes('playback') && this.call.channel.fullControl) {
      this.call.api(`uuid_break ${this.call.uuid}`).catch(() => {});
    }
    const latencyMs = Math.max(0, this.lastSendAt - at);
    pushBounded(this.metrics.bargeInLatenciesMs, latencyMs, this.options.memory?.bargeIns ?? 100);
    this.emit('bargeIn', { playedMs, droppedMs, latencyMs });
  }

  private async fallback(reason: Error): Promise<void> {
    const f = this.options.fallback;
    // When start() rejects with it, its caller has it: only listeners hear it here, nothing is logged twice.
    if (!this.startFailed) reportError(this, reason, this.logger, { uuid: this.call.uuid });
    else if (this.listenerCount('error') > 0) this.emit('error', reason);
    try {
      if (typeof f === 'function') await f(this, reason);
      else if (f && 'transfer' in f) await this.call.transfer(f.transfer, 'XML', f.context ?? this.call.channel.context ?? 'default');
      else if (f && 'playback' in f) {
        await this.call.playback(f.playback).catch(() => {});
        await this.call.hangup(f.hangupCause ?? 'NORMAL_CLEARING');
      } else await this.call.hangup('NORMAL_TEMPORARY_FAILURE');
    } catch (error) {
      this.logger.error({ err: (error as Error).message }, 'fallback failed');
      await this.call.hangup('NORMAL_TEMPORARY_FAILURE').catch(() => {});
    }
  }

  /** Activity: restarts the idle timer. */
  private touch(): void {
    const ms = this.options.idleTimeoutMs ?? 60_000;
    if (this.ended || ms <= 0) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.end('idle'), ms);
  }
}

/** Starts a {@link RealtimeSession} on a call in one step; resolves once it is running. */
export async function startRealtimeSession(call: OutboundCall, options: Omit<RealtimeSessionOptions, 'call'>): Promise<RealtimeSession> {
  const session = new RealtimeSession({ ...options, call });
  await session.start();
  return session;
}
