/**
 * The wire side of Gemini Live (`BidiGenerateContent`): the client messages the provider sends
 * and the reading of the server messages, typed from Google's own `LiveClientMessage` /
 * `LiveServerMessage` (type-only imports of `@google/genai`, a dev dependency: nothing of it is
 * loaded at run time). Values are still read defensively.
 *
 * @module
 * @internal
 */
import type { FunctionResponse, LiveClientMessage, LiveClientSetup, LiveServerMessage, UsageMetadata } from '@google/genai';
import type WebSocket from 'ws';
import type { ProviderUsage, ToolDefinition } from '../provider.js';
import { toGeminiSchema } from './gemini-schema.js';

/** A server message (the fields of Google's `LiveServerMessage`; its accessors are not there on the wire). */
export type ServerMessage = Omit<LiveServerMessage, 'text' | 'data'>;

/** How tools' parameters are sent: converted to Gemini's schema subset, or as JSON Schema (`parametersJsonSchema`). */
export type GeminiToolSchema = 'openapi' | 'json-schema';

/** What the setup message carries. */
export interface SetupConfig {
  readonly model: string;
  readonly instructions: string;
  readonly voice?: string;
  readonly language?: string;
  readonly tools: readonly ToolDefinition[];
  readonly toolSchema: GeminiToolSchema;
  /** The resumption handle when resuming. */
  readonly handle?: string;
  /** Context window compression (`false`: none). */
  readonly compression: { readonly triggerTokens?: number; readonly targetTokens?: number } | false;
}

/** The language the assistant must speak, as a line of the system instruction. */
export function languageDirective(language: string): string {
  let name = language;
  try {
    name = new Intl.DisplayNames(['en'], { type: 'language' }).of(language) ?? language;
  } catch {
    // Not a valid BCP 47 tag: say it as given.
  }
  return `Speak ${name} (${language}) with the caller, unless they ask for another language.`;
}

/**
 * The `setup` message. Native-audio models pick the language themselves and take no
 * `speechConfig.languageCode`, so the language is a line of the system instruction. Every
 * function is `BLOCKING`: the model waits for the result (the default on the models before
 * `gemini-3.8-live`, whose default became `NON_BLOCKING`), which is what hang-up and transfer need.
 */
export function buildSetup(c: SetupConfig): LiveClientMessage {
  const instructions = c.language ? `${c.instructions}\n\n${languageDirective(c.language)}` : c.instructions;
  const declarations = c.tools.map((t) => ({
    name: t.name,
    description: t.description,
    behavior: 'BLOCKING' as const,
    ...(c.toolSchema === 'json-schema' ? { parametersJsonSchema: t.parameters } : { parameters: toGeminiSchema(t.parameters) }),
  }));
  const setup = {
    model: c.model.startsWith('models/') ? c.model : `models/${c.model}`,
    generationConfig: {
      responseModalities: ['AUDIO'],
      ...(c.voice && { speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: c.voice } } } }),
    },
    systemInstruction: { parts: [{ text: instructions }] },
    ...(declarations.length > 0 && { tools: [{ functionDeclarations: declarations }] }),
    inputAudioTranscription: {},
    outputAudioTranscription: {},
    sessionResumption: c.handle ? { handle: c.handle } : {},
    ...(c.compression && {
      contextWindowCompression: {
        ...(c.compression.triggerTokens !== undefined && { triggerTokens: String(c.compression.triggerTokens) }),
        slidingWindow: c.compression.targetTokens !== undefined ? { targetTokens: String(c.compression.targetTokens) } : {},
      },
    }),
  };
  // Google's enums are string enums: the literals on the wire are their values.
  return { setup: setup as unknown as LiveClientSetup };
}

/** A user text turn that asks for an answer (`turnComplete: true`); with no text, just the request for an answer. */
export function buildClientTurn(text?: string): LiveClientMessage {
  if (text === undefined) return { clientContent: { turnComplete: true } };
  return { clientContent: { turns: [{ role: 'user', parts: [{ text }] }], turnComplete: true } };
}

/** Caller audio, PCM16 16 kHz. */
export function buildAudio(base64: string): LiveClientMessage {
  return { realtimeInput: { audio: { data: base64, mimeType: 'audio/pcm;rate=16000' } } };
}

/** The caller's audio stops for a while (muted): Gemini flushes what it holds. */
export function buildAudioStreamEnd(): LiveClientMessage {
  return { realtimeInput: { audioStreamEnd: true } };
}

/**
 * A tool result. Google's `FunctionResponse.response` takes the output under `output` and a
 * failure under `error`; a result `{ error }` (what the session sends when a tool fails) is the latter.
 */
export function buildToolResponse(id: string, name: string, result: unknown): LiveClientMessage {
  const failed = result !== null && typeof result === 'object' && !Array.isArray(result) && 'error' in result && Object.keys(result).length === 1;
  const response: Record<string, unknown> = failed ? { error: (result as { error: unknown }).error } : { output: result ?? null };
  const functionResponse: FunctionResponse = { id, name, response };
  return { toolResponse: { functionResponses: [functionResponse] } };
}

/** Parses one message (Google sends binary frames of JSON); `undefined` when it is not a JSON object. */
export function parseServerMessage(data: WebSocket.RawData): ServerMessage | undefined {
  try {
    const text = Buffer.isBuffer(data) ? data.toString() : Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data).toString();
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as ServerMessage) : undefined;
  } catch {
    return undefined;
  }
}

/** A protobuf `Duration` in JSON (`"5s"`, `"0.25s"`) as ms; `undefined` when unreadable. */
export function durationMs(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(v.trim());
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}

/** Gemini's `usageMetadata` as a {@link ProviderUsage}. */
export function readUsage(u: UsageMetadata | undefined): ProviderUsage | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const audio = (list: unknown): number | undefined =>
    Array.isArray(list) ? list.filter((d) => d?.modality === 'AUDIO').reduce<number | undefined>((n, d) => (n ?? 0) + (Number(d.tokenCount) || 0), undefined) : undefined;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const usage: ProviderUsage = {
    inputTokens: num(u.promptTokenCount),
    outputTokens: num(u.responseTokenCount),
    totalTokens: num(u.totalTokenCount),
    inputAudioTokens: audio(u.promptTokensDetails),
    outputAudioTokens: audio(u.responseTokensDetails),
    cachedTokens: num(u.cachedContentTokenCount),
  };
  return Object.fromEntries(Object.entries(usage).filter(([, v]) => v !== undefined)) as ProviderUsage;
}
