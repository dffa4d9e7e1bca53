import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsyncESLClient } from '../../src/esl/client.js';
import { CallHandlerError, ProviderError } from '../../src/errors.js';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { type OutboundCallHandler, type OutboundServer, createOutboundServer } from '../../src/esl/outbound-server.js';
import type { Logger } from '../../src/logger.js';
import { ScriptedProvider } from '../../src/realtime/providers/scripted.js';
import { RealtimeSession } from '../../src/realtime/session.js';
import { PortAllocator } from '../../src/media/port-allocator.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';
import { freeUdpRange } from '../helpers/udp.js';

/**
 * A call whose fallback ran (transferred, bridged, handed back to the dialplan) is never hung
 * up by the SDK: not by the server when the handler fails afterwards, not by a session's end.
 */

let sim: FreeSwitchSimulator;
let server: OutboundServer;
let logged: { level: string; fields: object; message: string }[];
let onLog: (() => void) | undefined;

const log =
  (level: string) =>
  (fields: object | string, message?: string): void => {
    logged.push({ level, fields: typeof fields === 'string' ? {} : fields, message: message ?? String(fields) });
    onLog?.();
  };
const logger: Logger = { debug() {}, info() {}, warn: log('warn'), error: log('error') };

/** Resolves at the next line logged at `level`. */
function nextLog(level: string): Promise<void> {
  const before = logged.filter((l) => l.level === level).length;
  return new Promise((resolve) => {
    onLog = () => {
      if (logged.filter((l) => l.level === level).length > before) resolve();
    };
  });
}

beforeEach(async () => {
  logged = [];
  onLog = undefined;
  sim = new FreeSwitchSimulator();
  await sim.start();
});

afterEach(async () => {
  await server?.close();
  await sim.stop();
});

async function serve(handler: OutboundCallHandler): Promise<number> {
  server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 10, logger }, handler);
  return (await server.listen()).port;
}

function nextError(): Promise<[Error, OutboundCall | undefined]> {
  return new Promise((resolve) => server.once('error', (e, c) => resolve([e, c])));
}

/** Every hangup request FreeSWITCH received for `uuid`: `sendmsg` hangup on its socket, or `uuid_kill`. */
function hangupsOf(uuid: string): string[] {
  const ids = new Set(sim.connectionList.filter((l) => l.sessionUuid === uuid).map((l) => l.id));
  return sim.commands
    .filter((c) => (ids.has(c.connectionId) && c.headers['call-command'] === 'hangup') || c.line.startsWith(`api uuid_kill ${uuid}`))
    .map((c) => `${c.line} ${c.headers['hangup-cause'] ?? ''}`.trim());
}

/**
 * Whatever the server wrote before reporting the error has reached the simulator once a later
 * command on the same socket is answered (FreeSWITCH answers a socket's commands in order).
 */
async function barrier(call: OutboundCall): Promise<void> {
  await call.api(`uuid_exists ${call.uuid}`).catch(() => undefined);
}

