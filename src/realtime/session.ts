import { EventEmitter } from 'eventemitter3';
import type { OutboundCall } from '../esl/outbound-call.js';
import { ProviderError } from '../errors.js';
import { reportError } from '../error-reporting.js';
import { type Logger, defaultLogger } from '../logger.js';
import { callLogger } from '../observability/call-log.js';
import { type CallTransportOptions, startCallMediaFor } from '../media/call-media.js';
import type { MediaTransport } from '../media/media-transport.js';
import { AudioFormats, type AudioFormat } from './audio-format.js';
import type { ProviderToolCall, ProviderTranscript, RealtimeProvider, RealtimeProviderEvents } from './provider.js';
import { type BargeInPolicy, BargeInGate } from './barge-in.js';
import { type Tool, ToolRegistry } from './tools.js';
import { EnergyVad, type EnergyVadOptions } from './providers/energy-vad.js';
import { alawDecode, ulawDecode } from '../media/g711.js';
import { pcmFromLE } from '../media/pcm.js';

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
  /** The session's own voice detector, used when the provider has no turn detection. */
  vad?: EnergyVadOptions;
  /** The call's audio, already started; default: {@link startCallMediaFor} with `media` (`AUDIO_MODE` picks the transport). */
  bridge?: MediaTransport;
  media?: CallTransportOptions;
  logger?: Logger;
}

/** Why a session ended. */
export type EndReason = 'hangup' | 'max-duration' | 'idle' | 'provider-failed' | 'media-failed' | 'tool-hangup' | 'transferred' | 'closed';

/** Measurements of a session. */
export interface SessionMetrics {
  /** From start to the first assistant frame sent to the caller, ms. */
  timeToFirstAudioMs: number | undefined;
  /** Each barge-in: ms from `speechStarted` to the last assistant frame sent (0: none after it). */
  bargeInLatenciesMs: number[];
  /** Every transcript, with ms since start. */
  transcript: { atMs: number; role: 'user' | 'assistant'; text: string }[];
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

/**
 * Joins a call, its audio and a provider: caller audio to the provider, the provider's answers
 * paced to the caller, barge-in (flush within one frame, the provider told exactly how much was
 * heard, the interrupted answer's late audio and tool calls dropped), tools, timeouts, a
 * fallback when the provider fails, and teardown on hangup.
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
  readonly metrics: SessionMetrics = { timeToFirstAudioMs: undefined, bargeInLatenciesMs: [], transcript: [] };
  private readonly call: OutboundCall;
  private readonly provider: RealtimeProvider;
  private readonly tools: ToolRegistry;
  private readonly logger: Logger;
  private readonly gate: BargeInGate;
  private bridge: MediaTransport | undefined;
  private startedAt = 0;
  private greetingStartedAt: number | undefined;
  private lastSendAt = 0;
  /** Responses whose late audio is dropped (interrupted). */
  private readonly cancelled = new Set<string>();
  private readonly toolAborts = new Map<string, AbortController>();
  private currentResponse: string | undefined;
  private hangupAfterDrain: string | undefined;
  private timers: NodeJS.Timeout[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private ended: EndReason | undefined;
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
  }

  /** The call's audio transport, once started. */
  get media(): MediaTransport | undefined {
    return this.bridge;
  }

