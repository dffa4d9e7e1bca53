/**
 * The wire side of ElevenLabs Agents (the Conversational AI WebSocket
 * `/v1/convai/conversation`): the client events the provider sends and the server events it
 * reads, typed with ElevenLabs' own published types (`@elevenlabs/types`, generated from their
 * AsyncAPI contract `packages/types/schemas/agent.asyncapi.yaml` in elevenlabs/packages;
 * imported as types only, so nothing of it is loaded at run time).
 *
 * Behaviour followed, from ElevenLabs' SDKs: `packages/client/src/BaseConversation.ts` (a
 * `pong` for every `ping`, `client_tool_result` with a string `result` and `is_error`, the
 * `end_call` system tool seen in `agent_tool_response`), `VoiceConversation.ts` (audio older than
 * the last `interruption` is dropped; audio with the interruption's own `event_id` is the reply
 * and plays, as elevenlabs-python issue #829 settles), `utils/WebSocketConnection.ts` (the first
 * server event is `conversation_initiation_metadata`, which fixes both audio formats),
 * `utils/overrides.ts` (`conversation_config_override`), `utils/location.ts` and elevenlabs-js
 * `src/environments.ts` (regional hosts), and elevenlabs-python
 * `src/elevenlabs/conversational_ai/conversation.py` (the signed URL of a private agent from
 * `GET /v1/convai/conversation/get-signed-url` with `xi-api-key`; a public agent needs only its
 * id in the URL).
 *
 * @module
 * @internal
 */
import { AudioMessage } from './audio-message.js';
import type {
  AgentResponse,
  AgentToolResponseMessage,
  Audio,
  ClientToolCallMessage,
  ClientToolResult,
  ContextualUpdate,
  ConversationConfigOverride,
  ConversationConfigOverrideAgentLanguage,
  ConversationInitiation,
  ConversationInitiationMetadataEventAgentOutputAudioFormat,
  ConversationMetadata,
  ErrorMessage,
  Interruption,
  Ping,
  Pong,
  UserMessage,
  UserTranscript,
} from '@elevenlabs/types';
import { ProviderError } from '../../errors.js';
import { AudioFormats, type AudioFormat } from '../audio-format.js';

/** A server event as parsed: a `type`, everything else read defensively. */
export interface ServerEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** The server events the provider acts on, as ElevenLabs types them. */
export type KnownServerEvent = Audio | Interruption | Ping | ConversationMetadata | ClientToolCallMessage | AgentResponse | UserTranscript | AgentToolResponseMessage | ErrorMessage;

/** An ElevenLabs audio format name (`ulaw_8000`, `pcm_16000`, ...). */
export type WireAudioFormat = ConversationInitiationMetadataEventAgentOutputAudioFormat;

/** Regions ElevenLabs serves the Agents API from. */
export type ElevenLabsLocation = 'global' | 'us' | 'eu-residency' | 'in-residency' | 'sg-residency';

/**
 * The API origin of each region: elevenlabs-js `src/environments.ts` (`Production`,
 * `ProductionUs`, `ProductionEu`, `ProductionIndia`, `ProductionSingapore`).
 */
export const LOCATION_ORIGINS: Readonly<Record<ElevenLabsLocation, string>> = {
  global: 'https://api.elevenlabs.io',
  us: 'https://api.us.elevenlabs.io',
  'eu-residency': 'https://api.eu.residency.elevenlabs.io',
  'in-residency': 'https://api.in.residency.elevenlabs.io',
  'sg-residency': 'https://api.sg.residency.elevenlabs.io',
};

/** The conversation socket of a public agent: `wss://<host>/v1/convai/conversation?agent_id=`. */
export function publicConversationUrl(origin: string, agentId: string): string {
  const url = new URL('/v1/convai/conversation', origin);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  url.searchParams.set('agent_id', agentId);
  return url.toString();
}

/** Where a private agent's signed URL is asked for (`GET`, header `xi-api-key`). */
export function signedUrlEndpoint(origin: string, agentId: string): string {
  const url = new URL('/v1/convai/conversation/get-signed-url', origin);
  url.searchParams.set('agent_id', agentId);
  return url.toString();
}

/**
 * The audio formats ElevenLabs agents speak and hear, for the ones the SDK converts (PCM at
 * 22 050 and 44 100 Hz are not among them).
 */
const FORMATS: Readonly<Partial<Record<WireAudioFormat, AudioFormat>>> = {
  ulaw_8000: AudioFormats.MULAW_8K,
  pcm_8000: AudioFormats.PCM16_8K,
  pcm_16000: AudioFormats.PCM16_16K,
  pcm_24000: AudioFormats.PCM16_24K,
  pcm_48000: { encoding: 'pcm16', sampleRate: 48000 },
};

/** Our format for an ElevenLabs format name; `undefined` for one the SDK cannot convert. */
export function readWireFormat(name: unknown): AudioFormat | undefined {
  return typeof name === 'string' ? FORMATS[name as WireAudioFormat] : undefined;
}

