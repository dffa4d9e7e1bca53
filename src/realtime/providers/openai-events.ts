/**
 * The wire side of OpenAI Realtime: building the client events the provider sends and reading
 * the server events it receives, in both dialects: the GA interface (`session.type: 'realtime'`,
 * `audio.input.format: { type: 'audio/pcmu' }`, `response.output_audio.delta`) and the beta one
 * (header `OpenAI-Beta: realtime=v1`, `input_audio_format: 'g711_ulaw'`, `response.audio.delta`).
 *
 * Followed: OpenAI's Realtime API reference (client events `session.update`,
 * `input_audio_buffer.append`, `conversation.item.create`, `conversation.item.truncate`,
 * `response.create`, `response.cancel`; server events `session.updated`, `response.created`,
 * `response.done`, `error` with `error.code` / `error.event_id`), the "Using realtime models"
 * guide for the GA session shape, and the beta-to-GA migration notes for the renamed events.
 *
 * @module
 * @internal
 */
import type WebSocket from 'ws';
import { ProviderError } from '../../errors.js';
import { AudioFormats, type AudioFormat } from '../audio-format.js';
import type { ToolDefinition } from '../provider.js';

/** Which interface of the Realtime API is spoken. */
export type OpenAIApi = 'ga' | 'beta';

/** A server event: an object with a string `type`; everything else is read defensively. */
export interface ServerEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** What goes into `session.update`. */
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
 * needs). Anything not handled and not listed here is counted as unknown.
 */
export const IGNORED_EVENTS: ReadonlySet<string> = new Set([
  'session.created',
  'session.updated',
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
  'response.output_item.added',
  'response.output_item.done',
  'response.content_part.added',
  'response.content_part.done',
  'response.output_text.delta',
  'response.output_text.done',
  'response.text.delta',
  'response.text.done',
  'response.output_audio.done',
  'response.audio.done',
  'response.function_call_arguments.delta',
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

/** The wire name of a format: beta strings (`g711_ulaw`), GA objects (`{ type: 'audio/pcmu' }`). */
export function wireFormat(api: OpenAIApi, format: AudioFormat): string | { type: string; rate?: number } {
  if (api === 'beta') return format.encoding === 'mulaw' ? 'g711_ulaw' : format.encoding === 'alaw' ? 'g711_alaw' : 'pcm16';
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
export function confirmedFormats(event: ServerEvent): { input?: AudioFormat; output?: AudioFormat } {
  const session = obj(event.session) ?? {};
  const audio = obj(session.audio);
  return {
    input: readWireFormat(obj(obj(audio?.input)?.format) ?? session.input_audio_format),
    output: readWireFormat(obj(obj(audio?.output)?.format) ?? session.output_audio_format),
  };
}

/** The `session.update` client event for a call. */
export function buildSessionUpdate(api: OpenAIApi, c: SessionConfig): Record<string, unknown> {
  const turnDetection = {
    type: 'server_vad',
    threshold: c.turnDetection.threshold,
    prefix_padding_ms: c.turnDetection.prefixPaddingMs,
    silence_duration_ms: c.turnDetection.silenceDurationMs,
  };
  const tools = c.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.parameters }));
  const language = c.language?.split('-')[0]?.toLowerCase();
  const transcription = c.transcriptionModel === null ? null : { model: c.transcriptionModel, ...(language && { language }) };
  const format = wireFormat(api, c.format);
  if (api === 'beta') {
    return {
      type: 'session.update',
      session: {
        modalities: ['audio', 'text'],
        instructions: c.instructions,
        ...(c.voice && { voice: c.voice }),
        input_audio_format: format,
        output_audio_format: format,
        turn_detection: turnDetection,
        input_audio_transcription: transcription,
        tools,
        tool_choice: 'auto',
      },
    };
  }
  return {
    type: 'session.update',
    session: {
      type: 'realtime',
      output_modalities: ['audio'],
      instructions: c.instructions,
      audio: {
        input: { format, turn_detection: turnDetection, transcription },
        output: { format, ...(c.voice && { voice: c.voice }) },
      },
      tools,
      tool_choice: 'auto',
    },
  };
}

/** An `error` server event as a {@link ProviderError}, with the client `event_id` it answers. */
export function readServerError(event: ServerEvent): { error: ProviderError; eventId?: string } {
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
