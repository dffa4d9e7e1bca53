import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { ConfigError } from '../../src/errors.js';

const quiet = { logger: { debug() {}, info() {}, warn() {}, error() {} } };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig({}, quiet)).toEqual({
      audioMode: 'unicast',
      esl: { host: '127.0.0.1', port: 8021, password: 'ClueCon', connectTimeout: 5000, readTimeout: 30000, reconnectDelay: 1000, maxReconnectAttempts: 10 },
      server: { host: '127.0.0.1', port: 8022, maxConnections: 100 },
      rtp: { portMin: 10000, portMax: 10100, bindAddress: '127.0.0.1', jitter: { minMs: 60, maxMs: 200, targetMs: 100 } },
    });
  });

  it('reads every variable, and returns a frozen object', () => {
    const c = loadConfig(
      {
        AUDIO_MODE: 'RTP', ESL_HOST: 'fs.example', ESL_PORT: '9021', ESL_PASSWORD: 's3cret', ESL_CONNECT_TIMEOUT: '1500',
        ESL_READ_TIMEOUT: '0', ESL_RECONNECT_DELAY: '250', ESL_MAX_RECONNECT_ATTEMPTS: 'infinite', ESL_SERVER_HOST: '0.0.0.0',
        ESL_SERVER_PORT: '9022', ESL_MAX_CONNECTIONS: '500', RTP_PORT_MIN: '20000', RTP_PORT_MAX: '20999',
        RTP_BIND_ADDRESS: '10.0.0.5', RTP_JITTER_MIN_MS: '40', RTP_JITTER_MAX_MS: '300', RTP_JITTER_TARGET_MS: '80',
      },
      quiet,
    );
    expect(c.audioMode).toBe('rtp');
    expect(c.esl).toEqual({ host: 'fs.example', port: 9021, password: 's3cret', connectTimeout: 1500, readTimeout: 0, reconnectDelay: 250, maxReconnectAttempts: Infinity });
    expect(c.server).toEqual({ host: '0.0.0.0', port: 9022, maxConnections: 500 });
    expect(c.rtp).toEqual({ portMin: 20000, portMax: 20999, bindAddress: '10.0.0.5', jitter: { minMs: 40, maxMs: 300, targetMs: 80 } });
    expect(Object.isFrozen(c.rtp.jitter)).toBe(true);
    expect(loadConfig({ ESL_MAX_RECONNECT_ATTEMPTS: '-1' }, quiet).esl.maxReconnectAttempts).toBe(Infinity);
  });

  it.each([
    ['ESL_PORT', '12abc'],
    ['ESL_PORT', '1.5'],
    ['ESL_PORT', '70000'],
    ['ESL_SERVER_PORT', '-1'],
    ['ESL_CONNECT_TIMEOUT', '-5'],
    ['ESL_MAX_CONNECTIONS', '0'],
    ['AUDIO_MODE', 'websocket'],
    ['RTP_BIND_ADDRESS', '::1'],
    ['ESL_HOST', 'bad host'],
  ])('rejects %s=%j with a ConfigError naming it', (variable, value) => {
    const error = (() => {
      try {
        loadConfig({ [variable]: value }, quiet);
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.variable).toBe(variable);
    expect(error.value).toBe(value);
    expect(error.message).toContain(variable);
  });

  it('names every invalid variable in one error', () => {
    expect(() => loadConfig({ ESL_PORT: 'x', RTP_PORT_MIN: '30000', RTP_PORT_MAX: '20000' }, quiet)).toThrow(/ESL_PORT.*RTP_PORT_MIN/);
    expect(() => loadConfig({ RTP_JITTER_TARGET_MS: '500' }, quiet)).toThrow(/RTP_JITTER_TARGET_MS/);
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ ESL_PORT: '  ' }, quiet).esl.port).toBe(8021);
  });

  it("warns about FreeSWITCH's public default password without logging any password", () => {
    const warnings: unknown[][] = [];
    const logger = { debug() {}, info() {}, warn: (...a: unknown[]) => warnings.push(a), error() {} };
    loadConfig({}, { logger });
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).not.toContain('ClueCon');
    warnings.length = 0;
    loadConfig({ ESL_PASSWORD: 'my-secret' }, { logger });
    expect(warnings).toHaveLength(0);
  });

  it('never puts the password in an error message', () => {
    expect(() => loadConfig({ ESL_PASSWORD: 'line1\nline2', ESL_PORT: 'x' }, quiet)).toThrow(ConfigError);
    try {
      loadConfig({ ESL_PASSWORD: 'sec\nret' }, quiet);
    } catch (e) {
      expect((e as Error).message).not.toContain('sec');
    }
  });
});
