/**
 * Google Gemini Live (the `BidiGenerateContent` WebSocket): PCM16 at 16 kHz in, 24 kHz out — a
 * different audio contract from OpenAI's, behind the same {@link RealtimeProvider}. Turns are
 * detected server-side (`voiceActivity` start/end when Google sends it; an `interrupted` answer
 * otherwise) and Gemini truncates its own answer. Calls last as long as the caller talks:
 * context window compression (a sliding window) lifts the 15-minute limit of audio sessions, and
 * on `goAway` the provider reconnects with the latest resumable session handle, invisibly to the
 * session. Wire messages are in `gemini-wire.ts`, typed from Google's `@google/genai`; tool
 * schemas are converted to Gemini's subset in `gemini-schema.ts`; model names are in
 * `gemini-models.ts`.
 *
 * @module
 */
import type { LiveClientMessage } from '@google/genai';
import type WebSocket from 'ws';
import { ConfigError, ProviderError } from '../../errors.js';
import { reportError } from '../../error-reporting.js';
import { type Logger, defaultLogger } from '../../logger.js';
import { AudioFormats, type AudioFormat } from '../audio-format.js';
import { type ProviderConnectOptions, type ProviderUsage, type RealtimeCapabilities, RealtimeProvider, type ResponseRequest } from '../provider.js';
import { DEFAULT_GEMINI_LIVE_MODEL, RETIRED_GEMINI_LIVE_MODELS, bareModelName } from './gemini-models.js';
import {
  type GeminiToolSchema,
  type ServerMessage,
  buildAudio,
  buildAudioStreamEnd,
  buildClientTurn,
  buildSetup,
  buildToolResponse,
  durationMs,
  parseServerMessage,
  readUsage,
} from './gemini-wire.js';
import { AudioMessage } from './audio-message.js';
import { vendorVariable } from './vendor-env.js';
import { keepAlive, type ProviderWebSocketOptions, rawDataBytes, VendorHandshake } from './websocket.js';

export type { GeminiToolSchema } from './gemini-wire.js';

/** Options of {@link GeminiLiveProvider}. */
export interface GeminiLiveOptions extends ProviderWebSocketOptions {
  /** Default `GEMINI_API_KEY`, else `GOOGLE_API_KEY`. Checked when the provider is constructed. Never logged. */
  apiKey?: string;
  /** Default {@link DEFAULT_GEMINI_LIVE_MODEL} (see `GEMINI_LIVE_MODELS`); a model Google has shut down is refused. */
  model?: string;
  /** WebSocket URL without the key (default Google's `BidiGenerateContent` endpoint); tests point it at a local server. */
  url?: string;
  /** Ms to wait for `setupComplete`. Default 10 000. */
  connectTimeoutMs?: number;
  /** Caller audio held while reconnecting after `goAway`, ms (older is dropped). Default 2 000. */
  resumeBufferMs?: number;
  /**
   * Context window compression: Gemini keeps a sliding window of the conversation, so an audio
   * session is not cut at 15 minutes. `triggerTokens` / `targetTokens` tune it (Google's defaults
   * otherwise); `false` turns it off (calls then end at Google's session limit). Default on.
   */
  contextWindowCompression?: { triggerTokens?: number; targetTokens?: number } | false;
  /**
   * Tool parameters as Gemini's schema subset (`openapi`, default: converted as Google's SDK does,
   * so any JSON Schema is accepted) or as JSON Schema in `parametersJsonSchema` (`json-schema`).
   */
  toolSchema?: GeminiToolSchema;
  /** A pino-compatible logger. Default: `defaultLogger`. */
  logger?: Logger;
}

const DEFAULT_URL = 'wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';
/** After `goAway`, reconnect this long before the connection's end at the latest, ms. */
const GO_AWAY_MARGIN_MS = 500;
/** `realtimeInput.audio`, built straight into its bytes. */
const AUDIO = new AudioMessage(buildAudio);

