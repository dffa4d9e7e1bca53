import { DeepgramVoiceAgentProvider, ElevenLabsAgentProvider, GEMINI_LIVE_MODELS, GeminiLiveProvider, OpenAIRealtimeProvider } from 'freeswitch-voice-ai';

// OpenAI: OPENAI_API_KEY, the GA interface, the call's G.711 law end to end.
export const openai = (): OpenAIRealtimeProvider => new OpenAIRealtimeProvider({ model: 'gpt-realtime', turnDetection: { silenceDurationMs: 400 } });

// Azure OpenAI: AZURE_OPENAI_API_KEY; the deployment is the model.
export const azure = (): OpenAIRealtimeProvider =>
  new OpenAIRealtimeProvider({ azure: { endpoint: 'https://my-resource.openai.azure.com', deployment: 'gpt-realtime' } });

// Gemini Live: GEMINI_API_KEY; a served model (see GEMINI_LIVE_MODELS), a sliding context window.
export const gemini = (): GeminiLiveProvider =>
  new GeminiLiveProvider({ model: GEMINI_LIVE_MODELS[0]!.name, contextWindowCompression: { triggerTokens: 25_600 } });

// ElevenLabs Agents: ELEVENLABS_AGENT_ID (+ ELEVENLABS_API_KEY for a private agent); the agent's
// own prompt, voice and formats (set it to µ-law 8000 Hz), the caller's number as a dynamic variable.
export const elevenLabs = (callerId: string): ElevenLabsAgentProvider =>
  new ElevenLabsAgentProvider({ location: 'eu-residency', overrides: false, dynamicVariables: { caller_id: callerId } });

// Deepgram Voice Agent: DEEPGRAM_API_KEY; Deepgram listens and speaks, an LLM of your choice thinks.
export const deepgram = (): DeepgramVoiceAgentProvider =>
  new DeepgramVoiceAgentProvider({ region: 'eu', think: { type: 'open_ai', model: 'gpt-4o-mini' }, speak: { type: 'deepgram', model: 'aura-2-thalia-en' } });

// Every WebSocket provider takes the same transport options (permessage-deflate stays off).
export const behindAProxy = (agent: import('node:http').Agent): OpenAIRealtimeProvider => new OpenAIRealtimeProvider({ webSocket: { agent, handshakeTimeout: 5000 } });
