/**
 * ElevenLabs Agents (the Conversational AI WebSocket). An ElevenLabs agent is configured on
 * ElevenLabs' side — its prompt, voice, first message, tools and both audio formats — and the
 * provider speaks its protocol: the per-call overrides, caller audio as `user_audio_chunk`,
 * `pong` for every `ping`, `interruption` as the barge-in signal with the interrupted answer's
 * late audio dropped by `event_id`, client tools both ways, and `end_call` turned into the
 * session's hang-up after the farewell. For telephony, set the agent's input and output format
 * to µ-law 8000 Hz: on a PCMU call the audio then passes through untouched. The wire events are
 * in `elevenlabs-events.ts`, with the documents followed.
 *
 * @module
 */
import type WebSocket from 'ws';
import { ConfigError, ProviderError } from '../../errors.js';
import { reportError } from '../../error-reporting.js';
import { type Logger, defaultLogger } from '../../logger.js';
import { AudioFormats, type AudioFormat, formatName, sameFormat } from '../audio-format.js';
import { type ProviderConnectOptions, type RealtimeCapabilities, RealtimeProvider } from '../provider.js';
import {
  IGNORED_EVENTS,
  LOCATION_ORIGINS,
  type ElevenLabsLocation,
  type ServerEvent,
  buildInitiation,
  clientToolResult,
  eventId,
  payload,
  pong,
  publicConversationUrl,
  readServerError,
  readWireFormat,
  signedUrlEndpoint,
  USER_AUDIO,
  userMessage,
} from './elevenlabs-events.js';
import { vendorVariable } from './vendor-env.js';
import { closeSocket, parseTypedJson } from './vendor-socket.js';
import { keepAlive, type ProviderWebSocketOptions, rawDataBytes, VendorHandshake } from './websocket.js';

export type { ElevenLabsLocation } from './elevenlabs-events.js';

/** Options of {@link ElevenLabsAgentProvider}. */
export interface ElevenLabsAgentOptions extends ProviderWebSocketOptions {
  /** The agent (`agent_…`). Default: the `ELEVENLABS_AGENT_ID` environment variable. */
  agentId?: string;
  /** For private agents (a signed URL is asked for each call). Default: the `ELEVENLABS_API_KEY` environment variable. Never logged. */
  apiKey?: string;
  /**
   * Whether the agent is private (authentication enabled in its Security settings): the
   * provider then asks ElevenLabs for a signed URL with the API key before each call. Default:
   * `true` when an API key is available, else `false` (a public agent needs only its id).
   */
  requiresAuth?: boolean;
  /** The ElevenLabs region. Default `global`. */
  location?: ElevenLabsLocation;
  /** API origin (`https://…`), instead of the region's; point it at a local server in tests. */
  baseUrl?: string;
  /**
   * Send the session's instructions, voice and language as `conversation_config_override`
   * (default `true`). Each must be allowed in the agent's Security settings, or ElevenLabs refuses
   * the conversation (`override_error`); `false` keeps the agent's own configuration. Empty
   * instructions are never sent.
   */
  overrides?: boolean;
  /** The agent's first message for this call (an override too). */
  firstMessage?: string;
  /** Values for the agent's `{{dynamic_variables}}` (caller number, tenant, ...). */
  dynamicVariables?: Readonly<Record<string, string | number | boolean>>;
  /**
   * The tool the session runs when the agent ends the call with ElevenLabs' `end_call` system
   * tool, once the farewell has arrived; `hangupCallTool()` then hangs up after it has played.
   * Default `hangup_call`; `null`: the conversation simply closes.
   */
  endCallTool?: string | null;
  /**
   * ElevenLabs does not announce the end of an answer's audio: an answer counts as complete when
   * the next one starts, the caller speaks, or no audio came for this long, ms. Default 600.
   */
  answerGapMs?: number;
  /** Ms to wait for the conversation to start (signed URL included). Default 10 000. */
  connectTimeoutMs?: number;
  /** A pino-compatible logger. Default: `defaultLogger`. */
  logger?: Logger;
}

/** An answer whose audio is arriving. */
interface OpenAnswer {
  readonly id: string;
  timer: NodeJS.Timeout | undefined;
}

