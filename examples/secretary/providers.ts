/**
 * The provider of each conversation, from the secretary's configuration: OpenAI Realtime or
 * Gemini Live with the secretary's model and audio profile, or the local scripted voice (no
 * key: wiring tests, and what answers when a key is missing — it says so and takes a message).
 */
import { GeminiLiveProvider, type Logger, OpenAIRealtimeProvider, ScriptedProvider } from 'freeswitch-voice-ai';
import type { ProviderFactory } from './runtime.js';

/** Options of {@link configuredProviders}. */
export interface ProviderKeys {
  /** `OPENAI_API_KEY`. */
  openai?: string;
  /** `GEMINI_API_KEY` / `GOOGLE_API_KEY`. */
  gemini?: string;
  logger?: Logger;
}

/**
 * A factory that builds each secretary's configured provider. A secretary whose vendor has no
 * key gets the scripted voice, which greets, apologises and takes the caller's words as a message.
 */
export function configuredProviders(keys: ProviderKeys): ProviderFactory {
  return (secretary, _call, role) => {
    const vendor = secretary.provider.toLowerCase();
    if (vendor === 'openai' && keys.openai) {
      return new OpenAIRealtimeProvider({
        apiKey: keys.openai,
        ...(secretary.model && { model: secretary.model }),
        audio: secretary.audioProfile === 'wideband' ? 'pcm16' : 'auto',
        logger: keys.logger,
      });
    }
    if (vendor === 'gemini' && keys.gemini) {
      return new GeminiLiveProvider({ apiKey: keys.gemini, ...(secretary.model && { model: secretary.model }), logger: keys.logger });
    }
    if (vendor !== 'scripted') keys.logger?.warn({ secretary: secretary.uuid, provider: vendor }, 'secretary: no API key for this provider; the scripted voice answers');
    return role === 'consult'
      ? new ScriptedProvider({ greeting: 'A caller is waiting for you.', turns: [{ say: 'Connecting you now.', tool: { name: 'accept_transfer' } }] })
      : new ScriptedProvider({
          greeting: secretary.messages.greeting,
          turns: [{ say: 'Our assistant is not available right now. I will pass your message on.', tool: { name: 'take_message', args: { message: '(recorded by the scripted voice)' } }, afterTool: secretary.messages.farewell }],
        });
  };
}
