/**
 * Configuration from environment variables: the `ESL_*`, `ESL_SERVER_*`, `RTP_*`,
 * `AUDIO_MODE` and `VOICE_AI_REALTIME_PORT` variables FreeSWITCH deployments already use. See
 * docs/configuration.md.
 *
 * @module
 */
import { isIP, isIPv4 } from 'node:net';
import { ConfigError } from '../errors.js';
import { hasLineEnd } from '../esl/commands.js';
import { hidePassword } from './redact.js';
import type { Logger } from '../logger.js';
import { AUDIO_MODES, type AudioMode, type VoiceAiConfig } from './settings.js';

/** The default of every variable, as the environment would spell it (documented in docs/configuration.md). */
export const DEFAULTS = Object.freeze({
  AUDIO_MODE: 'rtp',
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
  RTP_SHARED_SOCKET: 'false',
  RTP_JITTER_MIN_MS: '60',
  RTP_JITTER_MAX_MS: '200',
  RTP_JITTER_TARGET_MS: '100',
  VOICE_AI_REALTIME_PORT: '8085',
} as const);

/** The variables {@link loadConfig} reads from: `process.env` or any record. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * @deprecated `loadConfig` logs nothing: the warning about FreeSWITCH's public default
   * password is given where the password is used, by `AsyncESLClient.connect`. Ignored.
   */
  /** Ignored (see the deprecation). */
  logger?: Logger;
}

type Variable = keyof typeof DEFAULTS;

/** Node's timers fire at once (with a warning) above this many ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** Jitter buffers longer than this are a misconfiguration, not a choice. */
const MAX_JITTER_MS = 5000;

interface Problem {
  variable: string;
  /** The value as set (or the default it fell back to); `undefined` when it must not be shown. */
  value: string | undefined;
  message: string;
}

/** A validated integer, remembering whether the user set it (for blaming the right variable). */
interface IntField {
  name: Variable;
  value: number;
  text: string;
  explicit: boolean;
}

/** Reads variables and collects every problem, so one error can name them all. */
class Reader {
  readonly problems: Problem[] = [];

  constructor(private readonly env: Env) {}

  /** The trimmed value, or `undefined` when unset or blank. */
  explicit(name: Variable): string | undefined {
    const v = this.env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  }

  text(name: Variable): string {
    return this.explicit(name) ?? DEFAULTS[name];
  }

  /** An integer in `min..max`; `undefined` (and a problem) otherwise. */
  int(name: Variable, min: number, max: number, what: string): IntField | undefined {
    const text = this.text(name);
    const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.fail(name, text, `expected ${what}: an integer from ${min} to ${max}`);
      return undefined;
    }
    return { name, value: n, text, explicit: this.explicit(name) !== undefined };
  }

  /** A boolean: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, any case. */
  bool(name: Variable): boolean | undefined {
    const text = this.text(name);
    if (/^(true|1|yes|on)$/i.test(text)) return true;
    if (/^(false|0|no|off)$/i.test(text)) return false;
    this.fail(name, text, 'expected a boolean: true or false (also 1/0, yes/no, on/off, any case)');
    return undefined;
  }

  /** A host name or IP address: no whitespace, no `:port` suffix. */
  host(name: Variable): string | undefined {
    const text = this.text(name);
    if (/\s/.test(text)) {
      this.fail(name, text, 'expected a host name or IP address (no whitespace)');
      return undefined;
    }
    if (text.includes(':') && isIP(text) !== 6) {
      this.fail(name, text, 'expected a host name or IP address without a port or scheme (set the port separately)');
      return undefined;
    }
    return text;
  }

  /**
   * Checks `lo <= hi`. When only one of them was set by the user, that one is blamed;
   * otherwise `prefer` is.
   */
  order(lo: IntField | undefined, hi: IntField | undefined, prefer: 'lo' | 'hi'): boolean {
    if (!lo || !hi) return false;
    if (lo.value <= hi.value) return true;
    const blameLo = lo.explicit === hi.explicit ? prefer === 'lo' : lo.explicit;
    const describe = (f: IntField): string => `${f.name} (${f.value}${f.explicit ? '' : ', the default'})`;
    if (blameLo) this.fail(lo.name, lo.text, `must not exceed ${describe(hi)}`);
    else this.fail(hi.name, hi.text, `must not be below ${describe(lo)}`);
    return false;
  }

  fail(variable: string, value: string | undefined, message: string): void {
    this.problems.push({ variable, value, message });
  }
}

/**
 * Reads the configuration from environment variables (default `process.env`), applies the
 * documented defaults (docs/configuration.md) and validates every value.
 *
 * Blank values count as unset. Invalid values throw one {@link ConfigError} (code
 * `CONFIG_INVALID`) whose message lists every invalid variable, its value and what is
 * expected; its `variable` and `value` are those of the first problem. `ESL_PASSWORD` never
 * appears in an error or a log. Nothing is logged here: the warning about FreeSWITCH's public
 * default password comes from `AsyncESLClient.connect`, which uses it.
 *
 * @returns A deeply frozen {@link VoiceAiConfig}.
 * @throws {@link ConfigError} when any variable is invalid.
 */
