/**
 * OpenAI Realtime over WebSocket (the GA interface by default; the beta one with `api: 'beta'`),
 * on OpenAI's endpoint or an Azure OpenAI deployment (`azure`). µ-law (or A-law) in and out on
 * G.711 calls, so nothing is transcoded; server VAD; caller transcription; tools; truncation on
 * barge-in clamped to the audio actually received; answers sequenced so a `response.create` is
 * never sent while a response is active (`conversation_already_has_active_response`) and several
 * tool results of one answer make one `response.create`. Tool calls run only once the model
 * completed them (`response.output_item.done` with status `completed`), as OpenAI's own agents
 * client does: an interrupted or cancelled answer's calls never run. The wire events are in
 * `openai-events.ts`, typed from OpenAI's published types.
 *
 * @module
 */
import type WebSocket from 'ws';
import { ProviderError } from '../../errors.js';
import { reportError } from '../../error-reporting.js';
import { type Logger, defaultLogger } from '../../logger.js';
import { AudioFormats, type AudioFormat, formatName, sameFormat } from '../audio-format.js';
import { type ProviderConnectOptions, type RealtimeCapabilities, RealtimeProvider, type ResponseRequest, type SessionUpdate } from '../provider.js';
import { type AzureOpenAIRealtimeOptions, type OpenAIEndpoint, resolveOpenAIEndpoint } from './openai-endpoint.js';
import {
  type ClientEvent,
  IGNORED_EVENTS,
  type OpenAIApi,
  type ServerEvent,
  buildAppend,
  buildResponseCreate,
  buildSessionPatch,
  buildSessionUpdate,
  buildToolOutput,
  buildTruncate,
  buildUserText,
  completedFunctionCall,
  confirmedFormats,
  failedResponseError,
  num,
  obj,
  parseServerEvent,
  parseToolArguments,
  readServerError,
  readUsage,
  str,
} from './openai-events.js';
import { AudioMessage } from './audio-message.js';
import { keepAlive, openVendorSocket, type ProviderWebSocketOptions, rawDataBytes } from './websocket.js';

export type { OpenAIApi } from './openai-events.js';
export type { AzureOpenAIRealtimeOptions } from './openai-endpoint.js';

/** Options of {@link OpenAIRealtimeProvider}. */
export interface OpenAIRealtimeOptions extends ProviderWebSocketOptions {
  /** Default: the `OPENAI_API_KEY` environment variable (with `azure`: `AZURE_OPENAI_API_KEY`). Checked when the provider is constructed. Never logged. */
  apiKey?: string;
  /** Default `gpt-realtime`. With `azure`, the deployment is the model. */
  model?: string;
  /** WebSocket URL (default OpenAI's realtime endpoint with `?model=`, or the Azure deployment's); point it at a local server in tests. */
  url?: string;
  /** `ga` (default) or `beta` (sends `OpenAI-Beta: realtime=v1` and the beta event names and session shape; for Azure preview API versions and compatible servers). */
  api?: OpenAIApi;
  /** An Azure OpenAI Realtime deployment instead of OpenAI's endpoint (`api-key` header). */
  azure?: AzureOpenAIRealtimeOptions;
  /**
   * Audio on the OpenAI side. `auto` (default): the call's G.711 law when it is one (no
   * transcoding), else PCM16 24 kHz. A fixed choice applies to every call.
   */
  audio?: 'auto' | 'g711_ulaw' | 'g711_alaw' | 'pcm16';
  /** Server VAD tuning. Defaults: threshold 0.5, prefix padding 300 ms, silence 500 ms. */
  turnDetection?: { threshold?: number; prefixPaddingMs?: number; silenceDurationMs?: number };
  /** Transcription model for the caller's speech. Default `gpt-4o-mini-transcribe`; `null` disables. */
  transcriptionModel?: string | null;
  /** Ms to wait for the session (or a mid-call update) to be confirmed. Default 10 000. */
  connectTimeoutMs?: number;
  /** A pino-compatible logger. Default: `defaultLogger`. */
  logger?: Logger;
}

/** `activeResponse` after our `response.create`, before the server's `response.created`. */
const PENDING = '\0pending';
/** `input_audio_buffer.append`, built straight into its bytes (the same in both dialects). */
const APPEND = new AudioMessage(buildAppend);

interface PendingUpdate {
  readonly eventId: string;
  readonly resolve: () => void;
  readonly reject: (error: ProviderError) => void;
  readonly timer: NodeJS.Timeout;
}

