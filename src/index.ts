/**
 * Put a speech-to-speech voice AI on FreeSWITCH calls from Node.js. The reference is grouped by
 * area, and each area says how settled it is. **Stable**: meant to stay as it is; a breaking
 * change comes only in a new minor version while 0.x (a major one from 1.0), is called out in
 * the changelog, and where it can the old form is deprecated for a minor version first.
 * **Experimental**: may change in any minor version without a deprecation period (still in the
 * changelog), as FreeSWITCH modules, vendors' APIs and operations experience teach us.
 *
 * - {@link AsyncESLClient}: drive FreeSWITCH over the inbound Event Socket (port 8021).
 * - {@link createOutboundServer}: the server the dialplan's `socket` application connects to,
 *   one {@link OutboundCall} per call.
 * - {@link startCallMediaFor} / {@link RtpBridge}: a call's audio over `unicast` (UDP) or a
 *   WebSocket stream ({@link MediaTransport}).
 * - {@link RealtimeSession}: a call, its audio and a {@link RealtimeProvider} (OpenAI Realtime,
 *   Gemini Live, ElevenLabs Agents, Deepgram Voice Agent, {@link ScriptedProvider}).
 * - {@link loadConfig}: the `ESL_*`, `RTP_*`, `AUDIO_MODE` variables, read at this entry point
 *   only ({@link getDefaultConfig}).
 *
 * The FreeSWITCH simulator for your tests is `freeswitch-voice-ai/testing`; RTCP reports and
 * werift-rtp interop are `freeswitch-voice-ai/rtcp`. The guides (getting started, FreeSWITCH
 * and FusionPBX setup, architecture, troubleshooting, ...) are the documents of this site.
 *
 * @categoryDescription ESL inbound
 * Stable. The inbound Event Socket client: commands, `bgapi` jobs, events and filters,
 * reconnects that restore subscriptions, `originate` and the `uuid_*` helpers.
 *
 * @categoryDescription ESL outbound
 * Stable. The outbound server and its calls: the `connect` handshake, `execute` that resolves
 * with the application's completion, DTMF, hangup and hand-off, admission limits, graceful
 * shutdown.
 *
 * @categoryDescription ESL protocol
 * Stable. The wire: the frame parser, events in plain, JSON and XML, replies, and command
 * builders that refuse injection before a byte is written.
 *
 * @categoryDescription ESL pool
 * Experimental. Many FreeSWITCH nodes: tenants' endpoints, calls routed to the node that owns
 * them, per-node originate limits.
 *
 * @categoryDescription Media
 * Stable. A call's audio over UDP: `startCallMedia`, the RTP/`unicast` bridge, jitter buffer,
 * pacer, the process-wide media clock, ports and the shared socket.
 *
 * @categoryDescription Audio
 * Stable. Audio formats, G.711, PCM and the resampler.
 *
 * @categoryDescription WebSocket media
 * Experimental. `mod_audio_stream` / `mod_audio_fork` as a second transport: the WebSocket media
 * server, streams, and answers played as binary frames or files.
 *
 * @categoryDescription Realtime
 * Stable. The provider-neutral contract, the session joining a call to a provider (barge-in,
 * tools, fallback, mid-call control, metrics) and typed tool schemas.
 *
 * @categoryDescription Providers
 * Experimental. OpenAI Realtime, Gemini Live, ElevenLabs Agents, Deepgram Voice Agent and the
 * local scripted provider: their options follow the vendors' APIs, which still move.
 *
 * @categoryDescription Configuration
 * Stable. The environment variables, their validation, the process defaults and tenants.
 *
 * @categoryDescription Observability
 * Experimental. Prometheus metrics (their names may still change), health checks, the log
 * fields of a call, and a tap on the errors the SDK reports.
 *
 * @categoryDescription Logging
 * Stable. The `Logger` every class takes (pino-compatible), the default one and its redaction.
 *
 * @categoryDescription Process
 * Experimental. Graceful shutdown on signals and one worker process per core behind one port.
 *
 * @categoryDescription Errors
 * Stable. Every error class and its stable `code`.
 *
 * @module freeswitch-voice-ai
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
