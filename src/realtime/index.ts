/**
 * Realtime speech-to-speech AI: the provider contract, audio formats, tools, the session that
 * joins a call to a provider, and the providers.
 *
 * @module
 */
export * from './audio-format.js';
export * from './barge-in.js';
export * from './provider.js';
export * from './provider-factory.js';
export * from './session.js';
export * from './tools.js';
export * from './providers/energy-vad.js';
export * from './providers/scripted.js';
export * from './providers/openai.js';
export * from './providers/gemini.js';
export * from './providers/gemini-models.js';
export * from './providers/websocket.js';
export * from './providers/elevenlabs.js';
export * from './providers/deepgram.js';
