/**
 * Deepgram's Voice Agent API: one socket that listens (STT), thinks (an LLM of your choice) and
 * speaks (TTS). µ-law (or A-law) 8 kHz in and out on G.711 calls, so nothing is transcoded;
 * binary audio both ways; `UserStartedSpeaking` as the barge-in signal with the interrupted
 * answer's late audio dropped; client-side functions both ways (`FunctionCallRequest` /
 * `FunctionCallResponse`, `FunctionCallCancelled` honoured, side-effect tools held until the
 * caller's turn is confirmed); `KeepAlive` while no audio flows. The wire messages are in
 * `deepgram-events.ts`, with the documents followed.
 *
 * @module
 */
import type WebSocket from 'ws';
import { ConfigError, ProviderError } from '../../errors.js';
import { reportError } from '../../error-reporting.js';
import { type Logger, defaultLogger } from '../../logger.js';
import { AudioFormats, type AudioFormat, chooseFormat, formatName } from '../audio-format.js';
import { type ProviderConnectOptions, type RealtimeCapabilities, RealtimeProvider, type SessionUpdate, type ToolDefinition } from '../provider.js';
import {
  IGNORED_MESSAGES,
  KEEP_ALIVE,
  REGION_URLS,
  type DeepgramEndpoint,
  type DeepgramListenProvider,
  type DeepgramRegion,
  type DeepgramSpeakProvider,
  type DeepgramThinkProvider,
  type ServerMessage,
  buildSettings,
  buildThink,
  functionCallResponse,
  injectAgentMessage,
  injectUserMessage,
  parseArguments,
  readCancelledIds,
  readFunctionCalls,
  readServerError,
  updateThink,
} from './deepgram-events.js';
import { vendorVariable } from './vendor-env.js';
import { closeSocket, messageBytes, parseTypedJson } from './vendor-socket.js';
import { keepAlive, type ProviderWebSocketOptions, rawDataBytes, VendorHandshake } from './websocket.js';

export type { DeepgramEndpoint, DeepgramListenProvider, DeepgramRegion, DeepgramSpeakProvider, DeepgramThinkProvider } from './deepgram-events.js';

/** Options of {@link DeepgramVoiceAgentProvider}. */
export interface DeepgramVoiceAgentOptions extends ProviderWebSocketOptions {
  /** Default: the `DEEPGRAM_API_KEY` environment variable. Never logged. */
  apiKey?: string;
  /** Where the agent runs (data residency). Default `global`. */
  region?: DeepgramRegion;
  /** The socket URL, instead of the region's (a Dedicated or self-hosted endpoint; a local server in tests). */
  url?: string;
  /**
   * Audio on the Deepgram side. `auto` (default): the call's G.711 law (µ-law or A-law 8 kHz,
   * passthrough), else linear16 at the call's rate. A fixed choice applies to every call.
   */
  audio?: 'auto' | 'mulaw' | 'alaw' | 'linear16';
  /** Speech-to-text. Default `{ type: 'deepgram', version: 'v1', model: 'nova-3' }` with the session's language. */
  listen?: DeepgramListenProvider;
  /** The LLM. Default `{ type: 'open_ai', model: 'gpt-4o-mini' }`. */
  think?: DeepgramThinkProvider;
  /** A custom LLM endpoint (needed for some think providers). */
  thinkEndpoint?: DeepgramEndpoint;
  /** Text-to-speech. Default `{ type: 'deepgram', model: <the session's voice, or 'aura-2-thalia-en'> }`. */
  speak?: DeepgramSpeakProvider;
  /** A custom TTS endpoint (needed for non-Deepgram speak providers). */
  speakEndpoint?: DeepgramEndpoint;
  /** Said by the agent as soon as the session starts (`agent.greeting`), instead of the session's greeting turn. */
  greeting?: string;
  /**
   * Tools held until the caller's turn is confirmed (`defer_until_eot`): a call for a turn the
   * caller then continues is discarded before it runs. Default `['transfer_call', 'hangup_call']`.
   */
  deferTools?: readonly string[];
  /** Opt out of Deepgram's Model Improvement Program (`mip_opt_out`). */
  mipOptOut?: boolean;
  /** Tags for Deepgram's usage reports. */
  tags?: readonly string[];
  /** `KeepAlive` after this long without sending anything, ms. Default 5 000 (Deepgram's example); 0 disables. */
  keepAliveMs?: number;
  /** Ms to wait for `SettingsApplied`, and for `ThinkUpdated` after {@link DeepgramVoiceAgentProvider.updateSession}. Default 10 000. */
  connectTimeoutMs?: number;
  /** A pino-compatible logger. Default: `defaultLogger`. */
  logger?: Logger;
}