/** `end_call` waiting for the farewell to arrive, then for the session's tool result. */
interface EndCall {
  readonly toolCallId: string;
  state: 'waiting' | 'emitted' | 'handled' | 'failed';
  /** The agent's close, held until the session decided. */
  heldClose?: { code: number; reason: string };
}

/**
 * ElevenLabs' conversational agents. Audio formats are the agent's (confirmed by
 * `conversation_initiation_metadata`); µ-law 8 kHz both ways is passthrough on PCMU calls.
 *
 * ```ts
 * const provider = new ElevenLabsAgentProvider({ agentId: 'agent_…' }); // + ELEVENLABS_API_KEY for a private agent
 * ```
 */
export class ElevenLabsAgentProvider extends RealtimeProvider {
  readonly name = 'elevenlabs';
  /**
   * ElevenLabs takes the agent's configuration when the conversation starts and has no message
   * that changes it or speaks a given text: instructions and tools cannot change mid-call, and
   * `say` / `requestResponse` are asked of the agent as a user turn.
   */
  readonly capabilities: RealtimeCapabilities = {
    truncation: false,
    turnDetection: true,
    userTranscription: true,
    autoToolReply: true,
    sessionUpdate: false,
    say: 'prompted',
    replyInstructions: 'prompted',
  };
  readonly inputFormats: readonly AudioFormat[] = [AudioFormats.MULAW_8K, AudioFormats.PCM16_16K, AudioFormats.PCM16_8K, AudioFormats.PCM16_24K, { encoding: 'pcm16', sampleRate: 48000 }];
  readonly outputFormats: readonly AudioFormat[] = this.inputFormats;
  /** The caller-audio format the agent hears (`user_input_audio_format`), set by {@link connect}. */
  inputFormat: AudioFormat | undefined;
  /** The format the agent speaks (`agent_output_audio_format`), set by {@link connect}. */
  outputFormat: AudioFormat | undefined;
  /** ElevenLabs' id of the conversation (for its dashboard and API), set by {@link connect}. */
  conversationId: string | undefined;
  /** Audio chunks of interrupted answers that arrived late and were dropped. */
  droppedAudioChunks = 0;
  private ws: WebSocket | undefined;
  /** A handshake in progress: `close()` ends it (the connect then rejects). */
  private readonly handshake = new VendorHandshake();
  private readonly logger: Logger;
  private readonly agentId: string;
  private readonly apiKey: string | undefined;
  private readonly requiresAuth: boolean;
  private readonly origin: string;
  private open: OpenAnswer | undefined;
  /** Audio with an `event_id` below this belongs to an interrupted answer. */
  private minAudioId = 0;
  private readonly openCalls = new Set<string>();
  private endCall: EndCall | undefined;
  private lastError: ProviderError | undefined;
  private stopWatch: () => void = () => {};
  private closedByUs = false;
  private closeEmitted = false;

  /**
   * @param options - see {@link ElevenLabsAgentOptions}.
   * @throws ConfigError naming `ELEVENLABS_AGENT_ID` without an agent, or `ELEVENLABS_API_KEY`
   *   when `requiresAuth` is set without a key.
   */
  constructor(private readonly options: ElevenLabsAgentOptions = {}) {
    super();
    this.logger = options.logger ?? defaultLogger;
    const agentId = options.agentId ?? vendorVariable('ELEVENLABS_AGENT_ID');
    if (!agentId) throw new ConfigError('no ElevenLabs agent: set ELEVENLABS_AGENT_ID or pass { agentId }', 'ELEVENLABS_AGENT_ID');
    this.agentId = agentId;
    this.apiKey = (options.apiKey ?? vendorVariable('ELEVENLABS_API_KEY')) || undefined;
    this.requiresAuth = options.requiresAuth ?? this.apiKey !== undefined;
    if (this.requiresAuth && !this.apiKey) {
      throw new ConfigError('a private ElevenLabs agent needs an API key for its signed URL: set ELEVENLABS_API_KEY or pass { apiKey }', 'ELEVENLABS_API_KEY');
    }
    const location = options.location ?? 'global';
    const origin = options.baseUrl ?? LOCATION_ORIGINS[location];
    if (!origin) throw new ConfigError(`unknown ElevenLabs location "${String(location)}"`, 'location', String(location));
    this.origin = origin;
  }

