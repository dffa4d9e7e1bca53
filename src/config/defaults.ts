/**
 * The process defaults: what `createOutboundServer`, `RtpBridge`, `startCallMedia(For)`, the
 * process-wide port allocator, shared socket and WebSocket media server, `EslPool` and
 * `OutboundCluster` use for an option left unset. The layers below (`esl/`, `media/`,
 * `realtime/`) read the environment nowhere: they ask {@link getDefaultConfig}, and the package's
 * entry point wires it to `loadConfig()` (the `ESL_*`, `RTP_*`, `AUDIO_MODE`, ... variables), read
 * each time a default is needed. {@link setDefaultConfig} wires another source. Nothing here
 * reads the environment either.
 *
 * @module
 */
import { hidePassword } from './redact.js';
import { PUBLIC_DEFAULT_PASSWORD, type VoiceAiConfig } from './settings.js';

/**
 * The documented default of every setting (docs/configuration.md), as `loadConfig()` returns it
 * with no variable set; deeply frozen. What {@link getDefaultConfig} gives when no source is set.
 */
export const BUILT_IN_CONFIG: VoiceAiConfig = deepFreeze({
  audioMode: 'rtp',
  esl: hidePassword(
    { host: '127.0.0.1', port: 8021, password: PUBLIC_DEFAULT_PASSWORD, connectTimeout: 5000, readTimeout: 30_000, reconnectDelay: 1000, maxReconnectAttempts: 10 },
    'EslSettings',
  ),
  server: { host: '127.0.0.1', port: 8022, maxConnections: 100 },
  rtp: { portMin: 10_000, portMax: 10_100, bindAddress: '127.0.0.1', sharedSocket: false, jitter: { minMs: 60, maxMs: 200, targetMs: 100 } },
  websocket: { port: 8085 },
});

/** Where {@link getDefaultConfig} takes the process defaults from. */
export type DefaultConfigSource = VoiceAiConfig | (() => VoiceAiConfig);

let source: DefaultConfigSource = BUILT_IN_CONFIG;

/**
 * The process defaults now: from the source {@link setDefaultConfig} set. Importing the package
 * (`freeswitch-voice-ai`) sets `() => loadConfig()`, so the defaults follow the environment and
 * an invalid variable throws its `ConfigError` where a default is needed (not at import);
 * without a source, {@link BUILT_IN_CONFIG}.
 *
 * @throws Whatever the source throws (`ConfigError` for an invalid environment variable).
 */
export function getDefaultConfig(): VoiceAiConfig {
  return typeof source === 'function' ? source() : source;
}

/**
 * Sets where the process defaults come from: a configuration (e.g. `loadConfig(myRecord)`) or a
 * function called each time a default is needed. What is already built keeps what it took (the
 * process-wide port allocator and shared socket are made once, on first use). The package's
 * entry point sets `() => loadConfig()` when it is imported.
 *
 * ```ts
 * setDefaultConfig(loadConfig({ RTP_PORT_MIN: '20000', RTP_PORT_MAX: '20999' })); // not from process.env
 * ```
 */
export function setDefaultConfig(next: DefaultConfigSource): void {
  source = next;
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}