/** Gemini's native-audio Live models. */
export class GeminiLiveProvider extends RealtimeProvider {
  readonly name = 'gemini';
  readonly capabilities: RealtimeCapabilities = {
    truncation: false,
    turnDetection: true,
    userTranscription: true,
    autoToolReply: true,
    sessionUpdate: false,
    say: 'prompted',
    replyInstructions: 'prompted',
  };
  readonly inputFormats: readonly AudioFormat[] = [AudioFormats.PCM16_16K];
  readonly outputFormats: readonly AudioFormat[] = [AudioFormats.PCM16_24K];
  inputFormat: AudioFormat | undefined;
  /** PCM16 at 24 kHz once connected (what Gemini Live speaks). */
  outputFormat: AudioFormat | undefined;
  /** Reconnections after `goAway`. */
  resumptions = 0;
  /** The model in use (without `models/`). */
  readonly model: string;
  private ws: WebSocket | undefined;
  /** A handshake in progress: `close()` ends it (the connect then rejects). */
  private readonly handshake = new VendorHandshake();
  private readonly logger: Logger;
  private readonly apiKey: string;
  private connectOptions: ProviderConnectOptions | undefined;
  /** The latest session-resumption handle, and whether the session was resumable when Google sent it. */
  private handle: string | undefined;
  private resumable = false;
  /** The answer being received: `turn_<n>`. */
  private turn = 1;
  /** Content or a tool call of the current turn has arrived. */
  private turnOpen = false;
  /** Gemini said `interrupted`; the turn ends at the `turnComplete` that follows. */
  private interruptedPending = false;
  private usage: ProviderUsage | undefined;
  /** The caller is speaking, as `voiceActivity` said. */
  private userSpeaking = false;
  private userText = '';
  private assistantText = '';
  private readonly toolNames = new Map<string, string>();
  /** Tool calls Gemini withdrew (`toolCallCancellation`): their results are not sent. */
  private readonly cancelledCalls = new Set<string>();
  /** Caller audio messages held while resuming, and the audio bytes in them. */
  private held: { message: Buffer; audioBytes: number }[] = [];
  private heldBytes = 0;
  private resuming = false;
  private goAwayTimer: NodeJS.Timeout | undefined;
  private stopPing: () => void = () => {};
  private closedByUs = false;

  /**
   * @param options - see {@link GeminiLiveOptions}; everything has a default.
   * @throws {@link ConfigError} without an API key (naming `GEMINI_API_KEY`), or for a model
   *   Google has shut down (naming `model`), so a server fails when it starts.
   */
  constructor(private readonly options: GeminiLiveOptions = {}) {
    super();
    this.logger = options.logger ?? defaultLogger;
    const apiKey = options.apiKey || vendorVariable('GEMINI_API_KEY') || vendorVariable('GOOGLE_API_KEY');
    if (!apiKey) throw new ConfigError('no Gemini API key: set the GEMINI_API_KEY environment variable (or GOOGLE_API_KEY) or pass { apiKey }', 'GEMINI_API_KEY');
    this.apiKey = apiKey;
    this.model = bareModelName(options.model ?? DEFAULT_GEMINI_LIVE_MODEL);
    const retired = RETIRED_GEMINI_LIVE_MODELS[this.model];
    if (retired) {
      throw new ConfigError(`the Gemini model ${this.model} was shut down on ${retired.shutdown}: use ${retired.replacement} (see GEMINI_LIVE_MODELS)`, 'model', this.model);
    }
  }

  /** Server messages that were not JSON objects or carried nothing this provider knows: counted, ignored. */
  get ignoredMessages(): number {
    return this.stats.messagesIgnored;
  }

  async connect(options: ProviderConnectOptions): Promise<void> {
    if (this.ws) throw new ProviderError('the Gemini session is already connected', 'already_connected');
    this.connectOptions = options;
    this.closedByUs = false;
    this.ws = await this.open(options, undefined);
    this.inputFormat = AudioFormats.PCM16_16K;
    this.outputFormat = AudioFormats.PCM16_24K;
  }