/** What goes into `conversation_initiation_client_data`. */
export interface InitiationConfig {
  /** `conversation_config_override.agent.prompt.prompt`. */
  readonly prompt?: string;
  /** `conversation_config_override.agent.first_message`. */
  readonly firstMessage?: string;
  /** BCP 47, mapped to ElevenLabs' language codes (`pt-BR` → `pt-br`, `de-DE` → `de`). */
  readonly language?: string;
  /** `conversation_config_override.tts.voice_id`. */
  readonly voiceId?: string;
  readonly dynamicVariables?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * The first client event: the per-call overrides (only those given: an override the agent does
 * not allow in its Security settings makes ElevenLabs refuse the conversation) and dynamic
 * variables.
 */
export function buildInitiation(c: InitiationConfig): ConversationInitiation {
  const override: ConversationConfigOverride = {};
  const agent: NonNullable<ConversationConfigOverride['agent']> = {};
  if (c.prompt) agent.prompt = { prompt: c.prompt };
  if (c.firstMessage !== undefined) agent.first_message = c.firstMessage;
  if (c.language) agent.language = elevenLabsLanguage(c.language);
  if (Object.keys(agent).length > 0) override.agent = agent;
  if (c.voiceId) override.tts = { voice_id: c.voiceId };
  return {
    type: 'conversation_initiation_client_data',
    ...(Object.keys(override).length > 0 && { conversation_config_override: override }),
    ...(c.dynamicVariables && { dynamic_variables: { ...c.dynamicVariables } }),
  };
}

/** ElevenLabs' language code for a BCP 47 tag: the language alone, except Brazilian Portuguese. */
export function elevenLabsLanguage(tag: string): ConversationConfigOverrideAgentLanguage {
  const lower = tag.toLowerCase();
  return (lower === 'pt-br' ? lower : (lower.split('-')[0] ?? lower)) as ConversationConfigOverrideAgentLanguage;
}

/**
 * One caller-audio chunk: `{"user_audio_chunk": "<base64>"}` (ElevenLabs' `UserAudio`, the one
 * client message without a `type`), built straight into its bytes: it goes out every tick.
 */
export const USER_AUDIO = new AudioMessage((base64) => ({ user_audio_chunk: base64 }));

/** The answer to a server `ping`. */
export function pong(eventId: number): Pong {
  return { type: 'pong', event_id: eventId };
}

/** A user text turn: the agent answers it. */
export function userMessage(text: string): UserMessage {
  return { type: 'user_message', text };
}

/** Context the agent takes into account without answering it. */
export function contextualUpdate(text: string): ContextualUpdate {
  return { type: 'contextual_update', text };
}

/**
 * A client tool's result. ElevenLabs wants a string: a string result goes as it is, anything
 * else as JSON; a `{ error }` object (what the SDK's tool registry returns on failure) sets
 * `is_error`.
 */
export function clientToolResult(toolCallId: string, result: unknown): ClientToolResult {
  const isError = result !== null && typeof result === 'object' && 'error' in result;
  let text: string;
  if (typeof result === 'string') text = result;
  else {
    try {
      text = JSON.stringify(result ?? null);
    } catch {
      return { type: 'client_tool_result', tool_call_id: toolCallId, result: 'the tool result could not be serialised', is_error: true };
    }
  }
  return { type: 'client_tool_result', tool_call_id: toolCallId, result: text, is_error: isError };
}

/**
 * Server events the provider knows and deliberately ignores (text-mode, UI, internal and
 * diagnostic events a phone call does not need). Anything not handled and not listed is counted
 * as unknown.
 */
export const IGNORED_EVENTS: ReadonlySet<string> = new Set([
  'conversation_initiation_metadata',
  'tentative_user_transcript',
  'agent_response_correction',
  'agent_chat_response_part',
  'agent_reasoning_response_part',
  'agent_tool_request',
  'rich_content',
  'mcp_tool_call',
  'mcp_connection_status',
  'vad_score',
  'context_usage',
  'asr_initiation_metadata',
  'guardrail_triggered',
  'internal_turn_probability',
  'internal_tentative_agent_response',
  'agent_typing',
  'external_agent_connected',
  'external_agent_disconnected',
]);

/** The `event_id` of an event's payload object (`audio_event`, `interruption_event`, ...), when an integer. */
export function eventId(payload: unknown): number | undefined {
  const id = (payload as { event_id?: unknown } | null | undefined)?.event_id;
  return typeof id === 'number' && Number.isInteger(id) ? id : undefined;
}

/** The payload object of an event (`event.audio_event`, ...), when an object. */
export function payload(event: ServerEvent, key: string): Record<string, unknown> | undefined {
  const v = event[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * An `error` server event (sent when ElevenLabs closes the conversation because of an error) as
 * a {@link ProviderError}; its code is the `error_type` (`override_error`, `max_duration_exceeded`,
 * ...), else the close code ElevenLabs announces.
 */
export function readServerError(event: ServerEvent): ProviderError {
  const e = (payload(event, 'error_event') ?? {}) as Partial<ErrorMessage['error_event']>;
  const code = typeof e.error_type === 'string' ? e.error_type : typeof e.code === 'number' ? String(e.code) : 'error';
  const text = (typeof e.message === 'string' && e.message) || (typeof e.reason === 'string' && e.reason) || 'error';
  const hint = code === 'override_error' ? ' (allow the override in the agent’s Security settings, or construct the provider with { overrides: false })' : '';
  return new ProviderError(`ElevenLabs: ${text} (${code})${hint}`, code);
}
