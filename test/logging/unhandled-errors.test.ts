import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AsyncESLClient } from '../../src/esl/client.js';
import { EslAuthError, EslConnectionError, ProviderError } from '../../src/errors.js';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { type OutboundServer, createOutboundServer } from '../../src/esl/outbound-server.js';
import type { Logger } from '../../src/logger.js';
import { AudioFormats } from '../../src/realtime/audio-format.js';
import { PortAllocator } from '../../src/media/port-allocator.js';
import { RtpBridge } from '../../src/media/rtp-bridge.js';
import { SharedMediaSocket } from '../../src/media/shared-media-socket.js';
import { OpenAIRealtimeProvider } from '../../src/realtime/providers/openai.js';
import { ScriptedProvider } from '../../src/realtime/providers/scripted.js';
import { RealtimeSession } from '../../src/realtime/session.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';
import { freeUdpRange } from '../helpers/udp.js';

/**
 * The policy: an `error` nobody listens to is logged at `error` (by default to stderr); a
 * failure that can repeat without end is logged bounded; reconnecting that gives up is an error
 * that rejects whatever waits.
 */

type Entry = { level: string; fields: Record<string, unknown>; message: string };

function recording(): Logger & { entries: Entry[] } {
  const entries: Entry[] = [];
  const at =
    (level: string) =>
    (a: object | string, b?: string): void =>
      void entries.push({ level, fields: typeof a === 'string' ? {} : (a as Record<string, unknown>), message: typeof a === 'string' ? a : (b ?? '') });
  return { entries, debug: () => {}, info: () => {}, warn: at('warn'), error: at('error') };
}

/** What the default logger wrote to stderr during the test. */
let stderr: string[];
let sim: FreeSwitchSimulator;
const cleanup: (() => unknown)[] = [];

beforeEach(async () => {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  sim = new FreeSwitchSimulator();
  await sim.start();
});

afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
  await sim.stop();
  vi.restoreAllMocks();
});

function lines(level: 'warn' | 'error'): string[] {
  return stderr.filter((l) => l.includes(` freeswitch-voice-ai ${level}: `));
}

