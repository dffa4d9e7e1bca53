/**
 * The wire side of OpenAI Realtime: building the client events the provider sends and reading
 * the server events it receives, in both dialects: the GA interface (`session.type: 'realtime'`,
 * `audio.input.format: { type: 'audio/pcmu' }`, `response.output_audio.delta`) and the beta one
 * (header `OpenAI-Beta: realtime=v1`, `input_audio_format: 'g711_ulaw'`, `response.audio.delta`),
 * which OpenAI turned off on its own endpoint in May 2026 and Azure OpenAI's preview API
 * versions still speak.
 *
 * The shapes are checked at compile time against OpenAI's own published types (type-only
 * imports of the `openai` package, a dev dependency: nothing of it is loaded at run time):
 * every client event is built to satisfy `RealtimeClientEvent` of its dialect, and server events
 * are narrowed by `type` to the union of both dialects' event types, so a field one dialect
 * lacks (the beta `response.function_call_arguments.done` has no `name`) cannot be read by
 * mistake. Values are still read defensively at run time (`str`, `num`, `obj`).
 *
 * @module
 * @internal
 */
import type * as Beta from 'openai/resources/beta/realtime/realtime';
import type * as GA from 'openai/resources/realtime/realtime';
import type WebSocket from 'ws';
import { ProviderError } from '../../errors.js';
import { AudioFormats, type AudioFormat } from '../audio-format.js';
import type { ProviderUsage, ToolDefinition } from '../provider.js';

/** Which interface of the Realtime API is spoken. */
export type OpenAIApi = 'ga' | 'beta';

/** A server event of either dialect, as OpenAI's types describe it. */
export type ServerEvent = GA.RealtimeServerEvent | Beta.RealtimeServerEvent;

/** A client event of either dialect. */
export type ClientEvent = GA.RealtimeClientEvent | Beta.RealtimeClientEvent;

/** What goes into `session.update` when the session opens. */
export interface SessionConfig {
  readonly instructions: string;
  readonly voice?: string;
  /** BCP 47; its language part is the transcription hint (ISO-639-1). */
  readonly language?: string;
  readonly tools: readonly ToolDefinition[];
  /** One format for both directions (the call's, so nothing is transcoded). */
  readonly format: AudioFormat;
  readonly turnDetection: { readonly threshold: number; readonly prefixPaddingMs: number; readonly silenceDurationMs: number };
  /** `null` turns the caller's transcription off. */
  readonly transcriptionModel: string | null;
}

/**
 * Server events the provider knows and deliberately ignores (they carry nothing a phone call
 * needs). Anything not handled and not listed here is counted as unknown. A test feeds every
 * event OpenAI publishes (test/fixtures/openai) and expects none to be unknown.
 */
export const IGNORED_EVENTS: ReadonlySet<string> = new Set([
  'session.created',
  'session.updated',
  'transcription_session.created',
  'transcription_session.updated',
  'conversation.created',
  'conversation.item.created',
  'conversation.item.added',
  'conversation.item.done',
  'conversation.item.retrieved',
  'conversation.item.truncated',
  'conversation.item.deleted',
  'conversation.item.input_audio_transcription.segment',
  'input_audio_buffer.committed',
  'input_audio_buffer.cleared',
  'input_audio_buffer.timeout_triggered',
  'input_audio_buffer.dtmf_event_received',
  'output_audio_buffer.started',
  'output_audio_buffer.stopped',
  'output_audio_buffer.cleared',
  'response.output_item.added',
  'response.content_part.added',
  'response.content_part.done',
  'response.output_text.delta',
  'response.output_text.done',
  'response.text.delta',
  'response.text.done',
  'response.output_audio.done',
  'response.audio.done',
  'response.function_call_arguments.delta',
  // Sent also for interrupted or cancelled answers: the call runs on output_item.done instead.
  'response.function_call_arguments.done',
  'response.mcp_call_arguments.delta',
  'response.mcp_call_arguments.done',
  'response.mcp_call.in_progress',
  'response.mcp_call.completed',
  'response.mcp_call.failed',
  'mcp_list_tools.in_progress',
  'mcp_list_tools.completed',
  'mcp_list_tools.failed',
  'rate_limits.updated',
]);

