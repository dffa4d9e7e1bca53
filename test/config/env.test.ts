import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULTS, loadConfig } from '../../src/config/env.js';
import { ConfigError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';

const quiet = { logger: { debug() {}, info() {}, warn() {}, error() {} } satisfies Logger };

const DEFAULT_CONFIG = {
  audioMode: 'rtp',
  esl: { host: '127.0.0.1', port: 8021, password: 'ClueCon', connectTimeout: 5000, readTimeout: 30000, reconnectDelay: 1000, maxReconnectAttempts: 10 },
  server: { host: '127.0.0.1', port: 8022, maxConnections: 100 },
  rtp: { portMin: 10000, portMax: 10100, bindAddress: '127.0.0.1', sharedSocket: false, jitter: { minMs: 60, maxMs: 200, targetMs: 100 } },
  websocket: { port: 8085 },
};

/** The ConfigError `loadConfig(env)` throws (fails the test if it does not throw one). */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, quiet);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

function recordingLogger(): { logger: Logger; warnings: unknown[][] } {
  const warnings: unknown[][] = [];
  return { warnings, logger: { debug() {}, info() {}, warn: (...a: unknown[]) => void warnings.push(a), error() {} } };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('loadConfig: values', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig({}, quiet)).toEqual(DEFAULT_CONFIG);
    expect(Object.keys(DEFAULTS)).toHaveLength(19);
  });

  it('returns a deeply frozen object', () => {
    const c = loadConfig({}, quiet);
    for (const o of [c, c.esl, c.server, c.rtp, c.rtp.jitter, c.websocket]) expect(Object.isFrozen(o)).toBe(true);
    expect(() => {
      (c.esl as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('reads every variable', () => {
    const c = loadConfig(
      {
        AUDIO_MODE: 'RTP', ESL_HOST: 'fs.example', ESL_PORT: '9021', ESL_PASSWORD: 's3cret', ESL_CONNECT_TIMEOUT: '1500',
        ESL_READ_TIMEOUT: '0', ESL_RECONNECT_DELAY: '250', ESL_MAX_RECONNECT_ATTEMPTS: '3', ESL_SERVER_HOST: '0.0.0.0',
        ESL_SERVER_PORT: '9022', ESL_MAX_CONNECTIONS: '500', RTP_PORT_MIN: '20000', RTP_PORT_MAX: '20999',
        RTP_BIND_ADDRESS: '10.0.0.5', RTP_JITTER_MIN_MS: '40', RTP_JITTER_MAX_MS: '300', RTP_JITTER_TARGET_MS: '80',
        VOICE_AI_REALTIME_PORT: '9085',
      },
      quiet,
    );
    expect(c).toEqual({
      audioMode: 'rtp',
      esl: { host: 'fs.example', port: 9021, password: 's3cret', connectTimeout: 1500, readTimeout: 0, reconnectDelay: 250, maxReconnectAttempts: 3 },
      server: { host: '0.0.0.0', port: 9022, maxConnections: 500 },
      rtp: { portMin: 20000, portMax: 20999, bindAddress: '10.0.0.5', sharedSocket: false, jitter: { minMs: 40, maxMs: 300, targetMs: 80 } },
      websocket: { port: 9085 },
    });
  });

  it.each([
    ['rtp', 'rtp'],
    ['Rtp', 'rtp'],
    [' rtp ', 'rtp'],
    ['unicast', 'rtp'],
    ['UNICAST', 'rtp'],
    ['websocket', 'websocket'],
    ['WebSocket', 'websocket'],
    ['dual', 'dual'],
    ['ESL', 'esl'],
  ])('reads AUDIO_MODE=%j as %s', (value, mode) => {
    expect(loadConfig({ AUDIO_MODE: value }, quiet).audioMode).toBe(mode);
  });

  it.each([
    ['0', 0],
    ['25', 25],
    ['-1', Infinity],
    ['infinite', Infinity],
    ['INFINITE', Infinity],
    ['Infinity', Infinity],
  ])('reads ESL_MAX_RECONNECT_ATTEMPTS=%j as %s', (value, attempts) => {
    expect(loadConfig({ ESL_MAX_RECONNECT_ATTEMPTS: value }, quiet).esl.maxReconnectAttempts).toBe(attempts);
  });

  it('accepts IPv6 addresses and host names for the ESL hosts', () => {
    const c = loadConfig({ ESL_HOST: '::1', ESL_SERVER_HOST: 'voice-ai.internal' }, quiet);
    expect([c.esl.host, c.server.host]).toEqual(['::1', 'voice-ai.internal']);
  });

  it('trims values, and accepts the edges of each range', () => {
    const c = loadConfig(
      {
        ESL_PORT: ' 65535 ', ESL_SERVER_PORT: '1', ESL_CONNECT_TIMEOUT: '0', ESL_READ_TIMEOUT: '2147483647', ESL_MAX_CONNECTIONS: '1',
        RTP_PORT_MIN: '4000', RTP_PORT_MAX: '4000', RTP_JITTER_MIN_MS: '100', RTP_JITTER_TARGET_MS: '100', RTP_JITTER_MAX_MS: '100',
      },
      quiet,
    );
    expect([c.esl.port, c.server.port, c.esl.connectTimeout, c.esl.readTimeout, c.server.maxConnections]).toEqual([65535, 1, 0, 2147483647, 1]);
    expect([c.rtp.portMin, c.rtp.portMax]).toEqual([4000, 4000]);
    expect(c.rtp.jitter).toEqual({ minMs: 100, maxMs: 100, targetMs: 100 });
  });

  it('treats empty and blank values of every variable as unset', () => {
    const blank = Object.fromEntries(Object.keys(DEFAULTS).map((k, i) => [k, i % 2 ? '' : ' \t ']));
    expect(loadConfig(blank, quiet)).toEqual(DEFAULT_CONFIG);
  });

  it('uses the password verbatim, spaces included', () => {
    expect(loadConfig({ ESL_PASSWORD: ' pa ss ' }, quiet).esl.password).toBe(' pa ss ');
  });

  it('reads process.env by default', () => {
    vi.stubEnv('ESL_PORT', '9123');
    vi.stubEnv('AUDIO_MODE', 'rtp');
    const c = loadConfig(undefined, quiet);
    expect([c.esl.port, c.audioMode]).toEqual([9123, 'rtp']);
  });
});

describe('loadConfig: invalid values', () => {
  it.each([
    // non-integers
    ['ESL_PORT', '12abc'],
    ['ESL_PORT', '1.5'],
    ['ESL_PORT', '1e3'],
    ['ESL_PORT', '0x50'],
    ['ESL_MAX_CONNECTIONS', 'many'],
    ['RTP_JITTER_TARGET_MS', '80ms'],
    // ports outside 1..65535
    ['ESL_PORT', '0'],
    ['ESL_PORT', '65536'],
    ['ESL_SERVER_PORT', '0'],
    ['ESL_SERVER_PORT', '-1'],
    ['RTP_PORT_MIN', '70000'],
    ['RTP_PORT_MAX', '99999999999999999999'],
    // negative or overflowing timeouts
    ['ESL_CONNECT_TIMEOUT', '-5'],
    ['ESL_READ_TIMEOUT', '-1'],
    ['ESL_RECONNECT_DELAY', '-100'],
    ['ESL_READ_TIMEOUT', '2147483648'],
    // counts
    ['ESL_MAX_CONNECTIONS', '0'],
    ['ESL_MAX_RECONNECT_ATTEMPTS', '-2'],
    ['ESL_MAX_RECONNECT_ATTEMPTS', 'forever'],
    // jitter bounds
    ['RTP_JITTER_MIN_MS', '-1'],
    ['RTP_JITTER_MAX_MS', '5001'],
    // enumerations and addresses
    ['AUDIO_MODE', 'ws'],
    ['AUDIO_MODE', 'udp'],
    ['VOICE_AI_REALTIME_PORT', '0'],
    ['VOICE_AI_REALTIME_PORT', '8085/ws'],
    ['RTP_BIND_ADDRESS', '::1'],
    ['RTP_BIND_ADDRESS', 'localhost'],
    ['RTP_BIND_ADDRESS', '256.0.0.1'],
    ['RTP_SHARED_SOCKET', 'maybe'],
    ['RTP_SHARED_SOCKET', '2'],
    ['ESL_HOST', 'bad host'],
    ['ESL_HOST', 'fs.example:8021'],
    ['ESL_SERVER_HOST', 'tcp://0.0.0.0'],
  ])('rejects %s=%j with a ConfigError naming the variable, the value and what is expected', (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.variable).toBe(variable);
    expect(error.value).toBe(value);
    expect(error.message).toContain(`${variable}=${JSON.stringify(value)}`);
    expect(error.message).toMatch(/expected/);
    expect(error.message).toContain('(1 problem)');
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['On', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['off', false],
    ['  ', false],
  ])('reads RTP_SHARED_SOCKET=%j as %j', (value, expected) => {
    expect(loadConfig({ RTP_SHARED_SOCKET: value }).rtp.sharedSocket).toBe(expected);
  });

  it('rejects RTP_PORT_MIN above RTP_PORT_MAX', () => {
    const error = configError({ RTP_PORT_MIN: '30000', RTP_PORT_MAX: '20000' });
    expect([error.variable, error.value]).toEqual(['RTP_PORT_MIN', '30000']);
    expect(error.message).toContain('RTP_PORT_MIN="30000": must not exceed RTP_PORT_MAX (20000)');
  });

  it('blames the variable the user set when the other one is a default', () => {
    const error = configError({ RTP_PORT_MAX: '5000' });
    expect([error.variable, error.value]).toEqual(['RTP_PORT_MAX', '5000']);
    expect(error.message).toContain('RTP_PORT_MIN (10000, the default)');
    expect(configError({ RTP_JITTER_MIN_MS: '150' }).variable).toBe('RTP_JITTER_MIN_MS');
    expect(configError({ RTP_JITTER_MAX_MS: '80' }).variable).toBe('RTP_JITTER_MAX_MS');
  });

  it.each([
    [{ RTP_JITTER_TARGET_MS: '500' }, 'RTP_JITTER_TARGET_MS'],
    [{ RTP_JITTER_TARGET_MS: '10' }, 'RTP_JITTER_TARGET_MS'],
    [{ RTP_JITTER_MIN_MS: '50', RTP_JITTER_MAX_MS: '150', RTP_JITTER_TARGET_MS: '160' }, 'RTP_JITTER_TARGET_MS'],
    [{ RTP_JITTER_MIN_MS: '300', RTP_JITTER_MAX_MS: '200', RTP_JITTER_TARGET_MS: '250' }, 'RTP_JITTER_MIN_MS'],
  ])('rejects jitter delays outside min <= target <= max: %j', (env, variable) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain('(1 problem)');
  });

  it('does not compare a value that is itself invalid', () => {
    const error = configError({ RTP_PORT_MIN: 'abc', RTP_PORT_MAX: '5000' });
    expect(error.variable).toBe('RTP_PORT_MIN');
    expect(error.message).toContain('(1 problem)');
    expect(error.message).not.toContain('RTP_PORT_MAX');
  });

  it('names every invalid variable in one error, with the first as `variable`', () => {
    const error = configError({ ESL_PORT: 'x', AUDIO_MODE: 'ws', RTP_BIND_ADDRESS: '::1', RTP_PORT_MIN: '30000', RTP_PORT_MAX: '20000' });
    expect([error.variable, error.value]).toEqual(['AUDIO_MODE', 'ws']);
    expect(error.message).toContain('(4 problems)');
    for (const part of ['AUDIO_MODE="ws"', 'ESL_PORT="x"', 'RTP_BIND_ADDRESS="::1"', 'RTP_PORT_MIN="30000"']) {
      expect(error.message).toContain(part);
    }
  });
});

describe('loadConfig: the password', () => {
  it('rejects a password with CR or LF without showing it', () => {
    const error = configError({ ESL_PASSWORD: 'hunter2\nevent plain ALL' });
    expect(error.variable).toBe('ESL_PASSWORD');
    expect(error.value).toBeUndefined();
    expect(error.message).not.toMatch(/hunter2|event plain/);
  });

  it('never puts the password in an error about other variables', () => {
    const error = configError({ ESL_PASSWORD: 'Sup3rSecret!', ESL_PORT: 'x', ESL_HOST: 'a b' });
    expect(error.message).not.toContain('Sup3rSecret');
    expect(JSON.stringify(error)).not.toContain('Sup3rSecret');
  });

  it.each([
    ['unset', {}],
    ['blank', { ESL_PASSWORD: '  ' }],
    ['set to ClueCon', { ESL_PASSWORD: 'ClueCon' }],
    ['another', { ESL_PASSWORD: 'my-secret' }],
  ])('logs nothing about the password (%s): the client warns where it uses the public default', (_case, env) => {
    const { logger, warnings } = recordingLogger();
    loadConfig(env, { logger });
    expect(warnings).toHaveLength(0);
  });

  it('is quiet without a logger', () => {
    const spy = vi.spyOn(console, 'warn');
    const stderr = vi.spyOn(process.stderr, 'write');
    try {
      loadConfig({});
      expect(spy).not.toHaveBeenCalled();
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      stderr.mockRestore();
    }
  });
});
