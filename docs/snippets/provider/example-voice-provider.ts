import type { RawData, WebSocket } from 'ws';
import {
  type AudioFormat,
  AudioFormats,
  chooseFormat,
  ConfigError,
  defaultLogger,
  keepAlive,
  type Logger,
  openVendorSocket,
  type ProviderConnectOptions,
  ProviderError,
  type ProviderWebSocketOptions,
  type RealtimeCapabilities,
  RealtimeProvider,
  rawDataBytes,
  reportError,
} from 'freeswitch-voice-ai';
import type { ClientMessage, ExampleAudio, ServerMessage } from './example-voice-protocol.js';

/** Options of {@link ExampleVoiceProvider}. `webSocket` and `pingIntervalMs` are the shared transport options. */
export interface ExampleVoiceOptions extends ProviderWebSocketOptions {
  /** The vendor's WebSocket URL (a local server in tests). */
  url: string;
  /** Default `process.env.EXAMPLE_VOICE_API_KEY`. Never logged. */
  apiKey?: string;
  /** Ms to wait for `session.ready`. Default 10 000. */
  connectTimeoutMs?: number;
  logger?: Logger;
}

const FORMATS: Record<ExampleAudio, AudioFormat> = { mulaw_8000: AudioFormats.MULAW_8K, pcm16_16000: AudioFormats.PCM16_16K };
type ToolCallMessage = Extract<ServerMessage, { type: 'response.tool_call' }>;

/** Example Voice: µ-law passthrough on PCMU calls, server-side turn detection, truncation on barge-in. */
export class ExampleVoiceProvider extends RealtimeProvider {
  readonly name = 'example-voice';
  // What it does itself; mid-call `updateSession` and `say` keep the base class's defaults (refused, prompted).
  readonly capabilities: RealtimeCapabilities = { truncation: true, turnDetection: true, userTranscription: true, autoToolReply: true };
  readonly inputFormats: readonly AudioFormat[] = [AudioFormats.MULAW_8K, AudioFormats.PCM16_16K];
  readonly outputFormats: readonly AudioFormat[] = this.inputFormats;
  inputFormat: AudioFormat | undefined;
  outputFormat: AudioFormat | undefined;
  private ws: WebSocket | undefined;
  private readonly apiKey: string;
  private readonly logger: Logger;
  /** An answer is being generated (asked for, or started by the vendor): no second one is asked for. */
  private answering = false;
  private readonly waitingTexts: string[] = [];
  /** The answer whose audio is arriving. */
  private speaking: string | undefined;
  /** Answers the caller interrupted: whatever still arrives of them is dropped. */
  private readonly cancelled = new Set<string>();
  /** Tool calls held until their answer completes; calls emitted and not answered yet. */
  private held: ToolCallMessage[] = [];
  private readonly openCalls = new Set<string>();
  private lastError: ProviderError | undefined;
  private stopKeepAlive = (): void => {};

  /** @throws ConfigError naming `EXAMPLE_VOICE_API_KEY` when there is no key: a server fails at start, not on its first call. */
  constructor(private readonly options: ExampleVoiceOptions) {
    super();
    this.logger = options.logger ?? defaultLogger;
    const apiKey = options.apiKey ?? process.env.EXAMPLE_VOICE_API_KEY;
    if (!apiKey) throw new ConfigError('no Example Voice API key: set EXAMPLE_VOICE_API_KEY or pass { apiKey }', 'EXAMPLE_VOICE_API_KEY');
    this.apiKey = apiKey;
  }

  /** Resolves on `session.ready`; rejects with a `ProviderError` (HTTP status, vendor code, close, timeout) or the signal's reason. */
  async connect(options: ProviderConnectOptions): Promise<void> {
    if (this.ws) throw new ProviderError('the Example Voice session is already connected', 'already_connected');
    const asked = chooseFormat(options.callFormat ?? AudioFormats.MULAW_8K, this.inputFormats); // µ-law on a PCMU call
    const tools = (options.tools ?? []).map(({ name, description, parameters }) => ({ name, description, parameters }));
    let socket: WebSocket | undefined;
    try {
      await openVendorSocket({
        vendor: 'Example Voice',
        url: this.options.url,
        webSocket: this.options.webSocket,
        headers: { Authorization: `Bearer ${this.apiKey}` },
        timeoutMs: this.options.connectTimeoutMs ?? 10_000,
        signal: options.signal,
        onSocket: (ws) => (this.ws = socket = ws), // close() during the handshake ends it
        onOpen: () => this.send({ type: 'session.start', instructions: options.instructions, voice: options.voice, language: options.language, audio: asked.encoding === 'mulaw' ? 'mulaw_8000' : 'pcm16_16000', tools }),
        onMessage: (data) => {
          this.countReceived(rawDataBytes(data));
          const m = parse(data);
          if (m?.type === 'error') throw new ProviderError(`Example Voice refused the session: ${m.message}`, m.code);
          if (m?.type !== 'session.ready') return false;
          this.inputFormat = FORMATS[m.audio]; // what the vendor confirmed, not what was asked
          this.outputFormat = FORMATS[m.audio];
          return true;
        },
        onReady: (ws) => this.listen(ws), // at once: the next message may already be in the same TCP segment
      });
    } catch (error) {
      if (this.ws === socket) this.ws = undefined;
      throw error;
    }
  }

