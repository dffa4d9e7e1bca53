/**
 * OpenAI Realtime over WebSocket, following OpenAI's documented client and server events (the
 * GA interface by default; the beta one with `api: 'beta'`). µ-law in and out on PCMU calls, so
 * nothing is transcoded; server VAD; tools; truncation on barge-in; answers sequenced so a
 * second `response.create` is never sent while one is active.
 *
 * @module
 */
import WebSocket from 'ws';
import { ProviderError } from '../../errors.js';
import { type Logger, silentLogger } from '../../logger.js';
import { AudioFormats, type AudioFormat, sameFormat } from '../audio-format.js';
import { type ProviderConnectOptions, type RealtimeCapabilities, RealtimeProvider } from '../provider.js';

/** Options of {@link OpenAIRealtimeProvider}. */
export interface OpenAIRealtimeOptions {
  /** Default `process.env.OPENAI_API_KEY`. Never logged. */
  apiKey?: string;
  /** Default `gpt-realtime`. */
  model?: string;
  /** WebSocket URL (default OpenAI's, with `?model=`); point it at a local server in tests. */
  url?: string;
  /** `ga` (default) or `beta` event names and session shape. */
  api?: 'ga' | 'beta';
  /** Server VAD tuning. */
  turnDetection?: { threshold?: number; prefixPaddingMs?: number; silenceDurationMs?: number };
  /** Transcription model for the caller's speech. Default `gpt-4o-mini-transcribe`; `null` disables. */
  transcriptionModel?: string | null;
  /** Ms to wait for the session to be confirmed. Default 10 000. */
  connectTimeoutMs?: number;
  logger?: Logger;
}

type ServerEvent = { type?: string; [key: string]: unknown };

const DEFAULT_URL = 'wss://api.openai.com/v1/realtime';

/** OpenAI's speech-to-speech models. */
export class OpenAIRealtimeProvider extends RealtimeProvider {
  readonly name = 'openai';
  readonly capabilities: RealtimeCapabilities = { truncation: true, turnDetection: true, userTranscription: true, autoToolReply: false };
  readonly inputFormats: readonly AudioFormat[] = [AudioFormats.MULAW_8K, AudioFormats.ALAW_8K, AudioFormats.PCM16_24K];
  readonly outputFormats: readonly AudioFormat[] = [AudioFormats.MULAW_8K, AudioFormats.ALAW_8K, AudioFormats.PCM16_24K];
  inputFormat: AudioFormat | undefined;
  outputFormat: AudioFormat | undefined;
  /** Messages from the server that were not JSON or had no known type: counted, ignored. */
  ignoredMessages = 0;
  private ws: WebSocket | undefined;
  private readonly logger: Logger;
  private readonly api: 'ga' | 'beta';
  private activeResponse: string | undefined;
  private responseWanted = false;
  /** The last assistant audio item, for `conversation.item.truncate`. */
  private lastAudioItem: string | undefined;
  private closedByUs = false;

  constructor(private readonly options: OpenAIRealtimeOptions = {}) {
    super();
    this.logger = options.logger ?? silentLogger;
    this.api = options.api ?? 'ga';
  }