  /** Server messages that were not JSON objects with a `type`, or had an unknown `type`: counted, ignored. */
  get ignoredMessages(): number {
    return this.stats.messagesIgnored;
  }

  /**
   * Starts the conversation: a signed URL for a private agent, the socket, the initiation data
   * (overrides, dynamic variables); resolves on `conversation_initiation_metadata` with
   * {@link inputFormat} / {@link outputFormat} set to the agent's formats. Rejects with a
   * `ProviderError` on a refused signed URL or handshake, an `error` event, a close, a timeout,
   * or formats the SDK cannot convert; with the signal's reason on abort.
   */
  async connect(options: ProviderConnectOptions): Promise<void> {
    if (this.ws) throw new ProviderError('the ElevenLabs conversation is already started', 'already_connected');
    options.signal?.throwIfAborted();
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    const deadline = performance.now() + timeoutMs;
    const url = this.requiresAuth ? await this.signedUrl(timeoutMs, options.signal) : publicConversationUrl(this.origin, this.agentId);
    const overrides = this.options.overrides ?? true;
    const initiation = buildInitiation({
      prompt: overrides ? options.instructions : undefined,
      voiceId: overrides ? options.voice : undefined,
      language: overrides ? options.language : undefined,
      firstMessage: this.options.firstMessage,
      dynamicVariables: this.options.dynamicVariables,
    });
    this.reset();
    this.logger.debug({ agentId: this.agentId, signed: this.requiresAuth }, 'ElevenLabs conversation starting');
    await this.handshake.open({
      vendor: 'ElevenLabs',
      url,
      webSocket: this.options.webSocket,
      timeoutMs: deadline - performance.now(),
      signal: options.signal,
      onOpen: (socket) => this.sendOn(socket, JSON.stringify(initiation)),
      onMessage: (data, _binary, socket) => {
        this.countReceived(rawDataBytes(data));
        const event = parseTypedJson<ServerEvent>(data);
        if (event?.type === 'error') throw readServerError(event);
        if (event?.type === 'ping') {
          const id = eventId(payload(event, 'ping_event'));
          if (id !== undefined) this.sendOn(socket, JSON.stringify(pong(id)));
        }
        if (event?.type !== 'conversation_initiation_metadata') return false;
        this.setFormats(payload(event, 'conversation_initiation_metadata_event') ?? {}, options.callFormat);
        return true;
      },
      onReady: (socket) => {
        this.ws = socket;
        this.listen(socket);
      },
    });
  }

  /** Caller audio in {@link inputFormat} (`user_audio_chunk`). Dropped when not connected. */
  sendAudio(frame: Uint8Array): void {
    if (this.ws?.readyState === 1) this.sendRaw(USER_AUDIO.encode(frame));
  }

  /**
   * A client tool's result (`client_tool_result`; `{ error }` sets `is_error`); the agent goes on
   * by itself. Results for calls ElevenLabs did not ask the client for (the `end_call` hang-up)
   * are not sent.
   */
  sendToolResult(callId: string, result: unknown): void {
    if (this.endCall?.toolCallId === callId) return this.onEndCallResult(result);
    if (!this.openCalls.delete(callId)) {
      this.logger.debug({ callId }, 'ElevenLabs: result of an unknown tool call not sent');
      return;
    }
    this.send(clientToolResult(callId, result));
  }

  /**
   * Barge-in. ElevenLabs detects the caller and stops its answer itself (`interruption`); there is
   * nothing to send. The answer being received ends here, and any of its audio still in flight is
   * dropped.
   */
  interrupt(_options: { playedMs: number }): void {
    const open = this.open;
    if (!open) return;
    this.minAudioId = Math.max(this.minAudioId, Number(open.id) + 1);
    this.finish('cancelled');
  }

  /** A user text turn (`user_message`): the agent answers it. */
  sendText(text: string): void {
    this.send(userMessage(text));
  }