  /** Caller audio, PCM16 16 kHz (`realtimeInput.audio`); held while resuming. */
  sendAudio(frame: Uint8Array): void {
    if (!this.resuming && this.ws?.readyState !== 1) return; // not connected: nothing to encode
    const message = AUDIO.encode(frame);
    if (this.resuming) {
      // Messages of any size (the session may send several frames in one): held by duration, PCM16 16 kHz is 32 bytes a ms.
      this.held.push({ message, audioBytes: frame.byteLength });
      this.heldBytes += frame.byteLength;
      const max = (this.options.resumeBufferMs ?? 2000) * 32;
      while (this.heldBytes > max && this.held.length > 1) this.heldBytes -= this.held.shift()!.audioBytes;
      return;
    }
    this.sendRaw(message);
  }

  /** A `toolResponse`; nothing for a call Gemini has withdrawn (`toolCallCancellation`). */
  sendToolResult(callId: string, result: unknown): void {
    if (this.cancelledCalls.delete(callId)) {
      this.logger.debug({ callId }, 'Gemini: result of a withdrawn tool call dropped');
      return;
    }
    const name = this.toolNames.get(callId) ?? '';
    this.toolNames.delete(callId);
    let message: string;
    try {
      message = JSON.stringify(buildToolResponse(callId, name, result));
    } catch (e) {
      this.report(new ProviderError(`the result of tool call ${callId} is not serialisable as JSON`, 'bad_tool_result', { cause: e }));
      message = JSON.stringify(buildToolResponse(callId, name, { error: 'the tool result could not be serialised' }));
    }
    this.sendRaw(message);
  }

  /** Gemini cuts its answer itself when its VAD hears the caller: nothing to send. */
  interrupt(_options: { playedMs: number }): void {
    this.assistantText = '';
  }

  /** A user text turn that asks for an answer. */
  sendText(text: string): void {
    this.send(buildClientTurn(text));
  }

  /** An answer now (`clientContent.turnComplete`); instructions, when given, are the user turn it answers. */
  override requestResponse(request: ResponseRequest = {}): void {
    this.send(buildClientTurn(request.instructions));
  }

  /** Muted caller: `realtimeInput.audioStreamEnd`, so Gemini flushes what it holds. */
  override pauseInput(): void {
    this.send(buildAudioStreamEnd());
  }

  async close(): Promise<void> {
    this.handshake.terminate();
    const ws = this.ws;
    this.closedByUs = true;
    this.ws = undefined;
    if (this.goAwayTimer) clearTimeout(this.goAwayTimer);
    this.goAwayTimer = undefined;
    this.stopPing();
    if (!ws) return;
    await new Promise<void>((resolve) => {
      if (ws.readyState === ws.CLOSED) return resolve();
      ws.once('close', () => resolve());
      ws.close(1000);
      setTimeout(() => (ws.terminate(), resolve()), 1000).unref();
    });
    this.emit('close', { code: 1000 });
  }

  /** Opens a socket, sends `setup` (with the resumption handle when resuming), waits for `setupComplete`. */
  private open(options: ProviderConnectOptions, handle: string | undefined): Promise<WebSocket> {
    const url = new URL(this.options.url ?? DEFAULT_URL);
    url.searchParams.set('key', this.apiKey);
    const setup = buildSetup({
      model: this.model,
      instructions: options.instructions,
      voice: options.voice,
      language: options.language,
      tools: options.tools ?? [],
      toolSchema: this.options.toolSchema ?? 'openapi',
      handle,
      compression: this.options.contextWindowCompression ?? {},
    });
    return this.handshake.open({
      vendor: 'Gemini',
      url: url.toString(),
      webSocket: this.options.webSocket,
      timeoutMs: this.options.connectTimeoutMs ?? 10_000,
      signal: options.signal,
      onOpen: (ws) => this.sendOn(ws, JSON.stringify(setup)),
      onMessage: (data) => {
        this.countReceived(rawDataBytes(data));
        if (parseServerMessage(data)?.setupComplete) return true;
        this.countIgnored();
        return false;
      },
      onReady: (ws) => this.listen(ws),
    });
  }