export function loadConfig(env: Env = process.env, _options: LoadConfigOptions = {}): VoiceAiConfig {
  const r = new Reader(env);

  const modeText = r.text('AUDIO_MODE');
  const lower = modeText.toLowerCase();
  // `unicast` was this variable's name for the UDP path before the WebSocket transport came.
  const mode = lower === 'unicast' ? 'rtp' : lower;
  if (!(AUDIO_MODES as readonly string[]).includes(mode)) r.fail('AUDIO_MODE', modeText, `expected one of ${AUDIO_MODES.map((m) => `'${m}'`).join(', ')} (any case)`);

  // Used verbatim (not trimmed); only a blank value falls back to the default.
  const passwordText = env.ESL_PASSWORD;
  const password = passwordText === undefined || passwordText.trim() === '' ? DEFAULTS.ESL_PASSWORD : passwordText;
  if (hasLineEnd(password)) r.fail('ESL_PASSWORD', undefined, 'must be on one line (it contains NUL, CR or LF; value not shown)');

  const eslHost = r.host('ESL_HOST');
  const eslPort = r.int('ESL_PORT', 1, 65535, 'a TCP port');
  const connectTimeout = r.int('ESL_CONNECT_TIMEOUT', 0, MAX_TIMER_MS, 'a timeout in ms, 0 for none');
  const readTimeout = r.int('ESL_READ_TIMEOUT', 0, MAX_TIMER_MS, 'a timeout in ms, 0 for none');
  const reconnectDelay = r.int('ESL_RECONNECT_DELAY', 0, MAX_TIMER_MS, 'a delay in ms');
  const attemptsText = r.text('ESL_MAX_RECONNECT_ATTEMPTS');
  const maxReconnectAttempts = /^(-1|infinite|infinity)$/i.test(attemptsText)
    ? Infinity
    : r.int('ESL_MAX_RECONNECT_ATTEMPTS', 0, Number.MAX_SAFE_INTEGER, "a count (0 = never reconnect), or -1 / 'infinite' for no limit")
        ?.value;

  const serverHost = r.host('ESL_SERVER_HOST');
  const serverPort = r.int('ESL_SERVER_PORT', 1, 65535, 'a TCP port');
  const maxConnections = r.int('ESL_MAX_CONNECTIONS', 1, Number.MAX_SAFE_INTEGER, 'a connection count');

  const portMin = r.int('RTP_PORT_MIN', 1, 65535, 'a UDP port');
  const portMax = r.int('RTP_PORT_MAX', 1, 65535, 'a UDP port');
  r.order(portMin, portMax, 'lo');

  const bindAddress = r.text('RTP_BIND_ADDRESS');
  if (!isIPv4(bindAddress)) {
    r.fail('RTP_BIND_ADDRESS', bindAddress, 'expected an IPv4 address such as 127.0.0.1 or 0.0.0.0 (FreeSWITCH unicast is IPv4 only)');
  }

  const sharedSocket = r.bool('RTP_SHARED_SOCKET');

  const jitterMin = r.int('RTP_JITTER_MIN_MS', 0, MAX_JITTER_MS, 'a delay in ms');
  const jitterMax = r.int('RTP_JITTER_MAX_MS', 0, MAX_JITTER_MS, 'a delay in ms');
  const jitterTarget = r.int('RTP_JITTER_TARGET_MS', 0, MAX_JITTER_MS, 'a delay in ms');
  // Only when min <= max is "target between them" meaningful.
  if (r.order(jitterMin, jitterMax, 'lo')) {
    r.order(jitterMin, jitterTarget, 'hi');
    r.order(jitterTarget, jitterMax, 'lo');
  }

  const realtimePort = r.int('VOICE_AI_REALTIME_PORT', 1, 65535, 'a TCP port');

  const first = r.problems[0];
  if (first) {
    const count = r.problems.length;
    const list = r.problems.map((p) => `${p.variable}${p.value === undefined ? '' : `=${JSON.stringify(p.value)}`}: ${p.message}`);
    throw new ConfigError(
      `invalid configuration (${count} problem${count === 1 ? '' : 's'}): ${list.join('; ')}`,
      first.variable,
      first.value,
    );
  }

  // Every value below was validated above: no problems means none is undefined.
  const config: VoiceAiConfig = {
    audioMode: mode as AudioMode,
    esl: hidePassword({
      host: eslHost!,
      port: eslPort!.value,
      password,
      connectTimeout: connectTimeout!.value,
      readTimeout: readTimeout!.value,
      reconnectDelay: reconnectDelay!.value,
      maxReconnectAttempts: maxReconnectAttempts!,
    }, 'EslSettings'),
    server: { host: serverHost!, port: serverPort!.value, maxConnections: maxConnections!.value },
    rtp: {
      portMin: portMin!.value,
      portMax: portMax!.value,
      bindAddress,
      sharedSocket: sharedSocket!,
      jitter: { minMs: jitterMin!.value, maxMs: jitterMax!.value, targetMs: jitterTarget!.value },
    },
    websocket: { port: realtimePort!.value },
  };
  return deepFreeze(config);
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}