  async connect(options: ProviderConnectOptions): Promise<void> {
    const apiKey = this.options.apiKey ?? process.env.OPENAI_API_KEY;
    if (!apiKey) throw new ProviderError('no OpenAI API key: set OPENAI_API_KEY or pass { apiKey }', 'missing_api_key');
    const model = this.options.model ?? 'gpt-realtime';
    const url = this.options.url ?? `${DEFAULT_URL}?model=${encodeURIComponent(model)}`;
    const headers: Record<string, string> = { Authorization: `Bearer ${apiKey}` };
    if (this.api === 'beta') headers['OpenAI-Beta'] = 'realtime=v1';
    const format = options.callFormat && this.inputFormats.find((f) => sameFormat(f, options.callFormat!)) ? options.callFormat : AudioFormats.PCM16_24K;
    const ws = new WebSocket(url, { headers });
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      const timeout = this.options.connectTimeoutMs ?? 10_000;
      const timer = setTimeout(() => fail(new ProviderError(`OpenAI did not confirm the session within ${timeout} ms`, 'timeout')), timeout);
      const onAbort = (): void => fail(options.signal!.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: unknown): void => {
        done();
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        reject(error);
      };
      ws.once('open', () => this.send(this.sessionUpdate(options, format)));
      ws.once('unexpected-response', (_req, res) => fail(new ProviderError(`OpenAI refused the connection: HTTP ${res.statusCode}`, String(res.statusCode))));
      ws.on('error', (e) => fail(new ProviderError(`OpenAI connection failed: ${e.message}`, 'connection', { cause: e })));
      ws.on('close', (code, reason) => fail(new ProviderError(`OpenAI closed the connection (${code} ${reason.toString()})`, String(code))));
      ws.on('message', (data) => {
        const event = parse(data);
        if (event?.type === 'error') return fail(toError(event));
        if (event?.type !== 'session.updated') return;
        done();
        this.setFormats(event, format);
        ws.removeAllListeners();
        this.listen(ws);
        resolve();
      });
    });
  }

  sendAudio(frame: Uint8Array): void {
    this.send({ type: 'input_audio_buffer.append', audio: Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('base64') });
  }

  sendToolResult(callId: string, result: unknown): void {
    this.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output: JSON.stringify(result) } });
    this.requestResponse();
  }

  interrupt(options: { playedMs: number }): void {
    if (this.activeResponse) this.send({ type: 'response.cancel' });
    if (this.lastAudioItem) {
      this.send({ type: 'conversation.item.truncate', item_id: this.lastAudioItem, content_index: 0, audio_end_ms: Math.max(0, Math.round(options.playedMs)) });
    }
    this.responseWanted = false;
  }

  sendText(text: string): void {
    this.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
    this.requestResponse();
  }

  async close(): Promise<void> {
    const ws = this.ws;
    if (!ws) return;
    this.closedByUs = true;
    this.ws = undefined;
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1000);
        setTimeout(() => (ws.terminate(), resolve()), 1000).unref();
      });
    }
    this.emit('close', { code: 1000 });
  }

  /** `response.create` now, or as soon as the active response is done (never two at once). */
  private requestResponse(): void {
    if (this.activeResponse) this.responseWanted = true;
    else {
      this.responseWanted = false;
      this.activeResponse = 'pending';
      this.send({ type: 'response.create' });
    }
  }

  private sessionUpdate(options: ProviderConnectOptions, format: AudioFormat): object {
    const td = this.options.turnDetection ?? {};
    const turnDetection = { type: 'server_vad', threshold: td.threshold ?? 0.5, prefix_padding_ms: td.prefixPaddingMs ?? 300, silence_duration_ms: td.silenceDurationMs ?? 500 };
    const tools = (options.tools ?? []).map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.parameters }));
    const transcription = this.options.transcriptionModel === null ? null : { model: this.options.transcriptionModel ?? 'gpt-4o-mini-transcribe', ...(options.language && { language: options.language.slice(0, 2) }) };
    if (this.api === 'beta') {
      const f = format.encoding === 'mulaw' ? 'g711_ulaw' : format.encoding === 'alaw' ? 'g711_alaw' : 'pcm16';
      return {
        type: 'session.update',
        session: { modalities: ['audio', 'text'], instructions: options.instructions, voice: options.voice, input_audio_format: f, output_audio_format: f, turn_detection: turnDetection, input_audio_transcription: transcription, tools, tool_choice: 'auto' },
      };
    }
    const f = format.encoding === 'mulaw' ? { type: 'audio/pcmu' } : format.encoding === 'alaw' ? { type: 'audio/pcma' } : { type: 'audio/pcm', rate: 24000 };
    return {
      type: 'session.update',
      session: {
        type: 'realtime',
        output_modalities: ['audio'],
        instructions: options.instructions,
        audio: { input: { format: f, turn_detection: turnDetection, transcription }, output: { format: f, ...(options.voice && { voice: options.voice }) } },
        tools,
        tool_choice: 'auto',
      },
    };
  }

  /** Reads the formats the server confirmed (a mismatch would be heard as static). */
  private setFormats(event: ServerEvent, asked: AudioFormat): void {
    const session = (event.session ?? {}) as Record<string, any>;
    const read = (v: unknown): AudioFormat | undefined => {
      const t = typeof v === 'string' ? v : (v as { type?: string } | undefined)?.type;
      if (t === 'g711_ulaw' || t === 'audio/pcmu') return AudioFormats.MULAW_8K;
      if (t === 'g711_alaw' || t === 'audio/pcma') return AudioFormats.ALAW_8K;
      if (t === 'pcm16' || t === 'audio/pcm') return AudioFormats.PCM16_24K;
      return undefined;
    };
    this.inputFormat = read(session.audio?.input?.format ?? session.input_audio_format) ?? asked;
    this.outputFormat = read(session.audio?.output?.format ?? session.output_audio_format) ?? asked;
    if (!sameFormat(this.inputFormat, asked) || !sameFormat(this.outputFormat, asked)) {
      this.logger.warn({ asked, input: this.inputFormat, output: this.outputFormat }, 'OpenAI confirmed other audio formats than asked');
    }
  }

  private listen(ws: WebSocket): void {
    ws.on('message', (data) => this.onEvent(parse(data)));
    ws.on('error', (e) => this.emit('error', new ProviderError(`OpenAI connection error: ${e.message}`, 'connection', { cause: e })));
    ws.on('close', (code, reason) => {
      if (this.closedByUs) return;
      this.ws = undefined;
      const error = new ProviderError(`OpenAI closed the session (${code} ${reason.toString()})`, String(code));
      this.emit('close', { code, reason: reason.toString(), error });
    });
  }

  private onEvent(e: ServerEvent | undefined): void {
    if (!e?.type) {
      this.ignoredMessages++;
      return;
    }
    switch (e.type) {
      case 'response.created':
        this.activeResponse = String((e.response as { id?: string })?.id ?? 'active');
        return;
      case 'response.output_audio.delta':
      case 'response.audio.delta':
        this.lastAudioItem = e.item_id as string;
        this.emit('audio', { data: Buffer.from(String(e.delta ?? ''), 'base64'), responseId: e.response_id as string, itemId: e.item_id as string });
        return;
      case 'response.output_audio_transcript.delta':
      case 'response.audio_transcript.delta':
        this.emit('transcript', { role: 'assistant', text: String(e.delta ?? ''), final: false, itemId: e.item_id as string });
        return;
      case 'response.output_audio_transcript.done':
      case 'response.audio_transcript.done':
        this.emit('transcript', { role: 'assistant', text: String(e.transcript ?? ''), final: true, itemId: e.item_id as string });
        return;
      case 'conversation.item.input_audio_transcription.delta':
        this.emit('transcript', { role: 'user', text: String(e.delta ?? ''), final: false, itemId: e.item_id as string });
        return;
      case 'conversation.item.input_audio_transcription.completed':
        this.emit('transcript', { role: 'user', text: String(e.transcript ?? ''), final: true, itemId: e.item_id as string });
        return;
      case 'input_audio_buffer.speech_started':
        this.emit('speechStarted', { audioStartMs: e.audio_start_ms as number });
        return;
      case 'input_audio_buffer.speech_stopped':
        this.emit('speechStopped', { audioEndMs: e.audio_end_ms as number });
        return;
      case 'response.function_call_arguments.done':
        return this.onToolCall(e);
      case 'response.done': {
        const r = (e.response ?? {}) as { id?: string; status?: string };
        this.activeResponse = undefined;
        this.emit('responseDone', { responseId: r.id, status: r.status });
        if (this.responseWanted) this.requestResponse();
        return;
      }
      case 'error':
        return void this.emit('error', toError(e));
      default:
        return; // session.*, rate_limits.updated, conversation.item.*, ...: nothing to do
    }
  }

  private onToolCall(e: ServerEvent): void {
    let args: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(String(e.arguments ?? '{}'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) args = parsed as Record<string, unknown>;
    } catch {
      this.emit('error', new ProviderError(`tool ${String(e.name)} sent arguments that are not JSON`, 'bad_tool_arguments'));
    }
    this.emit('toolCall', { id: String(e.call_id), name: String(e.name), args, responseId: e.response_id as string });
  }

  private send(event: object): void {
    const ws = this.ws;
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(event));
  }
}

function parse(data: WebSocket.RawData): ServerEvent | undefined {
  try {
    const v: unknown = JSON.parse(data.toString());
    return v && typeof v === 'object' ? (v as ServerEvent) : undefined;
  } catch {
    return undefined;
  }
}

function toError(e: ServerEvent): ProviderError {
  const err = (e.error ?? {}) as { message?: string; code?: string; type?: string };
  return new ProviderError(`OpenAI: ${err.message ?? 'error'}`, err.code ?? err.type);
}