  private listen(ws: WebSocket): void {
    this.stopPing();
    const every = this.options.pingIntervalMs ?? 20_000;
    this.stopPing = keepAlive(ws, every, () => this.logger.warn({ everyMs: every }, 'Gemini peer unresponsive; dropping the socket'));
    ws.on('message', (data) => {
      this.countReceived(rawDataBytes(data));
      this.onMessage(parseServerMessage(data));
    });
    ws.on('error', (e) => this.report(new ProviderError(`Gemini connection error: ${e.message}`, 'connection', { cause: e })));
    ws.on('close', (code, reason) => {
      if (this.closedByUs || this.resuming || ws !== this.ws) return;
      if (this.goAwayTimer) {
        // The connection ended before a resumable handle came: resume now with what there is.
        clearTimeout(this.goAwayTimer);
        this.goAwayTimer = undefined;
        return void this.resume();
      }
      this.ws = undefined;
      this.emit('close', { code, reason: reason.toString(), error: new ProviderError(`Gemini closed the session (${code} ${reason.toString()})`, String(code)) });
    });
  }

  private onMessage(m: ServerMessage | undefined): void {
    if (!m) return this.countIgnored();
    let known = false;
    if (m.usageMetadata) {
      known = true;
      this.usage = readUsage(m.usageMetadata);
    }
    if (m.sessionResumptionUpdate) {
      known = true;
      const u = m.sessionResumptionUpdate;
      this.resumable = u.resumable !== false && !!u.newHandle;
      if (this.resumable) this.handle = u.newHandle;
      if (this.resumable && this.goAwayTimer) {
        clearTimeout(this.goAwayTimer);
        this.goAwayTimer = undefined;
        void this.resume();
      }
    }
    if (m.voiceActivity) {
      known = true;
      const type = m.voiceActivity.voiceActivityType;
      if (type === 'ACTIVITY_START' && !this.userSpeaking) {
        this.userSpeaking = true;
        this.emit('speechStarted', {});
      } else if (type === 'ACTIVITY_END' && this.userSpeaking) {
        this.userSpeaking = false;
        this.emit('speechStopped', {});
      }
    }
    if (m.toolCall) {
      known = true;
      this.closeInterruptedTurn();
      this.turnOpen = true;
      for (const c of m.toolCall.functionCalls ?? []) {
        if (typeof c.id !== 'string' || typeof c.name !== 'string') continue;
        this.toolNames.set(c.id, c.name);
        const args = c.args && typeof c.args === 'object' && !Array.isArray(c.args) ? c.args : {};
        this.emit('toolCall', { id: c.id, name: c.name, args, responseId: `turn_${this.turn}` });
      }
    }
    if (m.toolCallCancellation) {
      known = true;
      // The caller interrupted before the results came: the model no longer wants them.
      const ids = (m.toolCallCancellation.ids ?? []).filter((id): id is string => typeof id === 'string');
      for (const id of ids) {
        this.toolNames.delete(id);
        this.cancelledCalls.add(id);
        if (this.cancelledCalls.size > 64) this.cancelledCalls.delete(this.cancelledCalls.values().next().value!);
      }
      if (ids.length > 0) this.emit('toolCallCancelled', { ids });
    }
    if (m.serverContent) {
      known = true;
      this.onContent(m.serverContent);
    }
    if (m.goAway) {
      known = true;
      this.onGoAway(durationMs(m.goAway.timeLeft));
    }
    if (m.setupComplete || m.voiceActivityDetectionSignal) known = true;
    if (!known) this.countIgnored();
  }

  private onContent(c: NonNullable<ServerMessage['serverContent']>): void {
    for (const part of c.modelTurn?.parts ?? []) {
      const inline = part.inlineData;
      if (typeof inline?.data !== 'string' || !String(inline.mimeType ?? '').startsWith('audio/pcm')) continue;
      this.closeInterruptedTurn();
      this.turnOpen = true;
      this.emit('audio', { data: Buffer.from(inline.data, 'base64'), responseId: `turn_${this.turn}`, itemId: `turn_${this.turn}` });
    }
    const heard = c.inputTranscription?.text;
    if (typeof heard === 'string' && heard) {
      this.userText += heard;
      this.emit('transcript', { role: 'user', text: heard, final: false });
    }
    const said = c.outputTranscription?.text;
    if (typeof said === 'string' && said) {
      this.assistantText += said;
      this.emit('transcript', { role: 'assistant', text: said, final: false });
    }
    if (c.interrupted) {
      // Without voiceActivity, an interruption is the only sign Gemini's VAD heard the caller.
      if (!this.userSpeaking) this.emit('speechStarted', {});
      this.interruptedPending = this.turnOpen || this.interruptedPending;
      this.assistantText = '';
    }
    if (c.turnComplete) this.endTurn();
  }