  /**
   * Connects the provider, starts the audio, asks for the greeting. If any of it fails, the
   * fallback takes the call (e.g. `transfer` to an operator), then this rejects with the error.
   * Inside an outbound server's handler nothing more is needed: the server reports the error and
   * does not hang up a call the fallback handed off.
   */
  async start(): Promise<void> {
    this.startedAt = performance.now();
    this.call.once('end', () => void this.end('hangup'));
    this.call.on('dtmf', ({ digit }) => this.emit('dtmf', digit));
    const callFormat = this.callFormat();
    let stage: EndReason = 'provider-failed';
    try {
      await this.provider.connect({
        instructions: this.options.instructions,
        voice: this.options.voice,
        language: this.options.language,
        tools: this.tools.definitions(),
        callFormat,
      });
      this.wireProvider();
      stage = 'media-failed';
      const bridge = this.options.bridge ?? (await startCallMediaFor(this.call, { ...this.options.media, output: this.provider.inputFormat, input: this.provider.outputFormat })).transport;
      this.bridge = bridge;
      this.wireBridge(bridge);
    } catch (error) {
      // No AI or no audio for this call: the fallback takes it (an operator, a prompt), never silence.
      this.startFailed = true;
      await this.end(stage, error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    if (this.options.maxDurationMs) this.timers.push(setTimeout(() => void this.end('max-duration'), this.options.maxDurationMs));
    this.touch();
    if (this.options.greeting) {
      this.greetingStartedAt = performance.now();
      this.provider.sendText(this.options.greeting);
    }
    this.emit('started');
  }

  /** Ends the session (hanging up unless the call already ended or was handed off: transferred, bridged). */
  async end(reason: EndReason = 'closed', error?: Error): Promise<void> {
    if (this.ended) return;
    this.ended = reason;
    if (error) this.logger.warn({ err: error.message, reason }, 'realtime session ending');
    for (const t of this.timers) clearTimeout(t);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.gate.cancel();
    for (const a of this.toolAborts.values()) a.abort();
    this.toolAborts.clear();
    for (const off of this.detach.splice(0)) off();
    await this.provider.close().catch(() => {});
    this.bridge?.close();
    // A caller someone else has now (transferred, bridged) is theirs: no fallback, no hangup.
    const ours = this.call.isActive && this.call.handedOff === undefined;
    if ((reason === 'provider-failed' || reason === 'media-failed') && ours) await this.fallback(error ?? new ProviderError('provider failed'));
    else if (reason !== 'hangup' && reason !== 'transferred' && ours) await this.call.hangup(this.hangupAfterDrain ?? 'NORMAL_CLEARING').catch(() => {});
    this.emit('ended', { reason, metrics: this.metrics });
    this.removeAllListeners();
  }

  private callFormat(): AudioFormat {
    const codec = this.call.channel.readCodec?.name.toUpperCase();
    return codec === 'PCMU' ? AudioFormats.MULAW_8K : codec === 'PCMA' ? AudioFormats.ALAW_8K : AudioFormats.PCM16_8K;
  }

  private wireBridge(bridge: MediaTransport): void {
    const vad = this.provider.capabilities.turnDetection ? undefined : new EnergyVad(this.options.vad);
    bridge.on('audio', (frame) => {
      this.provider.sendAudio(frame);
      if (vad) this.localVad(vad, frame);
    });
    bridge.on('talkspurtStart', () => {
      this.metrics.timeToFirstAudioMs ??= performance.now() - this.startedAt;
    });
    bridge.on('drained', () => {
      if (this.hangupAfterDrain) void this.end('tool-hangup');
    });
    bridge.on('error', (e) => reportError(this, e, this.logger, { uuid: this.call.uuid }));
    bridge.on('dtmf', ({ digit }) => this.emit('dtmf', digit));
    // The audio path died mid-call (a WebSocket stream closed): the fallback takes the caller.
    bridge.on('lost', (e) => void this.end('media-failed', e));
  }

  private wireProvider(): void {
    const p = this.provider;
    const on = <K extends keyof RealtimeProviderEvents>(event: K, fn: (...args: RealtimeProviderEvents[K]) => void): void => {
      p.on(event, fn as never);
      this.detach.push(() => p.off(event, fn as never));
    };
    on('audio', ({ data, responseId }) => {
      if (responseId !== undefined && this.cancelled.has(responseId)) return; // late audio of an interrupted answer
      this.currentResponse = responseId;
      this.lastSendAt = performance.now();
      this.touch();
      this.bridge?.write(data);
    });
    on('responseDone', ({ responseId }) => {
      if (responseId === undefined || !this.cancelled.has(responseId)) this.bridge?.endOfAnswer();
    });
    on('speechStarted', () => this.onSpeechStarted());
    on('speechStopped', () => this.gate.speechStopped());
    on('transcript', (t) => {
      if (!t.final) return;
      this.metrics.transcript.push({ atMs: Math.round(performance.now() - this.startedAt), role: t.role, text: t.text });
      this.emit('transcript', t);
    });
    on('toolCall', (c) => void this.runTool(c));
    on('error', (e) => reportError(this, e, this.logger, { uuid: this.call.uuid, provider: p.name }));
    on('close', ({ error }) => {
      if (!this.ended) void this.end('provider-failed', error ?? new ProviderError(`${p.name} closed the session`));
    });
  }

  /**
   * A provider without turn detection: the session listens itself (energy VAD) so the caller can
   * still interrupt.
   */
  private localVad(vad: EnergyVad, frame: Uint8Array): void {
    const format = this.provider.inputFormat;
    const samples = format?.encoding === 'mulaw' ? ulawDecode(frame) : format?.encoding === 'alaw' ? alawDecode(frame) : pcmFromLE(frame);
    const change = vad.push(samples);
    if (change === 'start') this.onSpeechStarted();
    else if (change === 'stop') this.gate.speechStopped();
  }

  private onSpeechStarted(): void {
    this.touch();
    const speaking = (this.bridge?.queuedMs ?? 0) > 0 || this.call.runningApplications.includes('playback');
    this.gate.speechStarted(speaking, this.greetingStartedAt, () => this.bargeIn());
  }

  /** Flushes queued audio, tells the provider what was heard, cancels the answer's tools. */
  private bargeIn(): void {
    const bridge = this.bridge;
    if (!bridge) return;
    const at = performance.now();
    const playedMs = bridge.playedMs;
    const { droppedMs } = bridge.flush();
    if (this.currentResponse) this.cancelled.add(this.currentResponse);
    for (const [id, abort] of this.toolAborts) {
      abort.abort();
      this.toolAborts.delete(id);
    }
    this.provider.interrupt({ playedMs });
    // A prompt FreeSWITCH itself is playing (call.playback during the session) stops too.
    if (this.call.runningApplications.includes('playback') && this.call.channel.fullControl) {
      this.call.api(`uuid_break ${this.call.uuid}`).catch(() => {});
    }
    const latencyMs = Math.max(0, this.lastSendAt - at);
    this.metrics.bargeInLatenciesMs.push(latencyMs);
    this.emit('bargeIn', { playedMs, droppedMs, latencyMs });
  }

  private async runTool(toolCall: ProviderToolCall): Promise<void> {
    const abort = new AbortController();
    this.toolAborts.set(toolCall.id, abort);
    const result = await this.tools.run(toolCall.name, toolCall.args, {
      call: this.call,
      signal: abort.signal,
      hangupAfterSpeech: (cause = 'NORMAL_CLEARING') => {
        this.hangupAfterDrain = cause;
        if ((this.bridge?.queuedMs ?? 0) === 0) void this.end('tool-hangup');
      },
    });
    this.toolAborts.delete(toolCall.id);
    if (abort.signal.aborted || this.ended) return;
    this.emit('toolResult', { call: toolCall, result });
    if (toolCall.name === 'transfer_call' && typeof result === 'object' && result !== null && 'transferred' in result) {
      void this.end('transferred');
      return;
    }
    this.provider.sendToolResult(toolCall.id, result);
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