  /** Ends the conversation (close 1000) and emits `close` without an error. */
  async close(): Promise<void> {
    this.handshake.terminate();
    const ws = this.ws;
    this.closedByUs = true;
    this.ws = undefined;
    this.stopWatch();
    this.clearOpen();
    if (ws) await closeSocket(ws);
    if (ws || this.endCall?.heldClose) this.emitClose({ code: 1000 });
  }

  /** Asks ElevenLabs for a signed conversation URL (`GET …/get-signed-url`, `xi-api-key`). */
  private async signedUrl(timeoutMs: number, signal: AbortSignal | undefined): Promise<string> {
    const timeout = AbortSignal.timeout(Math.max(1, timeoutMs));
    const both = signal ? anySignal([signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(signedUrlEndpoint(this.origin, this.agentId), { headers: { 'xi-api-key': this.apiKey! }, signal: both });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw new ProviderError(`ElevenLabs did not give a signed URL within ${timeoutMs} ms`, 'timeout');
      throw new ProviderError(`ElevenLabs signed URL request failed: ${(error as Error).message}`, 'connection', { cause: error });
    }
    const body = (await res.json().catch(() => undefined)) as { signed_url?: unknown; detail?: unknown } | undefined;
    if (!res.ok) {
      const detail = typeof body?.detail === 'string' ? body.detail : JSON.stringify(body?.detail ?? '');
      throw new ProviderError(`ElevenLabs refused the signed URL: HTTP ${res.status} ${detail}`.trim(), String(res.status));
    }
    if (typeof body?.signed_url !== 'string') throw new ProviderError('ElevenLabs answered the signed URL request without a signed_url', 'bad_response');
    return body.signed_url;
  }

  /** The formats of `conversation_initiation_metadata`: the agent's, not negotiable per call. */
  private setFormats(metadata: Record<string, unknown>, callFormat: AudioFormat | undefined): void {
    const inputName = metadata.user_input_audio_format ?? 'pcm_16000';
    const outputName = metadata.agent_output_audio_format;
    const input = readWireFormat(inputName);
    const output = readWireFormat(outputName);
    if (!input || !output) {
      throw new ProviderError(
        `the ElevenLabs agent uses audio formats the SDK does not convert (input ${String(inputName)}, output ${String(outputName)}): set both to µ-law 8000 Hz (or PCM 8/16/24/48 kHz) in the agent's settings`,
        'unsupported_audio_format',
      );
    }
    this.inputFormat = input;
    this.outputFormat = output;
    this.conversationId = typeof metadata.conversation_id === 'string' ? metadata.conversation_id : undefined;
    const fields = { conversationId: this.conversationId, input: formatName(input), output: formatName(output) };
    if (callFormat && (!sameFormat(input, callFormat) || !sameFormat(output, callFormat))) {
      this.logger.info({ ...fields, call: formatName(callFormat) }, 'ElevenLabs agent formats differ from the call’s: audio is converted (set the agent to µ-law 8000 Hz for passthrough on PCMU calls)');
    } else this.logger.debug(fields, 'ElevenLabs conversation started');
  }

  private listen(ws: WebSocket): void {
    ws.on('message', (data) => {
      this.countReceived(rawDataBytes(data));
      this.onEvent(parseTypedJson<ServerEvent>(data));
    });
    ws.on('error', (e) => {
      this.lastError ??= new ProviderError(`ElevenLabs connection error: ${e.message}`, 'connection', { cause: e });
      reportError(this, this.lastError, this.logger, { provider: this.name });
    });
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString()));
    this.stopWatch = keepAlive(ws, this.options.pingIntervalMs ?? 20_000, () => {
      this.lastError ??= new ProviderError('ElevenLabs stopped answering pings; the socket was dropped', 'unresponsive');
      this.logger.warn({ conversationId: this.conversationId }, 'ElevenLabs peer unresponsive; dropping the socket');
    });
  }

  private onEvent(e: ServerEvent | undefined): void {
    if (!e) return void this.countIgnored();
    switch (e.type) {
      case 'audio':
        return this.onAudio(e);
      case 'interruption':
        return this.onInterruption(e);
      case 'ping': {
        const id = eventId(payload(e, 'ping_event'));
        if (id === undefined) return void this.countIgnored();
        return this.send(pong(id));
      }
      case 'user_transcript': {
        const p = payload(e, 'user_transcription_event');
        const text = p?.user_transcript;
        if (typeof text !== 'string') return void this.countIgnored();
        // The caller's turn is over: the answer before it is complete.
        this.emit('speechStopped', {});
        if (this.open) this.finish('completed');
        return void this.emit('transcript', { role: 'user', text, final: true, itemId: idOf(p) });
      }
      case 'agent_response': {
        const p = payload(e, 'agent_response_event');
        const text = p?.agent_response;
        if (typeof text !== 'string') return void this.countIgnored();
        return void this.emit('transcript', { role: 'assistant', text, final: true, itemId: idOf(p) });
      }
      case 'client_tool_call':
        return this.onToolCall(e);
      case 'agent_tool_response':
      case 'agent_tool_response_full_payload':
        return this.onAgentToolResponse(payload(e, e.type));
      case 'error': {
        this.lastError = readServerError(e);
        return void reportError(this, this.lastError, this.logger, { provider: this.name, conversationId: this.conversationId });
      }
      default:
        if (IGNORED_EVENTS.has(e.type)) return;
        this.countIgnored();
        this.logger.debug({ type: e.type }, 'ElevenLabs: unknown server event ignored');
    }
  }

  private onAudio(e: ServerEvent): void {
    const p = payload(e, 'audio_event');
    const id = eventId(p);
    const b64 = p?.audio_base_64;
    if (id === undefined || typeof b64 !== 'string') return void this.countIgnored();
    if (id < this.minAudioId) return void this.droppedAudioChunks++;
    const responseId = String(id);
    if (this.open && this.open.id !== responseId) this.finish('completed');
    this.open ??= { id: responseId, timer: undefined };
    this.armGapTimer();
    if (b64.length === 0) return;
    this.emit('audio', { data: Buffer.from(b64, 'base64'), responseId, itemId: responseId });
  }

  /** The caller barged in: ElevenLabs stopped the answer; its older audio is dropped from now on. */
  private onInterruption(e: ServerEvent): void {
    const id = eventId(payload(e, 'interruption_event'));
    if (id === undefined) return void this.countIgnored();
    this.minAudioId = Math.max(this.minAudioId, id);
    this.emit('speechStarted', {});
    if (this.open && Number(this.open.id) < id) this.finish('interrupted');
  }

  private onToolCall(e: ServerEvent): void {
    const call = payload(e, 'client_tool_call');
    const id = call?.tool_call_id;
    const name = call?.tool_name;
    if (typeof id !== 'string' || typeof name !== 'string') return void this.countIgnored();
    if (this.openCalls.has(id)) return; // asked again while open: run it once
    const params = call?.parameters;
    let args: Record<string, unknown> = {};
    if (params !== null && typeof params === 'object' && !Array.isArray(params)) args = params as Record<string, unknown>;
    else if (params !== undefined) reportError(this, new ProviderError(`ElevenLabs: the parameters of tool ${name} are not an object`, 'bad_tool_arguments'), this.logger, { provider: this.name });
    this.openCalls.add(id);
    this.emit('toolCall', { id, name, args, responseId: idOf(call) ?? this.open?.id });
  }

  /** `end_call` (ElevenLabs' system tool): the session's hang-up tool, once the farewell has arrived. */
  private onAgentToolResponse(p: Record<string, unknown> | undefined): void {
    if (p?.tool_name !== 'end_call' || p.is_error === true || this.options.endCallTool === null) return;
    const toolCallId = typeof p.tool_call_id === 'string' ? p.tool_call_id : `end_call_${String(p.event_id)}`;
    if (this.endCall) return; // the full-payload twin of the same call, or a second one
    this.endCall = { toolCallId, state: 'waiting' };
    this.logger.debug({ conversationId: this.conversationId }, 'ElevenLabs agent ended the call; hanging up after the farewell');
    // Give the farewell's audio time to start; the gap timer then fires the hang-up at its end.
    this.armGapTimer();
  }

  private emitEndCall(): void {
    const end = this.endCall;
    if (end?.state !== 'waiting') return;
    end.state = 'emitted';
    this.emit('toolCall', { id: end.toolCallId, name: this.options.endCallTool ?? 'hangup_call', args: { reason: 'the agent ended the call' } });
  }

  /** The session answered the hang-up: held agent close is dropped, or reported when nothing hung up. */
  private onEndCallResult(result: unknown): void {
    const end = this.endCall!;
    const failed = result !== null && typeof result === 'object' && 'error' in result;
    end.state = failed ? 'failed' : 'handled';
    if (failed) this.logger.warn({ result }, `ElevenLabs ended the call but the session's ${this.options.endCallTool ?? 'hangup_call'} tool failed`);
    if (failed && end.heldClose) this.emitAgentClose(end.heldClose.code, end.heldClose.reason);
  }

  private armGapTimer(): void {
    const ms = this.options.answerGapMs ?? 600;
    const open = this.open;
    if (open) {
      if (open.timer) clearTimeout(open.timer);
      open.timer = setTimeout(() => this.finish('completed'), ms);
      open.timer.unref();
      return;
    }
    if (this.endCall?.state === 'waiting') {
      const timer = setTimeout(() => {
        if (!this.open) this.emitEndCall();
      }, ms);
      timer.unref();
    }
  }

  /** The answer being received is complete (or cut): `responseDone`, then a pending hang-up. */
  private finish(status: 'completed' | 'interrupted' | 'cancelled'): void {
    const open = this.open;
    if (!open) return;
    this.clearOpen();
    this.emit('responseDone', { responseId: open.id, status });
    if (status === 'completed') this.emitEndCall();
  }

  private clearOpen(): void {
    if (this.open?.timer) clearTimeout(this.open.timer);
    this.open = undefined;
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    this.stopWatch();
    if (this.closedByUs || ws !== this.ws) return;
    this.ws = undefined;
    const end = this.endCall;
    if (end && end.state !== 'failed') {
      // The agent hung up: the farewell already received still plays, then the session hangs up.
      this.finish('completed');
      this.emitEndCall();
      const state = end.state as EndCall['state']; // the session may have answered synchronously
      if (state !== 'failed') {
        if (state === 'emitted') end.heldClose = { code, reason };
        this.logger.debug({ code, conversationId: this.conversationId }, 'ElevenLabs closed the conversation after end_call');
        return;
      }
    }
    this.emitAgentClose(code, reason);
  }

  private emitAgentClose(code: number, reason: string): void {
    this.clearOpen();
    const error = this.lastError ?? new ProviderError(`ElevenLabs closed the conversation (${code} ${reason})`.trim(), String(code));
    this.logger.warn({ code, reason, conversationId: this.conversationId, err: error.message }, 'ElevenLabs socket closed');
    this.emitClose({ code, reason, error });
  }

  private emitClose(info: { code?: number; reason?: string; error?: ProviderError }): void {
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    this.emit('close', info);
  }

  private reset(): void {
    this.closedByUs = false;
    this.closeEmitted = false;
    this.minAudioId = 0;
    this.open = undefined;
    this.openCalls.clear();
    this.endCall = undefined;
    this.lastError = undefined;
  }

  private send(event: object): void {
    this.sendRaw(JSON.stringify(event));
  }

  private sendRaw(text: string | Buffer): void {
    const ws = this.ws;
    if (ws?.readyState === 1) this.sendOn(ws, text);
  }

  /** A text message (a string, or its UTF-8 bytes). */
  private sendOn(ws: WebSocket, text: string | Buffer): void {
    ws.send(text, { binary: false });
    this.countSent(typeof text === 'string' ? Buffer.byteLength(text) : text.length);
  }
}

/** `String(event_id)` of a payload, when it has one. */
function idOf(p: Record<string, unknown> | undefined): string | undefined {
  const id = eventId(p);
  return id === undefined ? undefined : String(id);
}

/** A signal aborted when any of `signals` is (`AbortSignal.any` needs Node 20.3). */
function anySignal(signals: AbortSignal[]): AbortSignal {
  const any = (AbortSignal as { any?: (s: AbortSignal[]) => AbortSignal }).any;
  if (any) return any(signals);
  const controller = new AbortController();
  for (const s of signals) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    s.addEventListener('abort', () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}
