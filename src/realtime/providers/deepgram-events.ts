/**
 * The wire side of Deepgram's Voice Agent API (`/v1/agent/converse`): the `Settings` message
 * and the other client messages, and the server messages, typed with Deepgram's own published
 * types (`@deepgram/sdk`: `src/api/resources/agent/resources/v1/types/AgentV1*.ts`, and
 * `ThinkSettingsV1`, `SpeakSettingsV1`, `DeepgramListenProviderV1` in `src/api/types/`; imported
 * as types only, so nothing of the SDK is loaded at run time).
 *
 * Behaviour followed: deepgram-js-sdk `src/api/resources/agent/resources/v1/client/Socket.ts`
 * (JSON control messages and binary audio on one socket; the server messages it reads),
 * `src/CustomClient.ts` (`Authorization: Token <key>` on the handshake in Node),
 * `src/environments.ts` and Deepgram's regional-endpoints page (hosts), `examples/09-voice-agent.ts`
 * (`Settings` first, `KeepAlive` every 5 s), and Deepgram's Voice Agent docs: `UserStartedSpeaking`
 * means "discard any queued agent speech", `FunctionCallCancelled` means "send no
 * `FunctionCallResponse` for this id", `defer_until_eot` holds a function with side effects
 * until the caller's turn is confirmed, `UpdateThink` replaces the whole think configuration
 * (`UpdatePrompt` only appends to the prompt), `InjectAgentMessage` speaks a given text.
 *
 * @module
 * @internal
 */
import type { DeepgramListenProviderV1, SpeakSettingsV1, ThinkSettingsV1, agent } from '@deepgram/sdk';
import { ProviderError } from '../../errors.js';
import type { AudioFormat } from '../audio-format.js';
import type { ToolDefinition } from '../provider.js';