describe('AsyncESLClient', () => {
  it('an event handler that throws, with no error listener: one error line on stderr', async () => {
    const other = new FreeSwitchSimulator({ password: 'secret-pw' });
    const { port } = await other.start();
    cleanup.push(() => other.stop());
    const client = new AsyncESLClient({ host: '127.0.0.1', port, password: 'secret-pw' });
    cleanup.push(() => client.close());
    await client.connect();
    await client.subscribe('CUSTOM my::event');
    const delivered = client.waitForEvent({ names: 'my::event' });
    client.on('my::event', () => {
      throw new TypeError('handler bug');
    });
    other.emitEvent('CUSTOM', { 'Event-Subclass': 'my::event' });
    await delivered;
    expect(lines('error')).toHaveLength(1);
    expect(lines('error')[0]).toContain('unhandled TypeError: handler bug');
    expect(lines('error')[0]).toContain('"event":"CUSTOM"');
    expect(stderr.join('')).not.toContain('secret-pw');
  });

  it('reconnecting that gives up is an error: logged without a listener, and a waiting connect() or waitForEvent rejects', async () => {
    const client = new AsyncESLClient({ host: '127.0.0.1', port: sim.port, password: 'ClueCon', reconnectDelay: 5, maxReconnectDelay: 10, maxReconnectAttempts: 2 });
    cleanup.push(() => client.close());
    await client.connect();
    const reconnecting = new Promise<void>((resolve) => client.once('reconnecting', () => resolve()));
    const waiting = client.waitForEvent({ names: 'CHANNEL_ANSWER' });
    await sim.stop();
    await reconnecting;
    const joined = client.connect(); // joins the reconnect in progress
    const failure = await joined.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(failure).toBeInstanceOf(EslConnectionError);
    expect(failure?.message).toBe(`gave up reconnecting to FreeSWITCH at 127.0.0.1:${sim.port} after 2 attempts`);
    await expect(waiting).rejects.toBe(failure);
    expect(lines('error')).toHaveLength(1);
    expect(lines('error')[0]).toContain(`unhandled EslConnectionError: gave up reconnecting to FreeSWITCH at 127.0.0.1:${sim.port} after 2 attempts`);
    expect(client.isConnected).toBe(false);
  });

  it('a changed password stops reconnecting at once with EslAuthError, emitted to a listener (not logged)', async () => {
    const port = sim.port;
    const client = new AsyncESLClient({ host: '127.0.0.1', port, password: 'ClueCon', reconnectDelay: 5, maxReconnectAttempts: 5 });
    cleanup.push(() => client.close());
    await client.connect();
    const errors: Error[] = [];
    const failed = new Promise<void>((resolve) => client.on('error', (e) => resolve(void errors.push(e))));
    await sim.stop();
    sim = new FreeSwitchSimulator({ port, password: 'rotated' });
    await sim.start();
    await failed;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(EslAuthError);
    expect(errors[0]!.message).toBe(`stopped reconnecting to FreeSWITCH at 127.0.0.1:${port}: FreeSWITCH refused the login (-ERR invalid); check ESL_PASSWORD`);
    expect(sim.commands.filter((c) => c.line.startsWith('auth'))).toHaveLength(1);
    expect(lines('error')).toEqual([]);
  });

  it('warns once per client, without the password, when FreeSWITCH accepts its public default password', async () => {
    const log = recording();
    const client = new AsyncESLClient({ host: '127.0.0.1', port: sim.port, logger: log, reconnectDelay: 5 });
    cleanup.push(() => client.close());
    await client.connect();
    const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
    sim.dropConnections();
    await ready; // reconnected: no second warning
    const warnings = log.entries.filter((e) => e.level === 'warn' && e.message.includes('public default'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields).toEqual({ host: '127.0.0.1', port: sim.port, variable: 'ESL_PASSWORD' });
    expect(JSON.stringify(log.entries)).not.toContain('ClueCon');
  });

  it('does not warn about another password', async () => {
    const other = new FreeSwitchSimulator({ password: 'my-own' });
    const { port } = await other.start();
    cleanup.push(() => other.stop());
    const log = recording();
    const client = new AsyncESLClient({ host: '127.0.0.1', port, password: 'my-own', logger: log });
    cleanup.push(() => client.close());
    await client.connect();
    expect(log.entries).toEqual([]);
  });
});

describe('OutboundServer and OutboundCall', () => {
  async function serve(handler?: (call: OutboundCall) => Promise<void>, options = {}): Promise<OutboundServer> {
    const server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 50, ...options }, handler);
    cleanup.push(() => server.close());
    await server.listen();
    return server;
  }

  it('a failing handler with no error listener: one error line on stderr', async () => {
    const server = await serve(async () => {
      throw new Error('handler bug');
    });
    const channel = sim.callSocket({ port: server.address()!.port });
    await sim.waitForCommand((c) => c.headers['call-command'] === 'hangup');
    expect(lines('error')).toHaveLength(1);
    expect(lines('error')[0]).toContain(`unhandled CallHandlerError: the handler of call ${channel.uuid} failed: handler bug`);
  });

  it("a call's event handler that throws, with no error listener: logged", async () => {
    let call!: OutboundCall;
    const server = await serve(async (c) => {
      call = c;
      c.on('DTMF', () => {
        throw new Error('event handler bug');
      });
    });
    const arrived = new Promise<void>((resolve) => server.once('call', () => resolve()));
    const channel = sim.callSocket({ port: server.address()!.port });
    await arrived;
    const delivered = call.waitForEvent({ names: 'DTMF' });
    sim.sendDtmf(channel.uuid, '5');
    await delivered;
    expect(lines('error')).toHaveLength(1);
    expect(lines('error')[0]).toContain('unhandled Error: event handler bug');
    expect(lines('error')[0]).toContain(channel.uuid);
  });

  it('close() cutting a call whose handler waits for a reply is not reported as a handler failure', async () => {
    const errors: Error[] = [];
    let finished!: (outcome: unknown) => void;
    const handled = new Promise((resolve) => (finished = resolve));
    const server = await serve(async (call) => {
      await call.api('status').catch((error: unknown) => {
        finished(error);
        throw error;
      });
    });
    server.on('error', (e) => errors.push(e));
    sim.onCommand((c) => (c.line === 'api status' ? 'hang' : undefined));
    sim.callSocket({ port: server.address()!.port });
    await sim.waitForCommand((c) => c.line === 'api status');
    await server.close();
    expect(await handled).toBeInstanceOf(EslConnectionError);
    await new Promise((resolve) => setImmediate(resolve)); // the server's catch has run by now
    expect(errors).toEqual([]);
    expect(server.stats.handlerErrors).toBe(0);
  });

  it('a flood of refused peers: every one is a rejected event, the log gets one line and a count', async () => {
    const log = recording();
    const server = await serve(undefined, { allow: ['10.0.0.0/8'], logger: log });
    const rejected: string[] = [];
    const all = new Promise<void>((resolve) =>
      server.on('rejected', ({ reason }) => {
        rejected.push(reason);
        if (rejected.length === 30) resolve();
      }),
    );
    for (let i = 0; i < 30; i++) connect({ host: '127.0.0.1', port: server.address()!.port }).on('error', () => {});
    await all;
    expect(rejected.every((r) => r === 'not-allowed')).toBe(true);
    expect(server.stats.rejectedNotAllowed).toBe(30);
    expect(log.entries).toEqual([
      { level: 'warn', fields: { remoteAddress: '127.0.0.1' }, message: 'outbound connection from a peer outside `allow`: closed' },
    ]);
    await server.close();
    expect(log.entries[1]).toEqual({
      level: 'warn',
      fields: { remoteAddress: '127.0.0.1', suppressed: 29 },
      message: 'outbound connection from a peer outside `allow`: closed (29 more within 60 s)',
    });
  });
});

