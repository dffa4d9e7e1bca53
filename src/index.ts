/**
 * freeswitch-voice-ai: put a speech-to-speech voice AI on FreeSWITCH calls.
 *
 * - {@link AsyncESLClient}: inbound Event Socket client (port 8021).
 * - `loadConfig()`: configuration from the environment variables FreeSWITCH deployments use.
 *
 * The FreeSWITCH simulator for tests lives in `freeswitch-voice-ai/testing`.
 *
 * @packageDocumentation
 */
import { setDefaultConfig } from './config/defaults.js';
import { loadConfig } from './config/env.js';

export * from './errors.js';
export { type ErrorEmitter, reportError } from './error-reporting.js';
export { type ConsoleLoggerOptions, consoleLogger, defaultLogger, type LogFn, type Logger, type LoggerLevel, redactCommand, silentLogger } from './logger.js';
export * from './esl/index.js';
export * from './config/index.js';
export * from './media/index.js';
export * from './realtime/index.js';
export * from './process/index.js';
export * from './observability/index.js';

// The edge: the layers below read no environment; their defaults (ESL_SERVER_*, RTP_*,
// AUDIO_MODE, ...) come from here, read when a default is needed (an invalid variable throws
// there, never at import). See docs/architecture.md.
setDefaultConfig(() => loadConfig());