const PCM16_48K: AudioFormat = { encoding: 'pcm16', sampleRate: 48000 };

/** An `UpdateThink` awaiting `ThinkUpdated`. */
interface PendingUpdate {
  readonly resolve: () => void;
  readonly reject: (error: ProviderError) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Deepgram's Voice Agent.
 *
 * ```ts
 * const provider = new DeepgramVoiceAgentProvider({ think: { type: 'open_ai', model: 'gpt-4o-mini' } }); // DEEPGRAM_API_KEY
 * ```
 */
export class DeepgramVoiceAgentProvider extends RealtimeProvider {
  readonly name = 'deepgram';
  /**
   * Instructions and tools change live (`UpdateThink`); `say` is native (`InjectAgentMessage`:
   * the agent says exactly the text); instructions for one answer are a user turn.
   */
  readonly capabilities: RealtimeCapabilities = {
    truncation: false,
    turnDetection: true,
    userTranscription: true,
    autoToolReply: true,
    sessionUpdate: 'live',
    say: 'native',
    replyInstructions: 'prompted',
  };
  readonly inputFormats: readonly AudioFormat[] = [AudioFormats.MULAW_8K, AudioFormats.ALAW_8K, AudioFormats.PCM16_8K, AudioFormats.PCM16_16K, AudioFormats.PCM16_24K, PCM16_48K];
  readonly outputFormats: readonly AudioFormat[] = this.inputFormats;
  /** The caller-audio format `Settings` asked for, confirmed by `SettingsApplied` (set by {@link connect}). */
  inputFormat: AudioFormat | undefined;
  /** The agent-audio format `Settings` asked for, confirmed by `SettingsApplied` (set by {@link connect}). */
  outputFormat: AudioFormat | undefined;
  /** Deepgram's `request_id` of the session (from `Welcome`), for its support and logs. */
  requestId: string | undefined;
  /** Audio of interrupted answers that arrived after the interruption and was dropped. */
  droppedAudioChunks = 0;
  private ws: WebSocket | undefined;
  /** A handshake in progress: `close()` ends it (the connect then rejects). */
  private readonly handshake = new VendorHandshake();
  private readonly logger: Logger;
  private readonly apiKey: string;
  /** The answer whose audio is arriving. */
  private speaking: string | undefined;
  private turn = 0;
  /** Between an interruption and the next turn: late audio of the cut answer is dropped. */
  private dropping = false;
  /** Client-side calls asked for and not answered: id → function name. */
  private readonly openCalls = new Map<string, string>();
  /** What the agent thinks with now (the prompt and functions of the last `Settings` / `UpdateThink`). */
  private think: { instructions: string; tools: readonly ToolDefinition[] } = { instructions: '', tools: [] };
  /** `UpdateThink`s awaiting `ThinkUpdated`, oldest first. */
  private readonly updates: PendingUpdate[] = [];
  private sentSinceKeepAlive = false;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private lastError: ProviderError | undefined;
  private stopWatch: () => void = () => {};
  private closedByUs = false;

  /**
   * @param options - see {@link DeepgramVoiceAgentOptions}.
   * @throws ConfigError naming `DEEPGRAM_API_KEY` when there is no key.
   */
  constructor(private readonly options: DeepgramVoiceAgentOptions = {}) {
    super();
    this.logger = options.logger ?? defaultLogger;
    const apiKey = options.apiKey ?? vendorVariable('DEEPGRAM_API_KEY');
    if (!apiKey) throw new ConfigError('no Deepgram API key: set DEEPGRAM_API_KEY or pass { apiKey }', 'DEEPGRAM_API_KEY');
    this.apiKey = apiKey;
    const region = options.region ?? 'global';
    if (!options.url && !REGION_URLS[region]) throw new ConfigError(`unknown Deepgram region "${String(region)}"`, 'region', String(region));
  }