/** OpenAI's speech-to-speech models (`gpt-realtime`, ...), on OpenAI or Azure OpenAI. */
export class OpenAIRealtimeProvider extends RealtimeProvider {
  readonly name = 'openai';
  readonly capabilities: RealtimeCapabilities = {
    truncation: true,
    turnDetection: true,
    userTranscription: true,
    autoToolReply: false,
    sessionUpdate: 'live',
    say: 'prompted',
    replyInstructions: 'native',
  };
  readonly inputFormats: readonly AudioFormat[] = [AudioFormats.MULAW_8K, AudioFormats.ALAW_8K, AudioFormats.PCM16_24K];
  readonly outputFormats: readonly AudioFormat[] = [AudioFormats.MULAW_8K, AudioFormats.ALAW_8K, AudioFormats.PCM16_24K];
  /** The caller-audio format the server confirmed (set by {@link connect}). */
  inputFormat: AudioFormat | undefined;
  /** The assistant-audio format the server confirmed (set by {@link connect}). */
  outputFormat: AudioFormat | undefined;
  private ws: WebSocket | undefined;
  private readonly logger: Logger;
  private readonly api: OpenAIApi;
  private readonly endpoint: OpenAIEndpoint;
  /** The response in progress (its id, or {@link PENDING}); `undefined` when none. */
  private activeResponse: string | undefined;
  /** A `response.create` waits for the active response to end and the open tool calls to be answered. */
  private responseWanted = false;
  /** Instructions for the wanted response (the latest request's). */
  private wantedInstructions: string | undefined;
  /** The `event_id` of our last `response.create`, to recognise its errors. */
  private responseCreateId: string | undefined;
  private eventSeq = 0;
  /** Tool calls emitted and not answered yet. */
  private readonly openCalls = new Set<string>();
  /** Tool calls already emitted (a repeated `output_item.done` must not run a call twice). */
  private readonly emittedCalls = new Set<string>();
  /** Mid-call `session.update`s awaiting `session.updated`, oldest first. */
  private readonly updates: PendingUpdate[] = [];
  /** The last assistant audio item and the bytes of it received, for `conversation.item.truncate`. */
  private lastAudioItem: string | undefined;
  private lastAudioBytes = 0;
  private stopPing: () => void = () => {};
  private closedByUs = false;

  /**
   * @param options - see {@link OpenAIRealtimeOptions}; everything has a default.
   * @throws {@link ConfigError} without an API key (naming `OPENAI_API_KEY`, or
   *   `AZURE_OPENAI_API_KEY` with `azure`), so a server fails when it starts, not on each call.
   */
  constructor(private readonly options: OpenAIRealtimeOptions = {}) {
    super();
    this.logger = options.logger ?? defaultLogger;
    this.api = options.api ?? 'ga';
    this.endpoint = resolveOpenAIEndpoint({ apiKey: options.apiKey, model: options.model ?? 'gpt-realtime', url: options.url, api: this.api, azure: options.azure });
  }

  /** Server messages that were not JSON objects with a `type`, or had an unknown `type`: counted, ignored. */
  get ignoredMessages(): number {
    return this.stats.messagesIgnored;
  }

  /**
   * Opens the socket, sends `session.update` and resolves on `session.updated`, with
   * {@link inputFormat} / {@link outputFormat} set to what the server confirmed. Rejects with a
   * `ProviderError` on a refused handshake, an `error` event, a close or a timeout, and with
   * the signal's reason on abort.
   */
  async connect(options: ProviderConnectOptions): Promise<void> {
    if (this.ws) throw new ProviderError('the OpenAI session is already connected', 'already_connected');
    options.signal?.throwIfAborted();
    const format = this.chooseFormat(options.callFormat);
    const td = this.options.turnDetection ?? {};
    const update = buildSessionUpdate(this.api, {
      instructions: options.instructions,
      voice: options.voice,
      language: options.language,
      tools: options.tools ?? [],
      format,
      turnDetection: { threshold: td.threshold ?? 0.5, prefixPaddingMs: td.prefixPaddingMs ?? 300, silenceDurationMs: td.silenceDurationMs ?? 500 },
      transcriptionModel: this.options.transcriptionModel === undefined ? 'gpt-4o-mini-transcribe' : this.options.transcriptionModel,
    });
    this.closedByUs = false;
    this.logger.debug({ target: this.endpoint.kind, api: this.api, format: formatName(format) }, 'OpenAI realtime connecting');
    let socket: WebSocket | undefined;
    try {
      await openVendorSocket({
        vendor: 'OpenAI',
        url: this.endpoint.url,
        webSocket: this.options.webSocket,
        headers: this.endpoint.headers,
        timeoutMs: this.options.connectTimeoutMs ?? 10_000,
        signal: options.signal,
        onSocket: (ws) => (this.ws = socket = ws), // close() during the handshake ends it
        onOpen: () => this.send(update),
        onMessage: (data) => {
          this.countReceived(rawDataBytes(data));
          const event = parseServerEvent(data);
          if (event?.type === 'error') throw readServerError(event).error;
          if (event?.type !== 'session.updated') return false;
          this.setFormats(event, format);
          return true;
        },
        onReady: (ws) => this.listen(ws),
      });
    } catch (error) {
      if (this.ws === socket) this.ws = undefined;
      throw error;
    }
  }