/** Parses one WebSocket message; `undefined` when it is not JSON or has no string `type`. */
export function parseServerEvent(data: WebSocket.RawData): ServerEvent | undefined {
  try {
    const text = Buffer.isBuffer(data) ? data.toString() : Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data).toString();
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return typeof (value as { type?: unknown }).type === 'string' ? (value as ServerEvent) : undefined;
  } catch {
    return undefined;
  }
}

/** `v` when it is a string. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `v` when it is a finite number. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** `v` when it is a plain object. */
export function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The beta wire name of a format. */
function betaFormat(format: AudioFormat): 'pcm16' | 'g711_ulaw' | 'g711_alaw' {
  return format.encoding === 'mulaw' ? 'g711_ulaw' : format.encoding === 'alaw' ? 'g711_alaw' : 'pcm16';
}

/** The GA wire name of a format. */
function gaFormat(format: AudioFormat): GA.RealtimeAudioFormats {
  return format.encoding === 'mulaw' ? { type: 'audio/pcmu' } : format.encoding === 'alaw' ? { type: 'audio/pcma' } : { type: 'audio/pcm', rate: 24000 };
}

/** Reads a format in either dialect; `undefined` when absent or unknown. */
export function readWireFormat(v: unknown): AudioFormat | undefined {
  const t = typeof v === 'string' ? v : str(obj(v)?.type);
  if (t === 'g711_ulaw' || t === 'audio/pcmu') return AudioFormats.MULAW_8K;
  if (t === 'g711_alaw' || t === 'audio/pcma') return AudioFormats.ALAW_8K;
  if (t === 'pcm16' || t === 'audio/pcm') return AudioFormats.PCM16_24K;
  return undefined;
}

/** The formats a `session.created` / `session.updated` confirms (GA nesting first, then beta fields). */
export function confirmedFormats(event: { readonly session?: unknown }): { input?: AudioFormat; output?: AudioFormat } {
  const session = obj(event.session) ?? {};
  const audio = obj(session.audio);
  return {
    input: readWireFormat(obj(obj(audio?.input)?.format) ?? session.input_audio_format),
    output: readWireFormat(obj(obj(audio?.output)?.format) ?? session.output_audio_format),
  };
}

/** Our tool definitions as function tools (the same shape in both dialects). */
function functionTools(tools: readonly ToolDefinition[]): GA.RealtimeFunctionTool[] {
  return tools.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.parameters }));
}

/** The `session.update` client event that opens a call's session. */
export function buildSessionUpdate(api: OpenAIApi, c: SessionConfig, eventId?: string): ClientEvent {
  const turnDetection = {
    type: 'server_vad' as const,
    threshold: c.turnDetection.threshold,
    prefix_padding_ms: c.turnDetection.prefixPaddingMs,
    silence_duration_ms: c.turnDetection.silenceDurationMs,
  };
  const language = c.language?.split('-')[0]?.toLowerCase();
  const transcription = c.transcriptionModel === null ? null : { model: c.transcriptionModel, ...(language && { language }) };
  if (api === 'beta') {
    return {
      type: 'session.update',
      ...(eventId && { event_id: eventId }),
      session: {
        modalities: ['audio', 'text'],
        instructions: c.instructions,
        ...(c.voice && { voice: c.voice }),
        input_audio_format: betaFormat(c.format),
        output_audio_format: betaFormat(c.format),
        turn_detection: turnDetection,
        // The beta types omit `null`, which the beta API documents as "turn transcription off".
        input_audio_transcription: transcription as Beta.SessionUpdateEvent.Session.InputAudioTranscription,
        tools: functionTools(c.tools),
        tool_choice: 'auto',
      },
    } satisfies Beta.RealtimeClientEvent;
  }
  return {
    type: 'session.update',
    ...(eventId && { event_id: eventId }),
    session: {
      type: 'realtime',
      output_modalities: ['audio'],
      instructions: c.instructions,
      audio: {
        input: { format: gaFormat(c.format), turn_detection: turnDetection, ...(transcription ? { transcription } : {}) },
        output: { format: gaFormat(c.format), ...(c.voice && { voice: c.voice }) },
      },
      tools: functionTools(c.tools),
      tool_choice: 'auto',
    },
  } satisfies GA.RealtimeClientEvent;
}

