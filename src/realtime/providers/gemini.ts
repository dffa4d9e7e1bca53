/**
 * Google Gemini Live (the `BidiGenerateContent` WebSocket): PCM16 at 16 kHz in, 24 kHz out — a
 * different audio contract from OpenAI's, behind the same {@link RealtimeProvider}. Turns are
 * detected server-side; an interruption arrives as `serverContent.interrupted` and Gemini
 * truncates its own answer. Connections last minutes: on `goAway` the provider reconnects with
 * the latest session-resumption handle, invisibly to the session.
 *
 * @module
 */
import WebSocket from 'ws';
import { ProviderError } from '../../errors.js';
import { reportError } from '../../error-reporting.js';
import { type Logger, defaultLogger } from '../../logger.js';
import { AudioFormats, type AudioFormat } from '../audio-format.js';
import { type ProviderConnectOptions, type RealtimeCapabilities, RealtimeProvider } from '../provider.js';

/** Options of {@link GeminiLiveProvider}. */
export interface GeminiLiveOptions {
  /** Default `GEMINI_API_KEY`, else `GOOGLE_API_KEY`. Never logged. */
  apiKey?: string;
  /** Default `gemini-live-2.5-flash-preview`. */
  model?: string;
  /** WebSocket URL without the key (default Google's `BidiGenerateContent` endpoint); tests point it at a local server. */
  url?: string;
  /** Ms to wait for `setupComplete`. Default 10 000. */
  connectTimeoutMs?: number;
  /** Caller audio held while reconnecting after `goAway`, ms (older is dropped). Default 2 000. */
  resumeBufferMs?: number;
  logger?: Logger;
}

type Message = Record<string, any>;

const DEFAULT_URL = 'wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';

/** Gemini's native-audio Live models. */
export class GeminiLiveProvider extends RealtimeProvider {
  readonly name = 'gemini';
  readonly capabilities: RealtimeCapabilities = { truncation: false, turnDetection: true, userTranscription: true, autoToolReply: true };
  readonly inputFormats: readonly AudioFormat[] = [AudioFormats.PCM16_16K];
  readonly outputFormats: readonly AudioFormat[] = [AudioFormats.PCM16_24K];
  inputFormat: AudioFormat | undefined;
  outputFormat: AudioFormat | undefined;
  /** Reconnections after `goAway`. */
  resumptions = 0;
  ignoredMessages = 0;
  private ws: WebSocket | undefined;
  private readonly logger: Logger;
  private connectOptions: ProviderConnectOptions | undefined;
  private handle: string | undefined;
  private turn = 1;
  private userText = '';
  private assistantText = '';
  private readonly toolNames = new Map<string, string>();
  private held: string[] = [];
  private resuming = false;
  private closedByUs = false;

  constructor(private readonly options: GeminiLiveOptions = {}) {
    super();
    this.logger = options.logger ?? defaultLogger;
  }

  async connect(options: ProviderConnectOptions): Promise<void> {
    this.connectOptions = options;
    this.ws = await this.open(options);
    this.inputFormat = AudioFormats.PCM16_16K;
    this.outputFormat = AudioFormats.PCM16_24K;
  }

  sendAudio(frame: Uint8Array): void {
    const message = JSON.stringify({ realtimeInput: { audio: { data: Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('base64'), mimeType: 'audio/pcm;rate=16000' } } });
    if (this.resuming) {
      this.held.push(message);
      const max = Math.ceil((this.options.resumeBufferMs ?? 2000) / 20);
      if (this.held.length > max) this.held.splice(0, this.held.length - max);
      return;
    }
    this.sendRaw(message);
  }

  sendToolResult(callId: string, result: unknown): void {
    const name = this.toolNames.get(callId) ?? '';
    this.toolNames.delete(callId);
    this.send({ toolResponse: { functionResponses: [{ id: callId, name, response: { result } }] } });
  }

  /** Gemini cuts its answer itself when its VAD hears the caller: nothing to send. */
  interrupt(_options: { playedMs: number }): void {
    this.assistantText = '';
  }

  sendText(text: string): void {
    this.send({ clientContent: { turns: [{ role: 'user', parts: [{ text }] }], turnComplete: true } });
  }