  /** Server messages that were not JSON objects with a `type`, or had an unknown `type`: counted, ignored. */
  get ignoredMessages(): number {
    return this.stats.messagesIgnored;
  }

  /**
   * Opens the socket, sends `Settings` and resolves on `SettingsApplied`, with
   * {@link inputFormat} / {@link outputFormat} set. Rejects with a `ProviderError` on a refused
   * handshake (HTTP status), an `Error` message (Deepgram's code), a close or a timeout; with the
   * signal's reason on abort.
   */
  async connect(options: ProviderConnectOptions): Promise<void> {
    if (this.ws) throw new ProviderError('the Deepgram agent is already connected', 'already_connected');
    options.signal?.throwIfAborted();
    const format = this.chooseFormats(options.callFormat);
    const think = { instructions: options.instructions, tools: options.tools ?? [] };
    const settings = buildSettings({
      ...think,
      format,
      deferTools: this.deferTools(),
      language: options.language,
      voice: options.voice,
      listen: this.options.listen,
      think: this.options.think,
      thinkEndpoint: this.options.thinkEndpoint,
      speak: this.options.speak,
      speakEndpoint: this.options.speakEndpoint,
      greeting: this.options.greeting,
      mipOptOut: this.options.mipOptOut,
      tags: this.options.tags,
    });
    const url = this.options.url ?? REGION_URLS[this.options.region ?? 'global'];
    this.reset();
    this.think = think;
    this.logger.debug({ url, input: formatName(format.input), output: formatName(format.output) }, 'Deepgram agent connecting');
    await this.handshake.open({
      vendor: 'Deepgram',
      url,
      headers: { Authorization: `Token ${this.apiKey}` },
      webSocket: this.options.webSocket,
      timeoutMs: this.options.connectTimeoutMs ?? 10_000,
      signal: options.signal,
      onOpen: (socket) => this.sendOn(socket, JSON.stringify(settings)),
      onMessage: (data, isBinary) => {
        this.countReceived(rawDataBytes(data));
        if (isBinary) return false;
        const message = parseTypedJson<ServerMessage>(data);
        if (message?.type === 'Welcome' && typeof message.request_id === 'string') this.requestId = message.request_id;
        if (message?.type === 'Error') throw readServerError(message);
        return message?.type === 'SettingsApplied';
      },
      onReady: (socket) => {
        this.ws = socket;
        this.inputFormat = format.input;
        this.outputFormat = format.output;
        this.listen(socket);
      },
    });
  }

  /** Caller audio in {@link inputFormat}, as a binary message. Dropped when not connected. */
  sendAudio(frame: Uint8Array): void {
    const ws = this.ws;
    if (ws?.readyState !== 1) return;
    ws.send(frame);
    this.countSent(frame.byteLength);
    this.sentSinceKeepAlive = true;
  }

  /**
   * A client-side function's result (`FunctionCallResponse`); the agent goes on by itself.
   * Results of calls Deepgram cancelled (`FunctionCallCancelled`) or never asked for are not sent.
   */
  sendToolResult(callId: string, result: unknown): void {
    const name = this.openCalls.get(callId);
    if (name === undefined) {
      this.logger.debug({ callId }, 'Deepgram: result of a cancelled or unknown function call not sent');
      return;
    }
    this.openCalls.delete(callId);
    this.send(functionCallResponse(callId, name, result));
  }

  /**
   * Barge-in. Deepgram stops its answer itself when it hears the caller (`UserStartedSpeaking`);
   * there is no message to send. The answer being received ends here and its late audio is
   * dropped until the next turn starts.
   */
  interrupt(_options: { playedMs: number }): void {
    this.dropping = true;
    this.finish('cancelled');
  }

  /** A user text turn (`InjectUserMessage`): the agent answers it. */
  sendText(text: string): void {
    this.send(injectUserMessage(text));
  }