  /** Caller audio in {@link inputFormat}, as a binary frame; dropped when not connected. */
  sendAudio(frame: Uint8Array): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) return;
    ws.send(frame);
    this.countSent(frame.byteLength);
  }

  /** A tool's result; one for a call the vendor no longer wants (its answer was interrupted) is not sent. */
  sendToolResult(callId: string, result: unknown): void {
    if (!this.openCalls.delete(callId)) return;
    this.send({ type: 'tool.result', call_id: callId, output: JSON.stringify(result ?? null) });
    if (this.openCalls.size === 0) this.answering = true; // the vendor answers the results by itself
  }

  /** Barge-in: cancel the answer, keep what the caller heard of it, drop what still comes of it. */
  interrupt({ playedMs }: { playedMs: number }): void {
    this.waitingTexts.length = 0; // the caller's new turn supersedes what was waiting
    this.openCalls.clear();
    const id = this.speaking;
    if (id === undefined) return;
    this.cancelled.add(id);
    this.speaking = undefined;
    this.held = this.held.filter((c) => c.response_id !== id);
    this.send({ type: 'response.cancel', heard_ms: Math.max(0, Math.round(playedMs)) });
  }

  /** A user text turn (the greeting, `requestResponse`, `say`): sent once no answer is being generated. */
  sendText(text: string): void {
    if (this.answering) return void this.waitingTexts.push(text);
    this.answering = true;
    this.send({ type: 'text', text });
  }

  /** Closes the socket (code 1000) and emits `close` without an error. */
  async close(): Promise<void> {
    const ws = this.ws;
    if (!ws) return;
    this.ws = undefined;
    this.stopKeepAlive();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => (ws.terminate(), resolve()), 1000);
      ws.once('close', () => (clearTimeout(timer), resolve()));
      ws.close(1000);
    });
    this.emit('close', { code: 1000 });
  }

  private listen(ws: WebSocket): void {
    ws.on('message', (data) => {
      this.countReceived(rawDataBytes(data));
      this.onMessage(parse(data));
    });
    ws.on('error', (e) => {
      this.lastError ??= new ProviderError(`Example Voice connection error: ${e.message}`, 'connection', { cause: e });
    });
    ws.on('close', (code, reason) => {
      this.stopKeepAlive();
      if (this.ws !== ws) return; // our own close()
      this.ws = undefined;
      const error = this.lastError ?? new ProviderError(`Example Voice closed the session (${code} ${reason.toString()})`.trim(), String(code));
      this.emit('close', { code, reason: reason.toString(), error }); // the session falls back
    });
    // A peer that stops answering pings is found within two periods, not when TCP gives up.
    this.stopKeepAlive = keepAlive(ws, this.options.pingIntervalMs ?? 20_000, () => {
      this.lastError ??= new ProviderError('Example Voice stopped answering pings; the socket was dropped', 'unresponsive');
    });
  }

  private onMessage(m: ServerMessage | undefined): void {
    if (!m) return this.countIgnored();
    switch (m.type) {
      case 'speech.started':
        return void this.emit('speechStarted', {});
      case 'speech.stopped':
        return void this.emit('speechStopped', {});
      case 'transcript':
        return void this.emit('transcript', { role: m.role, text: m.text, final: true, itemId: m.response_id });
      case 'response.audio':
        if (this.cancelled.has(m.response_id)) return; // late audio of an interrupted answer
        this.answering = true;
        this.speaking = m.response_id;
        return void this.emit('audio', { data: Buffer.from(m.audio, 'base64'), responseId: m.response_id, itemId: m.response_id });
      case 'response.tool_call':
        if (!this.cancelled.has(m.response_id)) this.held.push(m); // run only once the answer completes
        return;
      case 'response.done':
        return this.onDone(m);
      case 'error': {
        const error = new ProviderError(`Example Voice: ${m.message}`, m.code);
        if (m.fatal) this.lastError = error; // the close that follows carries it
        return void reportError(this, error, this.logger, { provider: this.name });
      }
      default:
        this.countIgnored(); // a message this version does not know
    }
  }

  /** An answer ended: its tool calls run if it completed; the next text turn may go. */
  private onDone(m: Extract<ServerMessage, { type: 'response.done' }>): void {
    const calls = this.held.filter((c) => c.response_id === m.response_id);
    this.held = this.held.filter((c) => c.response_id !== m.response_id);
    const completed = m.status === 'completed' && !this.cancelled.has(m.response_id);
    this.cancelled.delete(m.response_id);
    if (this.speaking === m.response_id) this.speaking = undefined;
    this.answering = false;
    const usage = m.usage && { inputTokens: m.usage.input_tokens, outputTokens: m.usage.output_tokens };
    this.emit('responseDone', { responseId: m.response_id, status: m.status, ...(usage && { usage }) });
    if (completed) for (const call of calls) this.emitToolCall(call);
    const next = this.waitingTexts.shift();
    if (next !== undefined && this.openCalls.size === 0) this.sendText(next);
  }

  private emitToolCall(call: ToolCallMessage): void {
    if (this.openCalls.has(call.call_id)) return; // at most once
    let args: unknown;
    try {
      args = JSON.parse(call.arguments);
    } catch {
      args = undefined;
    }
    if (args === null || typeof args !== 'object' || Array.isArray(args)) {
      reportError(this, new ProviderError(`Example Voice: the arguments of tool ${call.name} are not a JSON object`, 'bad_tool_arguments'), this.logger, { provider: this.name });
      args = {};
    }
    this.openCalls.add(call.call_id);
    this.emit('toolCall', { id: call.call_id, name: call.name, args: args as Record<string, unknown>, responseId: call.response_id });
  }

  private send(message: ClientMessage): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) return;
    const text = JSON.stringify(message);
    ws.send(text);
    this.countSent(Buffer.byteLength(text));
  }
}

/** A server message: a JSON object with a string `type`, else `undefined` (counted as ignored). */
function parse(data: RawData): ServerMessage | undefined {
  try {
    const text = Buffer.isBuffer(data) ? data.toString() : Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data).toString();
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' ? (value as ServerMessage) : undefined;
  } catch {
    return undefined;
  }
}