describe('media', () => {
  it('RtpBridge: socket errors with no listener are counted and logged once, not once per datagram', async () => {
    const log = recording();
    const min = await freeUdpRange(3);
    const bridge = new RtpBridge({
      framing: 'raw',
      codec: 'PCMU',
      input: AudioFormats.MULAW_8K,
      ports: new PortAllocator({ min, max: min, bindAddress: '127.0.0.1' }),
      logger: log,
    });
    cleanup.push(() => bridge.close());
    await bridge.start();
    bridge.expectFrom({ address: '127.0.0.1', port: min + 2 }); // nobody listens there
    bridge.write(new Uint8Array(160 * 25).fill(0x55));
    await vi.waitFor(() => expect(bridge.stats().socketErrors).toBeGreaterThan(3), { timeout: 5000, interval: 20 });
    expect(log.entries).toHaveLength(1);
    expect(log.entries[0]).toMatchObject({ level: 'warn', message: 'media socket error (counted in counters.socketErrors)' });
    expect(String(log.entries[0]!.fields.err)).toMatch(/ECONNREFUSED/);
  });

  it('SharedMediaSocket: errors of its socket are counted and logged once', async () => {
    const log = recording();
    // Buffers any kernel grants: no buffer-size warning in the log, whatever net.core.rmem_max is.
    const shared = new SharedMediaSocket({ logger: log, receiveBufferBytes: 64 * 1024, sendBufferBytes: 64 * 1024 });
    cleanup.push(() => shared.close());
    await shared.bind(0, '127.0.0.1');
    // An unconnected UDP socket rarely fails (Linux reports no ICMP error to it): raise its error event directly.
    const socket = (shared as unknown as { socket: import('node:dgram').Socket }).socket;
    for (let i = 0; i < 5; i++) socket.emit('error', Object.assign(new Error('recvmsg ENOBUFS'), { code: 'ENOBUFS' }));
    expect(shared.stats.errors).toBe(5);
    expect(log.entries).toHaveLength(1);
    expect(log.entries[0]).toMatchObject({ level: 'warn', message: 'shared media socket error (counted in stats.errors)' });
  });
});

describe('realtime', () => {
  it('RealtimeSession: a provider error mid-call with no session listener is logged', async () => {
    const log = recording();
    const server = createOutboundServer({ host: '127.0.0.1', port: 0 });
    cleanup.push(() => server.close());
    await server.listen();
    const min = await freeUdpRange(8);
    const provider = new ScriptedProvider({});
    const started = new Promise<RealtimeSession>((resolve) =>
      server.once('call', async (call) => {
        const session = new RealtimeSession({ call, provider, instructions: '', logger: log, media: { ports: new PortAllocator({ min, max: min + 3, bindAddress: '127.0.0.1' }), freeswitchPort: (p) => p + 4 } });
        await session.start();
        resolve(session);
      }),
    );
    sim.callSocket({ port: server.address()!.port }, { codec: 'PCMU' });
    const session = await started;
    cleanup.push(() => session.end());
    const failure = new ProviderError('rate limited', 'rate_limit_exceeded');
    provider.emit('error', failure);
    expect(log.entries.filter((e) => e.level === 'error')).toEqual([
      // The session logs through the call's fields (call_uuid, node) as every line about a call does.
      { level: 'error', fields: { call_uuid: expect.any(String), node: 'simulator', uuid: expect.any(String), provider: 'scripted', err: failure }, message: 'unhandled ProviderError: rate limited' },
    ]);
  });

  it('OpenAIRealtimeProvider: an error nobody listens to is logged', () => {
    const log = recording();
    const provider = new OpenAIRealtimeProvider({ apiKey: 'sk-test', logger: log });
    provider.sendToolResult('call_1', { count: 1n });
    expect(log.entries).toHaveLength(1);
    expect(log.entries[0]).toMatchObject({ level: 'error', fields: { provider: 'openai' } });
    expect(log.entries[0]!.message).toContain('not serialisable as JSON');
  });
});