  /** Sends caller audio in {@link inputFormat} (`input_audio_buffer.append`, base64). Dropped when not connected. */
  sendAudio(frame: Uint8Array): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) return;
    const message = APPEND.encode(frame);
    this.countSent(message.length);
    ws.send(message, { binary: false });
  }

  /**
   * Adds a `function_call_output` item, then asks for the next answer once no response is
   * active and every open tool call has its result (one `response.create` for all of them).
   */
  sendToolResult(callId: string, result: unknown): void {
    this.openCalls.delete(callId);
    let output: string;
    try {
      output = JSON.stringify(result ?? null);
    } catch (e) {
      this.report(new ProviderError(`the result of tool call ${callId} is not serialisable as JSON`, 'bad_tool_result', { cause: e }));
      output = JSON.stringify({ error: 'the tool result could not be serialised' });
    }
    this.send(buildToolOutput(callId, output));
    this.queueResponse();
  }

  /**
   * Barge-in: `response.cancel` when a response is active, and `conversation.item.truncate` of the
   * last assistant audio item at `audio_end_ms = playedMs` (clamped to the audio received, as the
   * server rejects a longer one). Queued answer requests and open tool calls are dropped: the
   * caller's new turn supersedes them.
   */
  interrupt(options: { playedMs: number }): void {
    if (this.activeResponse) this.send({ type: 'response.cancel' });
    this.responseWanted = false;
    this.wantedInstructions = undefined;
    this.openCalls.clear();
    const item = this.lastAudioItem;
    if (!item) return;
    const receivedMs = Math.floor(this.lastAudioBytes / bytesPerMs(this.outputFormat));
    const audioEndMs = Math.min(receivedMs, Math.max(0, Math.round(Number.isFinite(options.playedMs) ? options.playedMs : 0)));
    this.send(buildTruncate(item, audioEndMs));
    this.lastAudioItem = undefined;
    this.lastAudioBytes = 0;
  }

  /** A user text turn (`conversation.item.create` with `input_text`), then an answer, sequenced. */
  sendText(text: string): void {
    this.send(buildUserText(text));
    this.queueResponse();
  }

  /** `response.create` with `response.instructions` for that one answer (they override the session's), sequenced. */
  override requestResponse(request: ResponseRequest = {}): void {
    this.queueResponse(request.instructions);
  }

  /**
   * A mid-call `session.update` with only the changed fields; resolves on the server's
   * `session.updated`, rejects with its `error` (or a timeout).
   */
  override updateSession(update: SessionUpdate): Promise<void> {
    if (!this.ws) return Promise.reject(new ProviderError('the OpenAI session is not connected', 'not_connected'));
    const eventId = `fva_${++this.eventSeq}`;
    return new Promise<void>((resolve, reject) => {
      const timeout = this.options.connectTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        this.dropUpdate(eventId);
        reject(new ProviderError(`OpenAI did not confirm the session update within ${timeout} ms`, 'timeout'));
      }, timeout);
      this.updates.push({ eventId, resolve, reject, timer });
      this.send(buildSessionPatch(this.api, update, eventId));
    });
  }

  /** Muted caller: the half-heard input is discarded (`input_audio_buffer.clear`). */
  override pauseInput(): void {
    this.send({ type: 'input_audio_buffer.clear' });
  }

  /** Closes the socket (code 1000) and emits `close` without an error. */
  async close(): Promise<void> {
    const ws = this.ws;
    if (!ws) return;
    this.closedByUs = true;
    this.ws = undefined;
    this.stopPing();
    this.failUpdates(new ProviderError('the OpenAI session closed', 'closed'));
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => (ws.terminate(), resolve()), 1000);
        timer.unref();
        ws.once('close', () => (clearTimeout(timer), resolve()));
        ws.close(1000);
      });
    }
    this.emit('close', { code: 1000 });
  }

  private chooseFormat(call: AudioFormat | undefined): AudioFormat {
    const pref = this.options.audio ?? 'auto';
    if (pref === 'g711_ulaw') return AudioFormats.MULAW_8K;
    if (pref === 'g711_alaw') return AudioFormats.ALAW_8K;
    if (pref === 'pcm16' || !call) return AudioFormats.PCM16_24K;
    return this.inputFormats.find((f) => sameFormat(f, call)) ?? AudioFormats.PCM16_24K;
  }

  /** Reads the formats the server confirmed (a mismatch would be heard as static). */
  private setFormats(event: { readonly session?: unknown }, asked: AudioFormat): void {
    const confirmed = confirmedFormats(event);
    this.inputFormat = confirmed.input ?? asked;
    this.outputFormat = confirmed.output ?? asked;
    if (!sameFormat(this.inputFormat, asked) || !sameFormat(this.outputFormat, asked)) {
      this.logger.warn({ asked: formatName(asked), input: formatName(this.inputFormat), output: formatName(this.outputFormat) }, 'OpenAI confirmed other audio formats than asked');
    }
  }

  private listen(ws: WebSocket): void {
    ws.on('message', (data) => {
      this.countReceived(rawDataBytes(data));
      this.onEvent(parseServerEvent(data));
    });
    ws.on('error', (e) => this.report(new ProviderError(`OpenAI connection error: ${e.message}`, 'connection', { cause: e })));
    ws.on('close', (code, reason) => {
      this.stopPing();
      if (this.closedByUs) return;
      this.ws = undefined;
      const error = new ProviderError(`OpenAI closed the session (${code} ${reason.toString()})`, String(code));
      this.failUpdates(error);
      this.logger.warn({ code, reason: reason.toString() }, 'OpenAI realtime socket closed');
      this.emit('close', { code, reason: reason.toString(), error });
    });
    this.stopPing = keepAlive(ws, this.options.pingIntervalMs ?? 20_000, () => this.logger.warn({ everyMs: this.options.pingIntervalMs ?? 20_000 }, 'OpenAI realtime peer unresponsive; dropping the socket'));
  }

  private onEvent(e: ServerEvent | undefined): void {
    if (!e) return this.countIgnored();
    switch (e.type) {
      case 'response.created':
        this.activeResponse = str(obj(e.response)?.id) ?? PENDING;
        return;
      case 'response.output_audio.delta':
      case 'response.audio.delta':
        return this.onAudio(e.delta, str(e.item_id), str(e.response_id));
      case 'response.output_audio_transcript.delta':
      case 'response.audio_transcript.delta':
        return void this.emit('transcript', { role: 'assistant', text: str(e.delta) ?? '', final: false, itemId: str(e.item_id) });
      case 'response.output_audio_transcript.done':
      case 'response.audio_transcript.done':
        return void this.emit('transcript', { role: 'assistant', text: str(e.transcript) ?? '', final: true, itemId: str(e.item_id) });
      case 'conversation.item.input_audio_transcription.delta':
        return void this.emit('transcript', { role: 'user', text: str(e.delta) ?? '', final: false, itemId: str(e.item_id) });
      case 'conversation.item.input_audio_transcription.completed':
        return void this.emit('transcript', { role: 'user', text: str(e.transcript) ?? '', final: true, itemId: str(e.item_id) });
      case 'conversation.item.input_audio_transcription.failed': {
        const { error } = readServerError(e);
        return void this.report(new ProviderError(`OpenAI could not transcribe the caller: ${error.message}`, error.providerCode ?? 'transcription_failed'));
      }
      case 'input_audio_buffer.speech_started':
        return void this.emit('speechStarted', { audioStartMs: num(e.audio_start_ms) });
      case 'input_audio_buffer.speech_stopped':
        return void this.emit('speechStopped', { audioEndMs: num(e.audio_end_ms) });
      case 'response.output_item.done':
        return this.onItemDone(e.item, str(e.response_id));
      case 'response.done':
        return this.onResponseDone(obj(e.response) ?? {});
      case 'session.updated':
        return this.settleUpdate();
      case 'error':
        return this.onServerError(e);
      default:
        if (IGNORED_EVENTS.has(e.type)) return;
        this.countIgnored();
        this.logger.debug({ type: e.type }, 'OpenAI realtime: unknown server event ignored');
    }
  }

  private onAudio(delta: unknown, itemId: string | undefined, responseId: string | undefined): void {
    const base64 = str(delta);
    if (base64 === undefined) return this.countIgnored();
    const data = Buffer.from(base64, 'base64');
    if (itemId !== this.lastAudioItem) {
      this.lastAudioItem = itemId;
      this.lastAudioBytes = 0;
    }
    this.lastAudioBytes += data.byteLength;
    this.emit('audio', { data, responseId, itemId });
  }

  /**
   * A finished output item: a `function_call` the model `completed` is a tool call (an
   * interrupted, incomplete or cancelled one is not, even though `function_call_arguments.done`
   * was sent for it). The name comes from the item, in both dialects.
   */
  private onItemDone(item: unknown, responseId: string | undefined): void {
    const call = completedFunctionCall(item);
    if (!call || this.emittedCalls.has(call.callId)) return;
    this.emittedCalls.add(call.callId);
    if (this.emittedCalls.size > 256) this.emittedCalls.delete(this.emittedCalls.values().next().value!);
    let args = parseToolArguments(call.arguments);
    if (!args) {
      this.report(new ProviderError(`OpenAI: the arguments of tool ${call.name} are not a JSON object`, 'bad_tool_arguments'));
      args = {};
    }
    this.openCalls.add(call.callId);
    this.emit('toolCall', { id: call.callId, name: call.name, args, responseId });
  }

  private onResponseDone(response: Record<string, unknown>): void {
    const id = str(response.id);
    // Our response.create still pending and another answer ends: ours is still to come.
    if (!(this.activeResponse === PENDING && id !== undefined)) this.activeResponse = undefined;
    const failure = failedResponseError(response);
    if (failure) this.report(failure);
    const usage = readUsage(response);
    this.emit('responseDone', { responseId: id, status: str(response.status), ...(usage && { usage }) });
    if (this.responseWanted) this.queueResponse(this.wantedInstructions);
  }

  private onServerError(e: { readonly error?: unknown }): void {
    const { error, eventId } = readServerError(e);
    const update = eventId === undefined ? undefined : this.updates.find((u) => u.eventId === eventId);
    if (update) {
      this.dropUpdate(update.eventId);
      return update.reject(error);
    }
    const ours = eventId !== undefined && eventId === this.responseCreateId;
    if (error.providerCode === 'conversation_already_has_active_response') {
      // Our response.create crossed one the server started itself (server VAD): ask again after it.
      if (this.activeResponse === PENDING) this.activeResponse = undefined;
      this.responseWanted = true;
      this.logger.debug({ eventId }, 'OpenAI realtime: response.create deferred behind an active response');
      return;
    }
    if (ours && this.activeResponse === PENDING) this.activeResponse = undefined;
    if (error.providerCode === 'response_cancel_not_active') {
      // A cancel that crossed the response's natural end: harmless.
      this.logger.debug({}, 'OpenAI realtime: nothing to cancel');
      return;
    }
    this.report(error);
  }

  /** `response.create` now, or once no response is active and every open tool call is answered. */
  private queueResponse(instructions?: string): void {
    if (instructions !== undefined) this.wantedInstructions = instructions;
    if (this.activeResponse !== undefined || this.openCalls.size > 0) {
      this.responseWanted = true;
      return;
    }
    if (!this.ws) return;
    const wanted = this.wantedInstructions;
    this.responseWanted = false;
    this.wantedInstructions = undefined;
    this.activeResponse = PENDING;
    this.responseCreateId = `fva_${++this.eventSeq}`;
    this.send(buildResponseCreate(this.responseCreateId, wanted));
  }

  /** The oldest mid-call update is confirmed. */
  private settleUpdate(): void {
    const update = this.updates.shift();
    if (!update) return;
    clearTimeout(update.timer);
    update.resolve();
  }

  private dropUpdate(eventId: string): void {
    const at = this.updates.findIndex((u) => u.eventId === eventId);
    if (at < 0) return;
    clearTimeout(this.updates[at]!.timer);
    this.updates.splice(at, 1);
  }

  private failUpdates(error: ProviderError): void {
    for (const u of this.updates.splice(0)) {
      clearTimeout(u.timer);
      u.reject(error);
    }
  }

  /** A failure nobody awaits: to `error` listeners, else logged (never lost). */
  private report(error: ProviderError): void {
    reportError(this, error, this.logger, { provider: this.name });
  }

  private send(event: ClientEvent): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) return;
    const text = JSON.stringify(event);
    this.countSent(Buffer.byteLength(text));
    ws.send(text);
  }
}

/** Bytes per ms of assistant audio (µ-law/A-law 8 kHz: 8; PCM16 24 kHz: 48). */
function bytesPerMs(format: AudioFormat | undefined): number {
  const f = format ?? AudioFormats.PCM16_24K;
  return (f.sampleRate / 1000) * (f.encoding === 'pcm16' ? 2 : 1);
}
