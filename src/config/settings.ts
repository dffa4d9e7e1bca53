/**
 * The shape of the configuration: what `loadConfig()` returns and what the layers below take as
 * their process defaults ({@link getDefaultConfig}). Types and constants only: nothing here
 * reads the environment.
 *
 * @module
 */

/**
 * How call audio reaches us (`AUDIO_MODE`):
 * - `rtp`: FreeSWITCH's `unicast` over UDP to an `RtpBridge` (`unicast` is read as `rtp`);
 * - `websocket`: `mod_audio_stream` / `mod_audio_fork` stream to the WebSocket media server;
 * - `dual`: both listeners are up, and each call uses what its dialplan starts;
 * - `esl`: call control only, no media path.
 */
export type AudioMode = 'rtp' | 'websocket' | 'dual' | 'esl';

/** Every {@link AudioMode}, in documentation order. */
export const AUDIO_MODES: readonly AudioMode[] = ['rtp', 'websocket', 'dual', 'esl'];

/** The inbound Event Socket client settings (`ESL_*`); they fit `AsyncESLClientOptions`. */
export interface EslSettings {
  /** FreeSWITCH's Event Socket host name or IP (`ESL_HOST`). */
  readonly host: string;
  /** Event Socket TCP port (`ESL_PORT`). */
  readonly port: number;
  /** `event_socket.conf.xml` password (`ESL_PASSWORD`). Never logged; `util.inspect` and `JSON.stringify` show `***`. */
  readonly password: string;
  /** Ms to open the socket and log in; 0 = no limit (`ESL_CONNECT_TIMEOUT`). */
  readonly connectTimeout: number;
  /** Ms to wait for one command's reply; 0 = no limit (`ESL_READ_TIMEOUT`). */
  readonly readTimeout: number;
  /** Ms before the first reconnect attempt (`ESL_RECONNECT_DELAY`). */
  readonly reconnectDelay: number;
  /** Reconnect attempts after a drop: 0 = never reconnect, `Infinity` = never give up (`ESL_MAX_RECONNECT_ATTEMPTS`). */
  readonly maxReconnectAttempts: number;
}

/** The outbound server settings (`ESL_SERVER_*`): where the `socket` dialplan app connects to. */
export interface OutboundServerSettings {
  /** Address the server listens on (`ESL_SERVER_HOST`). */
  readonly host: string;
  /** TCP port it listens on (`ESL_SERVER_PORT`). */
  readonly port: number;
  /** Most concurrent outbound connections, i.e. calls (`ESL_MAX_CONNECTIONS`). */
  readonly maxConnections: number;
}

/** The jitter-buffer delays, in ms (`RTP_JITTER_*_MS`); always `minMs <= targetMs <= maxMs`. */
export interface JitterSettings {
  /** Smallest delay (`RTP_JITTER_MIN_MS`). */
  readonly minMs: number;
  /** Largest delay (`RTP_JITTER_MAX_MS`). */
  readonly maxMs: number;
  /** Starting delay (`RTP_JITTER_TARGET_MS`). */
  readonly targetMs: number;
}

/** The media settings (`RTP_*`). */
export interface RtpSettings {
  /** First UDP port for call audio, inclusive (`RTP_PORT_MIN`). */
  readonly portMin: number;
  /** Last UDP port for call audio, inclusive (`RTP_PORT_MAX`); always `>= portMin`. */
  readonly portMax: number;
  /** IPv4 address the audio sockets bind to (`RTP_BIND_ADDRESS`). */
  readonly bindAddress: string;
  /**
   * Every call's audio on one UDP socket, bound on `portMin` (`RTP_SHARED_SOCKET`); the range
   * then numbers FreeSWITCH's unicast ports (`portMin + 1000 .. portMax + 1000`), not sockets of
   * ours. The path past a hundred or so calls per process: see docs/configuration.md.
   */
  readonly sharedSocket: boolean;
  /** Jitter-buffer delays. */
  readonly jitter: JitterSettings;
}

/** The WebSocket media server settings (`VOICE_AI_REALTIME_PORT`). */
export interface WebSocketSettings {
  /** TCP port `mod_audio_stream` / `mod_audio_fork` connect to (`VOICE_AI_REALTIME_PORT`). */
  readonly port: number;
}

/** Everything `loadConfig()` reads (deeply frozen), and the process defaults of the layers below ({@link getDefaultConfig}). */
export interface VoiceAiConfig {
  /** How call audio reaches us (`AUDIO_MODE`). */
  readonly audioMode: AudioMode;
  /** Inbound Event Socket client. */
  readonly esl: EslSettings;
  /** Outbound Event Socket server. */
  readonly server: OutboundServerSettings;
  /** Media. */
  readonly rtp: RtpSettings;
  /** WebSocket media (`AUDIO_MODE` `websocket` or `dual`). */
  readonly websocket: WebSocketSettings;
}

/** FreeSWITCH's public default Event Socket password (`event_socket.conf.xml` as shipped). */
export const PUBLIC_DEFAULT_PASSWORD = 'ClueCon';
