/**
 * The process defaults (`config/defaults.ts`): the layers below ask them for an unset option;
 * the package entry wires them to the environment, read when a default is needed.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUILT_IN_CONFIG, getDefaultConfig, setDefaultConfig } from '../../src/config/defaults.js';
import { loadConfig } from '../../src/config/env.js';
import { ConfigError } from '../../src/errors.js';
import { OutboundServer } from '../../src/esl/outbound-server.js';
import { RtpBridge } from '../../src/media/rtp-bridge.js';
import { freeTcpPort } from '../helpers/tcp.js';

afterEach(() => {
  vi.unstubAllEnvs();
  setDefaultConfig(BUILT_IN_CONFIG);
});

describe('the built-in defaults', () => {
  it('are exactly what loadConfig() gives with no variable set (one truth for the documented defaults)', () => {
    expect(BUILT_IN_CONFIG).toEqual(loadConfig({}));
    expect(JSON.stringify(BUILT_IN_CONFIG)).toBe(JSON.stringify(loadConfig({})));
    expect(inspect(BUILT_IN_CONFIG.esl)).not.toContain('ClueCon');
    expect(Object.isFrozen(BUILT_IN_CONFIG.rtp.jitter)).toBe(true);
  });

  it('are what the layers use when nothing wired a source: the environment is not read', () => {
    vi.stubEnv('ESL_SERVER_PORT', 'not a port');
    vi.stubEnv('RTP_JITTER_TARGET_MS', '180');
    expect(getDefaultConfig()).toBe(BUILT_IN_CONFIG);
    expect(() => new OutboundServer()).not.toThrow();
  });
});

describe('setDefaultConfig', () => {
  it('a configuration: createOutboundServer listens where it says', async () => {
    const port = await freeTcpPort();
    setDefaultConfig(loadConfig({ ESL_SERVER_PORT: String(port), ESL_MAX_CONNECTIONS: '3' }));
    const server = new OutboundServer();
    const address = await server.listen();
    expect(address).toMatchObject({ address: '127.0.0.1', port });
    await server.close();
  });

  it('a function: called each time a default is needed, and what it throws reaches the caller', () => {
    let calls = 0;
    setDefaultConfig(() => {
      calls++;
      return loadConfig({ RTP_JITTER_MIN_MS: '40', RTP_JITTER_TARGET_MS: '40' });
    });
    const bridge = new RtpBridge({ framing: 'raw', codec: 'PCMU' });
    expect(calls).toBe(1);
    new RtpBridge({ framing: 'raw', codec: 'PCMU', jitter: { minMs: 60, targetMs: 60 } });
    expect(calls).toBe(2);
    bridge.close();
    setDefaultConfig(() => loadConfig({ ESL_SERVER_PORT: '0x50' }));
    expect(() => new OutboundServer()).toThrow(ConfigError);
    expect(() => new OutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 1 })).not.toThrow(); // nothing left to default
  });
});

describe('the package entry wires the environment', () => {
  it('importing it reads nothing (an invalid variable does not throw there); a default needed reads process.env then', async () => {
    vi.stubEnv('ESL_SERVER_PORT', 'nope');
    vi.resetModules();
    const entry = await import('../../src/index.js');
    expect(() => entry.createOutboundServer({ allow: ['127.0.0.1'] })).toThrow(/ESL_SERVER_PORT="nope"/);
    const port = await freeTcpPort();
    vi.stubEnv('ESL_SERVER_PORT', String(port));
    vi.stubEnv('RTP_JITTER_MAX_MS', '300');
    expect(entry.getDefaultConfig().rtp.jitter.maxMs).toBe(300);
    const server = entry.createOutboundServer({}, () => {});
    expect(await server.listen()).toMatchObject({ address: '127.0.0.1', port });
    await server.close();
    entry.setDefaultConfig(entry.BUILT_IN_CONFIG);
  });
});
