/**
 * Realtime speech-to-speech AI: the provider contract, audio formats.
 *
 * @module
 */
export * from './audio-format.js';
export * from './provider.js';