  async close(): Promise<void> {
    const ws = this.ws;
    this.closedByUs = true;
    this.ws = undefined;
    if (!ws) return;
    await new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.once('close', () => resolve());
      ws.close(1000);
      setTimeout(() => (ws.terminate(), resolve()), 1000).unref();
    });
    this.emit('close', { code: 1000 });
  }

  /** Opens a socket, sends `setup` (with the resumption handle when resuming), waits for `setupComplete`. */
  private open(options: ProviderConnectOptions): Promise<WebSocket> {
    const apiKey = this.options.apiKey ?? process.env.GEMINI_API_KEY ?? process.env.GOOGLE_API_KEY;
    if (!apiKey) return Promise.reject(new ProviderError('no Gemini API key: set GEMINI_API_KEY (or GOOGLE_API_KEY) or pass { apiKey }', 'missing_api_key'));
    const url = `${this.options.url ?? DEFAULT_URL}?key=${encodeURIComponent(apiKey)}`;
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      const timeout = this.options.connectTimeoutMs ?? 10_000;
      const timer = setTimeout(() => fail(new ProviderError(`Gemini did not complete setup within ${timeout} ms`, 'timeout')), timeout);
      const onAbort = (): void => fail(options.signal!.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const fail = (error: unknown): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        reject(error);
      };
      ws.once('open', () => ws.send(JSON.stringify(this.setup(options))));
      ws.on('error', (e) => fail(new ProviderError(`Gemini connection failed: ${e.message}`, 'connection', { cause: e })));
      ws.on('close', (code, reason) => fail(new ProviderError(`Gemini closed the connection (${code} ${reason.toString()})`, String(code))));
      ws.on('message', (data) => {
        const m = parse(data);
        if (!m?.setupComplete) return;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        ws.removeAllListeners();
        this.listen(ws);
        resolve(ws);
      });
    });
  }

  private setup(options: ProviderConnectOptions): Message {
    const model = this.options.model ?? 'gemini-live-2.5-flash-preview';
    const declarations = (options.tools ?? []).map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
    return {
      setup: {
        model: model.startsWith('models/') ? model : `models/${model}`,
        generationConfig: {
          responseModalities: ['AUDIO'],
          speechConfig: {
            ...(options.voice && { voiceConfig: { prebuiltVoiceConfig: { voiceName: options.voice } } }),
            ...(options.language && { languageCode: options.language }),
          },
        },
        systemInstruction: { parts: [{ text: options.instructions }] },
        ...(declarations.length > 0 && { tools: [{ functionDeclarations: declarations }] }),
        inputAudioTranscription: {},
        outputAudioTranscription: {},
        sessionResumption: this.handle ? { handle: this.handle } : {},
      },
    };
  }

  private listen(ws: WebSocket): void {
    ws.on('message', (data) => this.onMessage(parse(data)));
    ws.on('error', (e) => reportError(this, new ProviderError(`Gemini connection error: ${e.message}`, 'connection', { cause: e }), this.logger, { provider: this.name }));
    ws.on('close', (code, reason) => {
      if (this.closedByUs || this.resuming || ws !== this.ws) return;
      this.ws = undefined;
      this.emit('close', { code, reason: reason.toString(), error: new ProviderError(`Gemini closed the session (${code} ${reason.toString()})`, String(code)) });
    });
  }

  private onMessage(m: Message | undefined): void {
    if (!m) {
      this.ignoredMessages++;
      return;
    }
    if (m.serverContent) this.onContent(m.serverContent);
    if (m.toolCall) {
      for (const c of m.toolCall.functionCalls ?? []) {
        this.toolNames.set(String(c.id), String(c.name));
        this.emit('toolCall', { id: String(c.id), name: String(c.name), args: c.args && typeof c.args === 'object' ? c.args : {}, responseId: `turn_${this.turn}` });
      }
    }
    if (m.toolCallCancellation) {
      // The caller interrupted before the results came: the model no longer wants them.
      for (const id of m.toolCallCancellation.ids ?? []) this.toolNames.delete(String(id));
      this.emit('responseDone', { responseId: `turn_${this.turn}`, status: 'cancelled' });
    }
    if (m.sessionResumptionUpdate?.newHandle && m.sessionResumptionUpdate.resumable !== false) this.handle = m.sessionResumptionUpdate.newHandle;
    if (m.goAway) void this.resume();
    if (m.error) reportError(this, new ProviderError(`Gemini: ${m.error.message ?? 'error'}`, String(m.error.code ?? m.error.status ?? '')), this.logger, { provider: this.name });
  }

  private onContent(c: Message): void {
    for (const part of c.modelTurn?.parts ?? []) {
      const inline = part.inlineData;
      if (inline?.data && String(inline.mimeType ?? '').startsWith('audio/pcm')) {
        this.emit('audio', { data: Buffer.from(inline.data, 'base64'), responseId: `turn_${this.turn}`, itemId: `turn_${this.turn}` });
      }
    }
    if (c.inputTranscription?.text) {
      this.userText += c.inputTranscription.text;
      this.emit('transcript', { role: 'user', text: c.inputTranscription.text, final: false });
    }
    if (c.outputTranscription?.text) {
      this.assistantText += c.outputTranscription.text;
      this.emit('transcript', { role: 'assistant', text: c.outputTranscription.text, final: false });
    }
    if (c.interrupted) {
      // Gemini has no speech-start event: an interruption is its VAD hearing the caller.
      this.emit('speechStarted', {});
      this.emit('responseDone', { responseId: `turn_${this.turn++}`, status: 'interrupted' });
      this.assistantText = '';
    }
    if (c.turnComplete) {
      if (this.userText) this.emit('transcript', { role: 'user', text: this.userText.trim(), final: true });
      if (this.assistantText) this.emit('transcript', { role: 'assistant', text: this.assistantText.trim(), final: true });
      this.userText = '';
      this.assistantText = '';
      this.emit('responseDone', { responseId: `turn_${this.turn++}`, status: 'completed' });
    }
  }

  /** `goAway`: a new connection with the latest handle; caller audio is held meanwhile. */
  private async resume(): Promise<void> {
    if (this.resuming || !this.connectOptions) return;
    this.resuming = true;
    const old = this.ws;
    try {
      const next = await this.open({ ...this.connectOptions, signal: undefined });
      this.ws = next;
      this.resumptions++;
      old?.removeAllListeners();
      old?.on('error', () => {});
      old?.close(1000);
      for (const m of this.held.splice(0)) next.send(m);
    } catch (error) {
      this.emit('close', { error: error instanceof ProviderError ? error : new ProviderError(String(error), 'resume_failed') });
    } finally {
      this.resuming = false;
    }
  }

  private send(message: Message): void {
    this.sendRaw(JSON.stringify(message));
  }

  private sendRaw(text: string): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
  }
}

function parse(data: WebSocket.RawData): Message | undefined {
  try {
    const v: unknown = JSON.parse(data.toString());
    return v && typeof v === 'object' ? (v as Message) : undefined;
  } catch {
    return undefined;
  }
}