  /**
   * `turnComplete`: the final transcripts, and one `responseDone` for the turn — `interrupted`
   * when Gemini said so before (interrupted, then turnComplete, is one turn), nothing for a turn
   * with no answer in it.
   */
  private endTurn(): void {
    if (this.userText) this.emit('transcript', { role: 'user', text: this.userText.trim(), final: true });
    if (this.assistantText) this.emit('transcript', { role: 'assistant', text: this.assistantText.trim(), final: true });
    this.userText = '';
    this.assistantText = '';
    if (this.interruptedPending) this.finishTurn('interrupted');
    else if (this.turnOpen) this.finishTurn('completed');
    this.usage = undefined;
  }

  /** An interrupted turn whose `turnComplete` never came: new content starts the next turn. */
  private closeInterruptedTurn(): void {
    if (this.interruptedPending) this.finishTurn('interrupted');
  }

  private finishTurn(status: 'completed' | 'interrupted'): void {
    const usage = this.usage;
    this.usage = undefined;
    this.interruptedPending = false;
    this.turnOpen = false;
    this.emit('responseDone', { responseId: `turn_${this.turn++}`, status, ...(usage && { usage }) });
  }

  /**
   * `goAway`: reconnect with the latest handle now if the session is resumable; otherwise wait
   * for a resumable handle until just before the connection ends, then reconnect with what there
   * is (without any handle the new session starts without the conversation: an `error` says so).
   */
  private onGoAway(timeLeftMs: number | undefined): void {
    if (this.resuming || this.goAwayTimer || !this.ws) return;
    this.logger.debug({ timeLeftMs, resumable: this.resumable }, 'Gemini goAway');
    if (this.resumable) return void this.resume();
    const wait = Math.max(0, (timeLeftMs ?? 0) - GO_AWAY_MARGIN_MS);
    this.goAwayTimer = setTimeout(() => {
      this.goAwayTimer = undefined;
      void this.resume();
    }, wait);
  }

  /** A new connection with the latest handle; caller audio is held meanwhile. */
  private async resume(): Promise<void> {
    if (this.resuming || !this.connectOptions || this.closedByUs) return;
    this.resuming = true;
    const old = this.ws;
    const handle = this.handle;
    if (!handle) {
      this.logger.warn({}, 'Gemini goAway before any resumption handle: the new session starts without the conversation');
      this.report(new ProviderError('Gemini asked to reconnect before the session could be resumed: the conversation so far is lost to the model', 'context_lost'));
    }
    try {
      const next = await this.open({ ...this.connectOptions, signal: undefined }, handle);
      if (this.closedByUs) {
        next.terminate();
        return;
      }
      this.ws = next;
      this.resumptions++;
      old?.removeAllListeners();
      old?.on('error', () => {});
      old?.close(1000);
      for (const { message } of this.held.splice(0)) this.sendOn(next, message);
      this.heldBytes = 0;
    } catch (error) {
      old?.removeAllListeners();
      old?.terminate();
      this.ws = undefined;
      this.emit('close', { error: error instanceof ProviderError ? error : new ProviderError(String(error), 'resume_failed') });
    } finally {
      this.resuming = false;
    }
  }

  /** A failure nobody awaits: to `error` listeners, else logged (never lost). */
  private report(error: ProviderError): void {
    reportError(this, error, this.logger, { provider: this.name });
  }

  private send(message: LiveClientMessage): void {
    this.sendRaw(JSON.stringify(message));
  }

  private sendRaw(text: string | Buffer): void {
    if (this.ws) this.sendOn(this.ws, text);
  }

  /** A text message (a string, or its UTF-8 bytes). */
  private sendOn(ws: WebSocket, text: string | Buffer): void {
    if (ws.readyState !== ws.OPEN) return;
    this.countSent(typeof text === 'string' ? Buffer.byteLength(text) : text.length);
    ws.send(text, { binary: false });
  }
}
