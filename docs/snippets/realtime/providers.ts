import { GEMINI_LIVE_MODELS, GeminiLiveProvider, OpenAIRealtimeProvider } from 'freeswitch-voice-ai';

// OpenAI: OPENAI_API_KEY, the GA interface, the call's G.711 law end to end.
export const openai = (): OpenAIRealtimeProvider => new OpenAIRealtimeProvider({ model: 'gpt-realtime', turnDetection: { silenceDurationMs: 400 } });

// Azure OpenAI: AZURE_OPENAI_API_KEY; the deployment is the model.
export const azure = (): OpenAIRealtimeProvider =>
  new OpenAIRealtimeProvider({ azure: { endpoint: 'https://my-resource.openai.azure.com', deployment: 'gpt-realtime' } });

// Gemini Live: GEMINI_API_KEY; a served model (see GEMINI_LIVE_MODELS), a sliding context window.
export const gemini = (): GeminiLiveProvider =>
  new GeminiLiveProvider({ model: GEMINI_LIVE_MODELS[0]!.name, contextWindowCompression: { triggerTokens: 25_600 } });

// Every WebSocket provider takes the same transport options (permessage-deflate stays off).
export const behindAProxy = (agent: import('node:http').Agent): OpenAIRealtimeProvider => new OpenAIRealtimeProvider({ webSocket: { agent, handshakeTimeout: 5000 } });
