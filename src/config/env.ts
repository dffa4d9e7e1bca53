import { isIPv4 } from 'node:net';
import { ConfigError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';

/** How call audio reaches us: FreeSWITCH's `unicast` raw UDP, or RTP. */
export type AudioMode = 'unicast' | 'rtp';

/** The inbound Event Socket client settings (`ESL_*`). */
export interface EslSettings {
  host: string;
  port: number;
  password: string;
  /** ms */
  connectTimeout: number;
  /** ms, per command */
  readTimeout: number;
  /** ms */
  reconnectDelay: number;
  /** 0 = never reconnect; `Infinity` = never give up. */
  maxReconnectAttempts: number;
}

/** The outbound server settings (`ESL_SERVER_*`). */
export interface OutboundServerSettings {
  host: string;
  port: number;
  maxConnections: number;
}

/** The media settings (`RTP_*`). */
export interface RtpSettings {
  portMin: number;
  portMax: number;
  bindAddress: string;
  jitter: { minMs: number; maxMs: number; targetMs: number };
}

/** Everything {@link loadConfig} reads. */
export interface VoiceAiConfig {
  audioMode: AudioMode;
  esl: EslSettings;
  server: OutboundServerSettings;
  rtp: RtpSettings;
}

/** The defaults, as documented in docs/configuration.md. */
export const DEFAULTS = Object.freeze({
  AUDIO_MODE: 'unicast',
  ESL_HOST: '127.0.0.1',
  ESL_PORT: '8021',
  ESL_PASSWORD: 'ClueCon',
  ESL_CONNECT_TIMEOUT: '5000',
  ESL_READ_TIMEOUT: '30000',
  ESL_RECONNECT_DELAY: '1000',
  ESL_MAX_RECONNECT_ATTEMPTS: '10',
  ESL_SERVER_HOST: '127.0.0.1',
  ESL_SERVER_PORT: '8022',
  ESL_MAX_CONNECTIONS: '100',
  RTP_PORT_MIN: '10000',
  RTP_PORT_MAX: '10100',
  RTP_BIND_ADDRESS: '127.0.0.1',
  RTP_JITTER_MIN_MS: '60',
  RTP_JITTER_MAX_MS: '200',
  RTP_JITTER_TARGET_MS: '100',
} as const);

/** FreeSWITCH's public default Event Socket password. */
const PUBLIC_DEFAULT_PASSWORD = 'ClueCon';

/** The variables {@link loadConfig} reads from: `process.env` or any record. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Collects every problem so one error can name them all. */
class Reader {
  readonly problems: { variable: string; value: string | undefined; message: string }[] = [];

  constructor(private readonly env: Env) {}

  raw(name: keyof typeof DEFAULTS): string {
    const v = this.env[name]?.trim();
    return v === undefined || v === '' ? DEFAULTS[name] : v;
  }

  int(name: keyof typeof DEFAULTS, min: number, max: number, what: string): number {
    const text = this.raw(name);
    const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.fail(name, text, `must be ${what} (an integer from ${min} to ${max})`);
      return Number(DEFAULTS[name]);
    }
    return n;
  }

  host(name: keyof typeof DEFAULTS): string {
    const text = this.raw(name);
    if (/\s/.test(text)) this.fail(name, text, 'must be a host name or IP address without whitespace');
    return text;
  }

  fail(variable: string, value: string | undefined, message: string): void {
    this.problems.push({ variable, value, message });
  }
}

/**
 * Reads the configuration from environment variables (default `process.env`), applies the
 * documented defaults and validates everything. Throws one {@link ConfigError} naming every
 * invalid variable and its value (the password is never echoed). Warns through `logger` when
 * `ESL_PASSWORD` is FreeSWITCH's public default.
 */