describe('OutboundServer: a handed-off call is never hung up by the SDK', () => {
  it('a handler that throws after transferring the call: no hangup, and CallHandlerError says it was handed off', async () => {
    const port = await serve(async (call) => {
      await call.transfer('operator', 'XML', 'default');
      throw new Error('the AI is down');
    });
    const errored = nextError();
    const channel = sim.callSocket({ port });
    const [error, call] = await errored;
    await barrier(call!);

    expect(hangupsOf(channel.uuid)).toEqual([]);
    expect(sim.channels.get(channel.uuid)?.profile.destinationNumber).toBe('operator');
    expect(call!.isActive).toBe(true);
    expect(call!.handedOff).toBe('transfer');
    expect(error).toBeInstanceOf(CallHandlerError);
    const failure = error as CallHandlerError;
    expect(failure).toMatchObject({ uuid: channel.uuid, hangupCause: undefined, handedOff: 'transfer' });
    expect(failure.message).toContain('the AI is down');
    expect(failure.message).toContain('handed off (transfer)');
    expect(failure.message).not.toContain('hung up');
    expect(server.stats.handlerErrors).toBe(1);
  });

  it('a call transferred by someone else (uuid_transfer from an inbound client) is handed off to the dialplan', async () => {
    const port = await serve(async (call) => {
      await call.waitForEvent({ names: 'CHANNEL_EXECUTE_COMPLETE', filter: (e) => e.get('Application') === 'socket' });
      throw new Error('late failure');
    });
    const errored = nextError();
    const arrived = new Promise<OutboundCall>((resolve) => server.once('call', resolve));
    const channel = sim.callSocket({ port });
    await arrived;
    const client = new AsyncESLClient({ host: '127.0.0.1', port: sim.port, password: 'ClueCon', logger });
    await client.connect();
    try {
      await client.uuidTransfer(channel.uuid, '1000', 'XML', 'default');
      const [error, call] = await errored;
      await barrier(call!);
      expect(call!.handedOff).toBe('dialplan');
      expect((error as CallHandlerError).handedOff).toBe('dialplan');
      expect(hangupsOf(channel.uuid)).toEqual([]);
      expect(sim.channels.has(channel.uuid)).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('a bridged call is handed off while bridged, and ours again (hung up on failure) once unbridged', async () => {
    const seen: (string | undefined)[] = [];
    let bridged!: () => void;
    const bridgeSeen = new Promise<void>((resolve) => (bridged = resolve));
    const port = await serve(async (call) => {
      await call.waitForEvent({ names: 'CHANNEL_BRIDGE' });
      seen.push(call.handedOff);
      const unbridged = call.waitForEvent({ names: 'CHANNEL_UNBRIDGE' });
      bridged();
      await unbridged;
      seen.push(call.handedOff);
      throw new Error('boom after the bridge');
    });
    const errored = nextError();
    const arrived = new Promise<OutboundCall>((resolve) => server.once('call', resolve));
    const channel = sim.callSocket({ port });
    await arrived; // the handler is waiting for the bridge
    // What FreeSWITCH sends while the caller talks to another leg, and when that leg hangs up.
    sim.emitEvent('CHANNEL_BRIDGE', { 'Unique-ID': channel.uuid, 'Other-Leg-Unique-ID': 'b-leg' });
    await bridgeSeen;
    sim.emitEvent('CHANNEL_UNBRIDGE', { 'Unique-ID': channel.uuid, 'Other-Leg-Unique-ID': 'b-leg' });
    const [error] = await errored;
    expect(seen).toEqual(['bridge', undefined]);
    expect((error as CallHandlerError).hangupCause).toBe('NORMAL_TEMPORARY_FAILURE');
    expect((error as CallHandlerError).handedOff).toBeUndefined();
  });

  it('a handler that throws while the call is ours still hangs it up', async () => {
    const port = await serve(async () => {
      throw new Error('boom');
    });
    const errored = nextError();
    const channel = sim.callSocket({ port });
    const [error] = await errored;
    expect((error as CallHandlerError).handedOff).toBeUndefined();
    expect((error as CallHandlerError).hangupCause).toBe('NORMAL_TEMPORARY_FAILURE');
    await sim.waitForCommand((c) => c.headers['call-command'] === 'hangup');
    expect(hangupsOf(channel.uuid)).toEqual(['sendmsg NORMAL_TEMPORARY_FAILURE']);
  });

  it('without an error listener, the failure is logged at error once (not emitted into the void)', async () => {
    const port = await serve(async (call) => {
      await call.transfer('operator');
      throw new Error('the AI is down');
    });
    const arrived = new Promise<OutboundCall>((resolve) => server.once('call', resolve));
    const reported = nextLog('error');
    sim.callSocket({ port });
    const call = await arrived;
    await reported;
    await barrier(call);
    const errors = logged.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('CallHandlerError');
    expect(errors[0]!.fields).toMatchObject({ uuid: call.uuid, handedOff: 'transfer' });
  });
});

describe('RealtimeSession inside a server handler: the provider is down', () => {
  it('the fallback transfer reaches FreeSWITCH, no hangup is ever sent, and the error is reported', async () => {
    const outage = new ProviderError('OpenAI connection failed: getaddrinfo EAI_AGAIN api.example', 'connection');
    const provider = new ScriptedProvider({});
    provider.connect = () => Promise.reject(outage);
    // Exactly the README's voice-AI handler: no try/catch around start().
    const port = await serve(async (call) => {
      const session = new RealtimeSession({ call, provider, instructions: 'You are the receptionist.', fallback: { transfer: 'operator' }, logger });
      await session.start();
    });
    const errored = nextError();
    const channel = sim.callSocket({ port }, { codec: 'PCMU' });
    const transfer = await sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'));
    expect(transfer.line).toBe(`api uuid_transfer ${channel.uuid} operator XML default`);
    const [error, call] = await errored;
    await barrier(call!);

    expect(hangupsOf(channel.uuid)).toEqual([]);
    expect(sim.channels.get(channel.uuid)?.profile.destinationNumber).toBe('operator');
    expect(error).toBeInstanceOf(CallHandlerError);
    expect((error as CallHandlerError).cause).toBe(outage);
    expect((error as CallHandlerError).handedOff).toBe('transfer');
    // The session does not log the error a second time: start() rejected with it.
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('a session that ends (idle) after someone else transferred the caller does not hang them up', async () => {
    const provider = new ScriptedProvider({});
    const min = await freeUdpRange(8);
    const ports = new PortAllocator({ min, max: min + 3, bindAddress: '127.0.0.1' });
    let session: RealtimeSession | undefined;
    const port = await serve(async (call) => {
      session = new RealtimeSession({ call, provider, instructions: '', idleTimeoutMs: 0, logger, media: { ports, freeswitchPort: (p) => p + 4 } });
      await session.start();
    });
    const arrived = new Promise<OutboundCall>((resolve) => server.once('call', resolve));
    const channel = sim.callSocket({ port }, { codec: 'PCMU' });
    const call = await arrived;
    await sim.waitForCommand((c) => c.line === 'sendmsg' && c.headers['execute-app-name'] === 'park');
    const left = call.waitForEvent({ names: 'CHANNEL_EXECUTE_COMPLETE', filter: (e) => e.get('Application') === 'socket' });
    const client = new AsyncESLClient({ host: '127.0.0.1', port: sim.port, password: 'ClueCon', logger });
    await client.connect();
    try {
      await client.uuidTransfer(channel.uuid, '1000');
      await left;
      await session!.end('idle');
      await barrier(call);
      expect(hangupsOf(channel.uuid)).toEqual([]);
      expect(sim.channels.has(channel.uuid)).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe('OutboundServer handlerFallback: a failing handler sends the caller there, not to a hangup', () => {
  async function serveWithFallback(handler: OutboundCallHandler, fallback: { transfer: string; context?: string }): Promise<number> {
    server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 10, logger, handlerFallback: fallback }, handler);
    return (await server.listen()).port;
  }

  it('a handler that throws before anything else (a provider without its key): transferred, never hung up', async () => {
    const port = await serveWithFallback(() => {
      throw new Error('no OpenAI API key');
    }, { transfer: 'operator' });
    const errored = nextError();
    // The transfer takes the channel out of the socket: the socket application completes.
    const leftSocket = new Promise((resolve) =>
      server.once('call', (c) => resolve(c.waitForEvent({ names: 'CHANNEL_EXECUTE_COMPLETE', filter: (e) => e.get('Application') === 'socket' }))),
    );
    const channel = sim.callSocket({ port });
    const [error, call] = await errored;
    const transfer = await sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'));
    expect(transfer.line).toBe(`api uuid_transfer ${channel.uuid} operator XML default`);
    await leftSocket;
    await barrier(call!);
    expect(hangupsOf(channel.uuid)).toEqual([]);
    expect(sim.channels.get(channel.uuid)?.profile.destinationNumber).toBe('operator');
    expect(error).toBeInstanceOf(CallHandlerError);
    expect(error).toMatchObject({ uuid: channel.uuid, hangupCause: undefined, fallback: 'operator' });
    expect(error.message).toContain('no OpenAI API key');
    expect(error.message).toContain('transferred to operator');
  });

  it('a transfer that fails too: hung up as without a fallback, and logged', async () => {
    const port = await serveWithFallback(() => {
      throw new Error('boom');
    }, { transfer: 'operator', context: 'no-such-context' });
    const failed = nextLog('error');
    // FreeSWITCH refuses the transfer.
    const refusal = '-ERR no such context\n';
    sim.onCommand((c) =>
      c.line.includes('no-such-context') ? { respond: `Content-Type: api/response\nContent-Length: ${refusal.length}\n\n${refusal}` } : undefined,
    );
    const channel = sim.callSocket({ port });
    await failed;
    await sim.waitForCommand((c) => c.headers['call-command'] === 'hangup');
    expect(hangupsOf(channel.uuid)).toEqual(['sendmsg NORMAL_TEMPORARY_FAILURE']);
  });
});