/** A server message as parsed: a `type`, everything else read defensively. */
export interface ServerMessage {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** The server messages the provider acts on, as Deepgram types them. */
export type KnownServerMessage =
  | agent.AgentV1Welcome
  | agent.AgentV1SettingsApplied
  | agent.AgentV1ConversationText
  | agent.AgentV1UserStartedSpeaking
  | agent.AgentV1AgentThinking
  | agent.AgentV1AgentStartedSpeaking
  | agent.AgentV1AgentAudioDone
  | agent.AgentV1FunctionCallRequest
  | agent.AgentV1FunctionCallCancelled
  | agent.AgentV1InjectionRefused
  | agent.AgentV1Error
  | agent.AgentV1Warning;

/** Regions serving the Voice Agent API. */
export type DeepgramRegion = 'global' | 'eu' | 'us' | 'au' | 'in';

/**
 * The Voice Agent socket of each region: deepgram-js-sdk `src/environments.ts` (`agent`) for the
 * global one; Deepgram's regional-endpoints page for `api.eu`, `api.us`, `api.au`, `api.in`.
 */
export const REGION_URLS: Readonly<Record<DeepgramRegion, string>> = {
  global: 'wss://agent.deepgram.com/v1/agent/converse',
  eu: 'wss://api.eu.deepgram.com/v1/agent/converse',
  us: 'wss://api.us.deepgram.com/v1/agent/converse',
  au: 'wss://api.au.deepgram.com/v1/agent/converse',
  in: 'wss://api.in.deepgram.com/v1/agent/converse',
};

/** A think (LLM) provider, e.g. `{ type: 'open_ai', model: 'gpt-4o-mini' }` (Deepgram's `ThinkSettingsV1.provider`). */
export interface DeepgramThinkProvider {
  /** The provider, e.g. `open_ai`, `anthropic`, `google`. */
  readonly type: string;
  /** Its model. */
  readonly model?: string;
  /** Sampling temperature. */
  readonly temperature?: number;
  readonly [setting: string]: unknown;
}

/** A speak (TTS) provider, e.g. `{ type: 'deepgram', model: 'aura-2-thalia-en' }` (Deepgram's `SpeakSettingsV1.provider`). */
export interface DeepgramSpeakProvider {
  /** The provider, e.g. `deepgram`, `eleven_labs`. */
  readonly type: string;
  /** Its voice model. */
  readonly model?: string;
  readonly [setting: string]: unknown;
}

/** A listen (STT) provider, e.g. `{ type: 'deepgram', model: 'nova-3' }` (Deepgram's listen provider V1/V2). */
export interface DeepgramListenProvider {
  /** The provider, e.g. `deepgram`. */
  readonly type: string;
  /** Its model. */
  readonly model?: string;
  readonly [setting: string]: unknown;
}

/** A custom endpoint of a think or speak provider (Deepgram's `endpoint`: URL and headers). */
export interface DeepgramEndpoint {
  /** The endpoint URL. */
  readonly url: string;
  /** Headers sent to it (credentials): never logged. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Defaults, from Deepgram's own examples (deepgram-js-sdk `examples/09-voice-agent.ts`, 2026). */
export const DEFAULT_LISTEN: DeepgramListenProviderV1 = { type: 'deepgram', version: 'v1', model: 'nova-3' };
export const DEFAULT_THINK: DeepgramThinkProvider = { type: 'open_ai', model: 'gpt-4o-mini' };
export const DEFAULT_VOICE = 'aura-2-thalia-en';

/** What goes into `Settings`. */
export interface SettingsConfig extends ThinkConfig {
  readonly format: { readonly input: AudioFormat; readonly output: AudioFormat };
  readonly language?: string;
  readonly voice?: string;
  readonly listen?: DeepgramListenProvider;
  readonly speak?: DeepgramSpeakProvider;
  readonly speakEndpoint?: DeepgramEndpoint;
  readonly greeting?: string;
  readonly mipOptOut?: boolean;
  readonly tags?: readonly string[];
}

/** Deepgram's encoding name of a format (`mulaw`, `alaw`, `linear16`). */
export function wireEncoding(format: AudioFormat): 'mulaw' | 'alaw' | 'linear16' {
  return format.encoding === 'mulaw' ? 'mulaw' : format.encoding === 'alaw' ? 'alaw' : 'linear16';
}

/** What goes into `agent.think` (at setup, and whole again in `UpdateThink`). */
export interface ThinkConfig {
  readonly instructions: string;
  readonly tools: readonly ToolDefinition[];
  /** Tools held until the caller's turn is confirmed (`defer_until_eot`). */
  readonly deferTools: ReadonlySet<string>;
  readonly think?: DeepgramThinkProvider;
  readonly thinkEndpoint?: DeepgramEndpoint;
}

/** `agent.think`: the LLM, its prompt and the client-side functions. */
export function buildThink(c: ThinkConfig): ThinkSettingsV1 {
  const functions: ThinkSettingsV1.Functions.Item[] = c.tools.map((t) => ({
    name: t.name,
    description: t.description,
    parameters: { ...t.parameters },
    ...(c.deferTools.has(t.name) && { defer_until_eot: true }),
  }));
  return {
    provider: (c.think ?? DEFAULT_THINK) as ThinkSettingsV1['provider'],
    prompt: c.instructions,
    ...(functions.length > 0 && { functions }),
    ...(c.thinkEndpoint && { endpoint: { url: c.thinkEndpoint.url, headers: { ...c.thinkEndpoint.headers } } }),
  };
}

/**
 * The `Settings` message: raw audio both ways (`container: 'none'`), the listen, think and
 * speak providers, the prompt and the client-side functions.
 */
export function buildSettings(c: SettingsConfig): agent.AgentV1Settings {
  const listen = { ...(c.listen ?? DEFAULT_LISTEN), ...(c.language && !c.listen && { language: c.language }) };
  const speak: SpeakSettingsV1 = {
    provider: (c.speak ?? { type: 'deepgram', model: c.voice ?? DEFAULT_VOICE }) as SpeakSettingsV1['provider'],
    ...(c.speakEndpoint && { endpoint: { url: c.speakEndpoint.url, headers: { ...c.speakEndpoint.headers } } }),
  };
  return {
    type: 'Settings',
    ...(c.tags && c.tags.length > 0 && { tags: [...c.tags] }),
    ...(c.mipOptOut !== undefined && { mip_opt_out: c.mipOptOut }),
    audio: {
      input: { encoding: wireEncoding(c.format.input), sample_rate: c.format.input.sampleRate },
      output: { encoding: wireEncoding(c.format.output), sample_rate: c.format.output.sampleRate, container: 'none' },
    },
    agent: {
      listen: { provider: listen as agent.AgentV1SettingsAgentContextListenProvider },
      think: buildThink(c),
      speak,
      ...(c.greeting && { greeting: c.greeting }),
    },
  };
}

/** `UpdateThink`: replaces the whole think configuration (model, prompt, endpoint, functions); `ThinkUpdated` confirms it. */
export function updateThink(think: ThinkSettingsV1): agent.AgentV1UpdateThink {
  return { type: 'UpdateThink', think };
}

/**
 * `InjectAgentMessage`: the agent says exactly `message`. `queue` plays it once the current
 * agent turn is over (at once when there is none), never refused and never cutting the agent off.
 */
export function injectAgentMessage(message: string): agent.AgentV1InjectAgentMessage {
  return { type: 'InjectAgentMessage', message, behavior: 'queue' };
}

/** `KeepAlive`: keeps the socket open while no audio is sent. */
export const KEEP_ALIVE: string = JSON.stringify({ type: 'KeepAlive' } satisfies agent.AgentV1KeepAlive);

/** A user text turn the agent answers. */
export function injectUserMessage(content: string): agent.AgentV1InjectUserMessage {
  return { type: 'InjectUserMessage', content };
}

/** A client-side function's result: `content` is the string result as it is, anything else as JSON. */
export function functionCallResponse(id: string, name: string, result: unknown): agent.AgentV1SendFunctionCallResponse {
  let content: string;
  if (typeof result === 'string') content = result;
  else {
    try {
      content = JSON.stringify(result ?? null);
    } catch {
      content = JSON.stringify({ error: 'the tool result could not be serialised' });
    }
  }
  return { type: 'FunctionCallResponse', id, name, content };
}

/**
 * Server messages the provider knows and deliberately ignores (acknowledgements, history,
 * latency reports, server-side function results). Anything not handled and not listed is counted
 * as unknown.
 */
export const IGNORED_MESSAGES: ReadonlySet<string> = new Set([
  'Welcome',
  'SettingsApplied',
  'PromptUpdated',
  'SpeakUpdated',
  'ListenUpdated',
  'FunctionCallResponse',
  'LatencyReport',
  'History',
]);

/** A function the agent wants run, as read from a `FunctionCallRequest`. */
export interface FunctionCall {
  readonly id: string;
  readonly name: string;
  /** The raw JSON string of its arguments. */
  readonly arguments: unknown;
  readonly clientSide: boolean;
}

/** The functions of a `FunctionCallRequest` (entries without a string id and name are skipped). */
export function readFunctionCalls(message: ServerMessage): FunctionCall[] {
  const list = Array.isArray(message.functions) ? (message.functions as unknown[]) : [];
  const calls: FunctionCall[] = [];
  for (const f of list) {
    const item = f as Partial<agent.AgentV1FunctionCallRequest.Functions.Item> | null;
    if (typeof item?.id !== 'string' || typeof item.name !== 'string') continue;
    calls.push({ id: item.id, name: item.name, arguments: item.arguments, clientSide: item.client_side !== false });
  }
  return calls;
}

/** The ids of a `FunctionCallCancelled`. */
export function readCancelledIds(message: ServerMessage): string[] {
  const list = Array.isArray(message.functions) ? (message.functions as unknown[]) : [];
  return list.map((f) => (f as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string');
}

/** Parses function arguments: an object, or `undefined` when they are not a JSON object. */
export function parseArguments(raw: unknown): Record<string, unknown> | undefined {
  if (raw === undefined || raw === '') return {};
  if (typeof raw !== 'string') return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An `Error` or `Warning` message as a {@link ProviderError} with Deepgram's code. */
export function readServerError(message: ServerMessage): ProviderError {
  const m = message as Partial<agent.AgentV1Error>;
  const code = typeof m.code === 'string' && m.code ? m.code : message.type === 'Warning' ? 'warning' : 'error';
  const text = typeof m.description === 'string' && m.description ? m.description : message.type;
  return new ProviderError(`Deepgram${message.type === 'Warning' ? ' warning' : ''}: ${text} (${code})`, code);
}