  /**
   * Changes the instructions and/or tools for the rest of the call: one `UpdateThink` carrying
   * the whole think configuration (Deepgram's `UpdatePrompt` would only append to the prompt);
   * resolves on `ThinkUpdated`. Rejects with a `ProviderError` on an `Error` reply, a close, or
   * no confirmation within `connectTimeoutMs`.
   */
  override updateSession(update: SessionUpdate): Promise<void> {
    const ws = this.ws;
    if (ws?.readyState !== 1) return Promise.reject(new ProviderError('the Deepgram agent is not connected', 'not_connected'));
    const next = { instructions: update.instructions ?? this.think.instructions, tools: update.tools ?? this.think.tools };
    const think = buildThink({ ...next, deferTools: this.deferTools(), think: this.options.think, thinkEndpoint: this.options.thinkEndpoint });
    return new Promise<void>((resolve, reject) => {
      const timeout = this.options.connectTimeoutMs ?? 10_000;
      const entry: PendingUpdate = {
        resolve: () => {
          this.think = next;
          resolve();
        },
        reject,
        timer: setTimeout(() => {
          this.updates.splice(this.updates.indexOf(entry), 1);
          reject(new ProviderError(`Deepgram did not confirm the new think settings within ${timeout} ms`, 'timeout'));
        }, timeout),
      };
      entry.timer.unref();
      this.updates.push(entry);
      this.send(updateThink(think));
    });
  }

  /**
   * Speaks `text` as the agent, word for word (`InjectAgentMessage`, behaviour `queue`: after
   * the agent's current turn, at once when it is silent).
   */
  override say(text: string): void {
    this.send(injectAgentMessage(text));
  }

  /** Closes the socket (code 1000) and emits `close` without an error. */
  async close(): Promise<void> {
    this.handshake.terminate();
    const ws = this.ws;
    if (!ws) return;
    this.closedByUs = true;
    this.ws = undefined;
    this.stopTimers();
    await closeSocket(ws);
    this.emit('close', { code: 1000 });
  }

  /** Formats for `Settings`: the call's law when it is G.711 (passthrough), else linear16 at its rate. */
  private chooseFormats(call: AudioFormat | undefined): { input: AudioFormat; output: AudioFormat } {
    const pref = this.options.audio ?? 'auto';
    const base = call ?? AudioFormats.PCM16_16K;
    let format: AudioFormat;
    if (pref === 'mulaw') format = AudioFormats.MULAW_8K;
    else if (pref === 'alaw') format = AudioFormats.ALAW_8K;
    else if (pref === 'linear16') format = chooseFormat({ encoding: 'pcm16', sampleRate: base.sampleRate }, this.inputFormats.filter((f) => f.encoding === 'pcm16'));
    else format = chooseFormat(base, this.inputFormats);
    return { input: format, output: format };
  }