export function loadConfig(env: Env = process.env, options: { logger?: Logger } = {}): VoiceAiConfig {
  const logger = options.logger ?? silentLogger;
  const r = new Reader(env);

  const mode = r.raw('AUDIO_MODE').toLowerCase();
  if (mode !== 'unicast' && mode !== 'rtp') r.fail('AUDIO_MODE', r.raw('AUDIO_MODE'), "must be 'unicast' or 'rtp'");

  const password = env.ESL_PASSWORD ?? DEFAULTS.ESL_PASSWORD;
  if (password === '' || /[\r\n]/.test(password)) r.fail('ESL_PASSWORD', undefined, 'must be non-empty and on one line');

  const attemptsText = r.raw('ESL_MAX_RECONNECT_ATTEMPTS');
  const maxReconnectAttempts = /^(-1|infinite|infinity)$/i.test(attemptsText)
    ? Infinity
    : r.int('ESL_MAX_RECONNECT_ATTEMPTS', 0, 1_000_000, "a count, -1 or 'infinite'");

  const config: VoiceAiConfig = {
    audioMode: mode === 'rtp' ? 'rtp' : 'unicast',
    esl: {
      host: r.host('ESL_HOST'),
      port: r.int('ESL_PORT', 1, 65535, 'a TCP port'),
      password,
      connectTimeout: r.int('ESL_CONNECT_TIMEOUT', 1, 3_600_000, 'a timeout in ms'),
      readTimeout: r.int('ESL_READ_TIMEOUT', 0, 3_600_000, 'a timeout in ms, 0 for none'),
      reconnectDelay: r.int('ESL_RECONNECT_DELAY', 0, 3_600_000, 'a delay in ms'),
      maxReconnectAttempts,
    },
    server: {
      host: r.host('ESL_SERVER_HOST'),
      port: r.int('ESL_SERVER_PORT', 0, 65535, 'a TCP port (0 picks a free one)'),
      maxConnections: r.int('ESL_MAX_CONNECTIONS', 1, 1_000_000, 'a connection count'),
    },
    rtp: {
      portMin: r.int('RTP_PORT_MIN', 1, 65535, 'a UDP port'),
      portMax: r.int('RTP_PORT_MAX', 1, 65535, 'a UDP port'),
      bindAddress: r.raw('RTP_BIND_ADDRESS'),
      jitter: {
        minMs: r.int('RTP_JITTER_MIN_MS', 0, 5000, 'a delay in ms'),
        maxMs: r.int('RTP_JITTER_MAX_MS', 0, 5000, 'a delay in ms'),
        targetMs: r.int('RTP_JITTER_TARGET_MS', 0, 5000, 'a delay in ms'),
      },
    },
  };

  if (!isIPv4(config.rtp.bindAddress)) {
    r.fail('RTP_BIND_ADDRESS', config.rtp.bindAddress, 'must be an IPv4 address (FreeSWITCH unicast is IPv4 only)');
  }
  if (config.rtp.portMin > config.rtp.portMax) {
    r.fail('RTP_PORT_MIN', String(config.rtp.portMin), `must not exceed RTP_PORT_MAX (${config.rtp.portMax})`);
  }
  const { minMs, maxMs, targetMs } = config.rtp.jitter;
  if (!(minMs <= targetMs && targetMs <= maxMs)) {
    r.fail('RTP_JITTER_TARGET_MS', String(targetMs), `must lie between RTP_JITTER_MIN_MS (${minMs}) and RTP_JITTER_MAX_MS (${maxMs})`);
  }

  if (r.problems.length > 0) {
    const first = r.problems[0]!;
    const list = r.problems.map((p) => `${p.variable}${p.value === undefined ? '' : `=${JSON.stringify(p.value)}`} ${p.message}`);
    throw new ConfigError(`invalid configuration: ${list.join('; ')}`, first.variable, first.value);
  }
  if (password === PUBLIC_DEFAULT_PASSWORD) {
    logger.warn(
      { variable: 'ESL_PASSWORD' },
      "ESL_PASSWORD is FreeSWITCH's public default: set your own in event_socket.conf.xml and in ESL_PASSWORD",
    );
  }
  return deepFreeze(config);
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}