/** A mid-call `session.update` changing only the instructions and/or the tools. */
export function buildSessionPatch(api: OpenAIApi, patch: { instructions?: string; tools?: readonly ToolDefinition[] }, eventId: string): ClientEvent {
  const fields = { ...(patch.instructions !== undefined && { instructions: patch.instructions }), ...(patch.tools && { tools: functionTools(patch.tools) }) };
  if (api === 'beta') return { type: 'session.update', event_id: eventId, session: fields } satisfies Beta.RealtimeClientEvent;
  return { type: 'session.update', event_id: eventId, session: { type: 'realtime', ...fields } } satisfies GA.RealtimeClientEvent;
}

/** `response.create`, with instructions for that one answer when given (same shape in both dialects). */
export function buildResponseCreate(eventId: string, instructions?: string): ClientEvent {
  return { type: 'response.create', event_id: eventId, ...(instructions !== undefined && { response: { instructions } }) } satisfies GA.RealtimeClientEvent;
}

/** A user text turn. */
export function buildUserText(text: string): ClientEvent {
  return { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } } satisfies GA.RealtimeClientEvent;
}

/** A tool result. */
export function buildToolOutput(callId: string, output: string): ClientEvent {
  return { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } } satisfies GA.RealtimeClientEvent;
}

/** Caller audio. */
export function buildAppend(base64: string): ClientEvent {
  return { type: 'input_audio_buffer.append', audio: base64 } satisfies GA.RealtimeClientEvent;
}

/** Cuts an assistant audio item to what the caller heard. */
export function buildTruncate(itemId: string, audioEndMs: number): ClientEvent {
  return { type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: audioEndMs } satisfies GA.RealtimeClientEvent;
}

/** An `error` server event as a {@link ProviderError}, with the client `event_id` it answers. */
export function readServerError(event: { readonly error?: unknown }): { error: ProviderError; eventId?: string } {
  const e = obj(event.error) ?? {};
  const code = str(e.code) ?? str(e.type);
  const error = new ProviderError(`OpenAI: ${str(e.message) ?? 'error'}${code ? ` (${code})` : ''}`, code);
  return { error, eventId: str(e.event_id) };
}

/**
 * The error of a failed `response.done` (`status: 'failed'`, details in `status_details.error`),
 * or `undefined` for any other status.
 */
export function failedResponseError(response: Record<string, unknown>): ProviderError | undefined {
  if (response.status !== 'failed') return undefined;
  const details = obj(obj(response.status_details)?.error) ?? {};
  const code = str(details.code) ?? str(details.type) ?? 'response_failed';
  return new ProviderError(`OpenAI: the answer failed: ${str(details.message) ?? code}`, code);
}

/** The `usage` of a `response.done` (both dialects: `input_tokens`, `output_tokens`, details). */
export function readUsage(response: Record<string, unknown>): ProviderUsage | undefined {
  const u = obj(response.usage);
  if (!u) return undefined;
  const input = obj(u.input_token_details);
  const output = obj(u.output_token_details);
  const usage: ProviderUsage = {
    inputTokens: num(u.input_tokens),
    outputTokens: num(u.output_tokens),
    totalTokens: num(u.total_tokens),
    inputAudioTokens: num(input?.audio_tokens),
    outputAudioTokens: num(output?.audio_tokens),
    cachedTokens: num(input?.cached_tokens),
  };
  return Object.fromEntries(Object.entries(usage).filter(([, v]) => v !== undefined)) as ProviderUsage;
}

/** A `function_call` item the model completed, or `undefined` for anything else (other items, incomplete calls). */
export function completedFunctionCall(item: unknown): { callId: string; name: string; arguments: unknown; itemId?: string } | undefined {
  const i = obj(item);
  if (!i || i.type !== 'function_call' || i.status !== 'completed') return undefined;
  const callId = str(i.call_id);
  const name = str(i.name);
  if (callId === undefined || name === undefined) return undefined;
  return { callId, name, arguments: i.arguments, itemId: str(i.id) };
}

/** Parses tool-call arguments: an object, or `undefined` when they are not a JSON object. */
export function parseToolArguments(raw: unknown): Record<string, unknown> | undefined {
  if (raw === undefined || raw === '') return {};
  if (typeof raw !== 'string') return undefined;
  try {
    return obj(JSON.parse(raw));
  } catch {
    return undefined;
  }
}