  private listen(ws: WebSocket): void {
    ws.on('message', (data, isBinary) => {
      this.countReceived(rawDataBytes(data));
      if (isBinary) this.onAudio(messageBytes(data));
      else this.onMessage(parseTypedJson<ServerMessage>(data));
    });
    ws.on('error', (e) => {
      this.lastError ??= new ProviderError(`Deepgram connection error: ${e.message}`, 'connection', { cause: e });
      reportError(this, this.lastError, this.logger, { provider: this.name });
    });
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString()));
    this.stopWatch = keepAlive(ws, this.options.pingIntervalMs ?? 20_000, () => {
      this.lastError ??= new ProviderError('Deepgram stopped answering pings; the socket was dropped', 'unresponsive');
      this.logger.warn({ requestId: this.requestId }, 'Deepgram peer unresponsive; dropping the socket');
    });
    const every = this.options.keepAliveMs ?? 5000;
    if (every > 0) {
      this.keepAliveTimer = setInterval(() => {
        if (!this.sentSinceKeepAlive && ws.readyState === 1) this.sendOn(ws, KEEP_ALIVE);
        this.sentSinceKeepAlive = false;
      }, every);
      this.keepAliveTimer.unref();
    }
  }

  private onAudio(data: Buffer): void {
    if (this.dropping) return void this.droppedAudioChunks++;
    this.speaking ??= `turn_${++this.turn}`;
    this.emit('audio', { data, responseId: this.speaking, itemId: this.speaking });
  }

  private onMessage(m: ServerMessage | undefined): void {
    if (!m) return this.countIgnored();
    switch (m.type) {
      case 'UserStartedSpeaking':
        // "Discard any queued agent speech": the session flushes; audio still in flight is dropped here.
        this.dropping = true;
        this.emit('speechStarted', {});
        return this.finish('interrupted');
      case 'ConversationText': {
        if (typeof m.content !== 'string' || (m.role !== 'user' && m.role !== 'assistant')) return this.countIgnored();
        if (m.role === 'user') {
          this.dropping = false;
          this.emit('speechStopped', {});
        }
        return void this.emit('transcript', { role: m.role, text: m.content, final: true, itemId: m.role === 'assistant' ? this.speaking : undefined });
      }
      case 'AgentThinking':
      case 'AgentStartedSpeaking':
        // The next turn has begun: what comes now is its audio.
        this.dropping = false;
        return;
      case 'AgentAudioDone':
        return this.finish('completed');
      case 'FunctionCallRequest':
        return this.onFunctionCalls(m);
      case 'FunctionCallCancelled': {
        // The caller spoke again: these calls are no longer wanted, and Deepgram wants no response.
        const ids = readCancelledIds(m).filter((id) => this.openCalls.delete(id));
        if (ids.length > 0) this.emit('toolCallCancelled', { ids });
        return;
      }
      case 'ThinkUpdated':
        return void this.settleUpdate();
      case 'InjectionRefused':
        return void reportError(this, new ProviderError(`Deepgram refused the injected message: ${typeof m.message === 'string' ? m.message : ''}`.trim(), 'injection_refused'), this.logger, { provider: this.name });
      case 'Error':
        this.lastError = readServerError(m);
        // An update waiting for its confirmation was refused: its caller gets the error.
        if (this.settleUpdate(this.lastError)) return;
        return void reportError(this, this.lastError, this.logger, { provider: this.name, requestId: this.requestId });
      case 'Warning':
        return void reportError(this, readServerError(m), this.logger, { provider: this.name, requestId: this.requestId });
      default:
        if (IGNORED_MESSAGES.has(m.type)) return;
        this.countIgnored();
        this.logger.debug({ type: m.type }, 'Deepgram: unknown server message ignored');
    }
  }

  private onFunctionCalls(m: ServerMessage): void {
    this.dropping = false;
    for (const call of readFunctionCalls(m)) {
      if (!call.clientSide) continue; // a server-side function: Deepgram runs it
      if (this.openCalls.has(call.id)) continue; // asked again while open: run it once
      let args = parseArguments(call.arguments);
      if (!args) {
        reportError(this, new ProviderError(`Deepgram: the arguments of function ${call.name} are not a JSON object`, 'bad_tool_arguments'), this.logger, { provider: this.name });
        args = {};
      }
      this.openCalls.set(call.id, call.name);
      this.emit('toolCall', { id: call.id, name: call.name, args, responseId: this.speaking ?? `turn_${this.turn + 1}` });
    }
  }

  /** The answer being received is complete (or cut). */
  private finish(status: 'completed' | 'interrupted' | 'cancelled'): void {
    const id = this.speaking;
    if (id === undefined) return;
    this.speaking = undefined;
    this.emit('responseDone', { responseId: id, status });
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    this.stopTimers();
    if (this.closedByUs || ws !== this.ws) return;
    this.ws = undefined;
    const error = this.lastError ?? new ProviderError(`Deepgram closed the session (${code} ${reason})`.trim(), String(code));
    for (const u of this.updates.splice(0)) {
      clearTimeout(u.timer);
      u.reject(error);
    }
    this.logger.warn({ code, reason, requestId: this.requestId, err: error.message }, 'Deepgram socket closed');
    this.emit('close', { code, reason, error });
  }

  private stopTimers(): void {
    this.stopWatch();
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }

  private reset(): void {
    this.closedByUs = false;
    this.speaking = undefined;
    this.dropping = false;
    this.openCalls.clear();
    this.lastError = undefined;
    this.requestId = undefined;
  }

  /** Resolves (or, with an error, rejects) the oldest pending update; whether there was one. */
  private settleUpdate(error?: ProviderError): boolean {
    const u = this.updates.shift();
    if (!u) return false;
    clearTimeout(u.timer);
    if (error) u.reject(error);
    else u.resolve();
    return true;
  }

  private deferTools(): ReadonlySet<string> {
    return new Set(this.options.deferTools ?? ['transfer_call', 'hangup_call']);
  }

  private send(message: object): void {
    const ws = this.ws;
    if (ws?.readyState === 1) this.sendOn(ws, JSON.stringify(message));
  }

  private sendOn(ws: WebSocket, text: string): void {
    ws.send(text);
    this.countSent(Buffer.byteLength(text));
    this.sentSinceKeepAlive = true;
  }
}
