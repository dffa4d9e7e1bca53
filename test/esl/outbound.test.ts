import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallEndedError, CallHandlerError, EslCommandError, EslTimeoutError } from '../../src/errors.js';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { type OutboundCallHandler, type OutboundServerOptions, createOutboundServer, type OutboundServer } from '../../src/esl/outbound-server.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';

const DOMAIN = '11111111-2222-3333-4444-555555555555';
const SECRETARY = 'dc923a2f-b88a-4a2f-8029-d6e0c06893c5';

let sim: FreeSwitchSimulator;
let server: OutboundServer | undefined;

beforeEach(async () => {
  sim = new FreeSwitchSimulator();
  await sim.start();
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await sim.stop();
});

async function serve(handler?: OutboundCallHandler, options: OutboundServerOptions = {}): Promise<{ port: number; calls: OutboundCall[] }> {
  server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 100, ...options }, handler);
  const calls: OutboundCall[] = [];
  server.on('call', (c) => calls.push(c));
  const { port } = await server.listen();
  return { port, calls };
}

function nextCall(): Promise<OutboundCall> {
  return new Promise((resolve) => server!.once('call', resolve));
}

function dial(port: number, mode = 'async full', variables: Record<string, string> = { domain_uuid: DOMAIN, secretary_uuid: SECRETARY }) {
  return sim.callSocket({ port, mode }, { callerIdNumber: '5511999990000', callerIdName: 'Maria Silva', variables });
}

function commandsOf(uuid: string): string[] {
  const ids = new Set(sim.connectionList.filter((l) => l.sessionUuid === uuid).map((l) => l.id));
  return sim.commands.filter((c) => ids.has(c.connectionId) || c.line.includes(uuid)).map((c) => c.line);
}

describe('OutboundServer: handshake and channel data', () => {
  it('sends connect, myevents and linger, then hands over a typed call', async () => {
    const { port } = await serve();
    const arrived = nextCall();
    const channel = dial(port);
    const call = await arrived;
    expect(call.uuid).toBe(channel.uuid);
    expect(call.channel.callerIdName).toBe('Maria Silva');
    expect(call.channel.callerIdNumber).toBe('5511999990000');
    expect(call.channel.destinationNumber).toBe('8000');
    expect(call.channel.context).toBe('default');
    expect(call.channel.domainUuid).toBe(DOMAIN);
    expect(call.channel.getVariable('secretary_uuid')).toBe(SECRETARY);
    expect(call.channel.variables.get('domain_uuid')).toBe(DOMAIN);
    expect(call.channel.socketMode).toBe('async');
    expect(call.channel.fullControl).toBe(true);
    expect(call.channel.readCodec).toEqual({ name: 'PCMU', rate: 8000 });
    expect(sim.commands.map((c) => c.line).slice(0, 3)).toEqual(['connect', 'myevents', 'linger 10']);
    expect(server!.connections).toBe(1);
  });

  it('runs the handler for each call; calls are independent', async () => {
    const seen: string[] = [];
    const { port } = await serve(async (call) => {
      seen.push(call.channel.callerIdNumber ?? '');
      await call.hangup();
    });
    const a = sim.callSocket({ port }, { callerIdNumber: '1001' });
    const b = sim.callSocket({ port }, { callerIdNumber: '1002' });
    await Promise.all([waitGone(a.uuid), waitGone(b.uuid)]);
    expect(seen.sort()).toEqual(['1001', '1002']);
    expect(server!.stats.calls).toBe(2);
  });
});

/** Resolves once the simulator has destroyed the channel. */
function waitGone(uuid: string): Promise<void> {
  if (!sim.channels.has(uuid)) return Promise.resolve();
  return new Promise((resolve) => {
    const check = (event: { name: string; headers: [string, string][] }): void => {
      if (event.name !== 'CHANNEL_DESTROY' || !event.headers.some(([k, v]) => k === 'Unique-ID' && v === uuid)) return;
      sim.off('event', check);
      resolve();
    };
    sim.on('event', check);
  });
}

describe('OutboundCall: control', () => {
  it('resolves execute with the CHANNEL_EXECUTE_COMPLETE of that very execution', async () => {
    const { port } = await serve();
    const arrived = nextCall();
    dial(port);
    const call = await arrived;
    const [first, second] = await Promise.all([
      call.playback('tone_stream://%(40,0,400)'),
      call.execute('set', 'voice_ai_state=greeting'),
    ]);
    expect(first.get('Application')).toBe('playback');
    expect(first.get('Application-Response')).toBe('FILE PLAYED');
    expect(second.get('Application')).toBe('set');
    const sent = sim.commands.filter((c) => c.line === 'sendmsg').map((c) => c.headers['Event-UUID']);
    expect([first.get('Application-UUID'), second.get('Application-UUID')]).toEqual(sent);
    expect(sim.commands.find((c) => c.headers['execute-app-name'] === 'playback')!.headers['event-lock']).toBe('true');
    expect(await call.getVariable('voice_ai_state')).toBe('greeting');
  });

  it('reads variables fresh, sets them, and runs api and bgapi on the same socket', async () => {
    const { port } = await serve();
    const arrived = nextCall();
    dial(port);
    const call = await arrived;
    await call.setVariable('note', 'a b, c');
    expect(await call.getVariable('note')).toBe('a b, c');
    expect(await call.getVariable('never_set')).toBeUndefined();
    expect((await call.api('uuid_exists ' + call.uuid)).text).toBe('true');
    expect(await call.bgapi('status', { jobUuid: '0b4c1d88-5f0e-4f7a-9f51-2f0d5f4f1e11' })).toBe('0b4c1d88-5f0e-4f7a-9f51-2f0d5f4f1e11');
    expect(commandsOf(call.uuid)).toContain(`api uuid_getvar ${call.uuid} note`);
  });

  it('rejects a pending execute with CallEndedError when the caller hangs up, then delivers the billing events', async () => {
    const { port } = await serve();
    const arrived = nextCall();
    const channel = dial(port);
    const call = await arrived;
    const hangup = new Promise((resolve) => call.once('hangup', resolve));
    const ended = call.ended();
    const playing = call.playback('silence_stream://-1');
    await call.waitForEvent({ names: 'CHANNEL_EXECUTE', filter: (e) => e.get('Application') === 'playback' });
    sim.hangup(channel.uuid, 'USER_BUSY');
    const error = await playing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallEndedError);
    expect((error as CallEndedError).hangupCause).toBe('USER_BUSY');
    expect(await hangup).toMatchObject({ cause: 'USER_BUSY' });
    const end = await ended;
    expect(end.cause).toBe('USER_BUSY');
    expect(end.hangupComplete?.name).toBe('CHANNEL_HANGUP_COMPLETE');
    expect(end.hangupComplete?.getVariable('billsec')).toBeDefined();
    expect(call.isActive).toBe(false);
    await expect(call.answer()).rejects.toBeInstanceOf(CallEndedError);
    expect(server!.connections).toBe(0);
    expect(server!.activeCalls.size).toBe(0);
  });

  it('hangs up with a cause and closes once the linger notice is in', async () => {
    const { port } = await serve();
    const arrived = nextCall();
    dial(port);
    const call = await arrived;
    const ended = call.ended();
    expect(await call.hangup('CALL_REJECTED')).toBe('CALL_REJECTED');
    expect(sim.commands.find((c) => c.headers['call-command'] === 'hangup')!.headers['hangup-cause']).toBe('CALL_REJECTED');
    expect((await ended).hangupComplete?.hangupCause).toBe('CALL_REJECTED');
    expect(await call.hangup()).toBe('CALL_REJECTED');
  });

  it('sends unicast with our ports and native flag; park completes at once on an async socket, as on FreeSWITCH', async () => {
    const { port } = await serve();
    const arrived = nextCall();
    dial(port);
    const call = await arrived;
    await call.unicast({ localIp: '127.0.0.1', localPort: 10070, remoteIp: '127.0.0.1', remotePort: 10120, native: true });
    const unicast = sim.commands.find((c) => c.headers['call-command'] === 'unicast')!;
    expect(unicast.headerList).toEqual([
      ['call-command', 'unicast'],
      ['local-ip', '127.0.0.1'],
      ['local-port', '10070'],
      ['remote-ip', '127.0.0.1'],
      ['remote-port', '10120'],
      ['transport', 'udp'],
      ['flags', 'native'],
    ]);
    // An async socket already parks the channel: FreeSWITCH's park refuses a controlled channel
    // and completes at once (outbound-unicast-native.json), while unicast keeps flowing.
    const done = await call.park();
    expect(done.get('Application')).toBe('park');
    expect(sim.channels.get(call.uuid)?.currentApp?.name).toBe('socket');
    await expect(call.unicast({ localIp: '127.0.0.1', localPort: 0, remoteIp: '127.0.0.1', remotePort: 1 })).rejects.toThrow(/localPort/);
  });

  it('emits DTMF digits and routes this channel events to on/events', async () => {
    const { port } = await serve();
    const arrived = nextCall();
    const channel = dial(port);
    const call = await arrived;
    const digits: string[] = [];
    call.on('dtmf', ({ digit }) => digits.push(digit));
    const stream = call.events({ names: ['DTMF'] });
    sim.sendDtmf(channel.uuid, '12#');
    const got: string[] = [];
    for await (const e of stream) {
      got.push(e.get('DTMF-Digit')!);
      if (got.length === 3) break;
    }
    expect(got).toEqual(['1', '2', '#']);
    expect(digits).toEqual(['1', '2', '#']);
  });

  it('rejects CR/LF in every argument before writing', async () => {
    const { port } = await serve();
    const arrived = nextCall();
    dial(port);
    const call = await arrived;
    const before = sim.commands.length;
    await expect(call.playback('a\nb')).rejects.toThrow(/where FreeSWITCH ends a command line/);
    await expect(call.bridge('user/1000\r\napi status')).rejects.toThrow(/where FreeSWITCH ends a command line/);
    await expect(call.setVariable('x', 'y\nz')).rejects.toThrow(/where FreeSWITCH ends a command line/);
    await expect(call.hangup('A\nB')).rejects.toThrow(/where FreeSWITCH ends a command line|whitespace/);
    await expect(call.sendDtmf('1;2')).rejects.toThrow(/digits/);
    expect(sim.commands.length).toBe(before);
  });
});

describe('OutboundCall: sockets without full control', () => {
  it('skips linger, refuses api clearly, and reads variables with getvar', async () => {
    const { port } = await serve();
    const arrived = nextCall();
    dial(port, 'async');
    const call = await arrived;
    expect(call.channel.fullControl).toBe(false);
    expect(commandsOf(call.uuid).slice(0, 2)).toEqual(['connect', 'myevents']);
    expect(commandsOf(call.uuid)).not.toContain('linger 10');
    await expect(call.api('status')).rejects.toBeInstanceOf(EslCommandError);
    expect(await call.getVariable('secretary_uuid')).toBe(SECRETARY);
    expect(await call.getVariable('never_set')).toBeUndefined();
    await call.setVariable('state', 'x');
    expect(await call.getVariable('state')).toBe('x');
  });
});

describe('OutboundServer: robustness', () => {
  it('refuses connections over maxConnections and leaves existing calls alone', async () => {
    const { port } = await serve(undefined, { maxConnections: 1 });
    const arrived = nextCall();
    dial(port);
    const first = await arrived;
    const rejected = new Promise((resolve) => server!.once('rejected', resolve));
    const second = dial(port);
    expect(await rejected).toMatchObject({ reason: 'max-connections' });
    await waitGone(second.uuid);
    expect(server!.stats.rejectedOverLimit).toBe(1);
    expect((await first.execute('set', 'still=alive')).get('Application')).toBe('set');
  });

  it('closes peers outside the allowlist before reading a byte', async () => {
    const { port } = await serve(undefined, { allow: ['10.0.0.0/8', '192.168.1.7'] });
    const rejected = new Promise((resolve) => server!.once('rejected', resolve));
    const peer = await rawPeer(port);
    expect(await rejected).toMatchObject({ reason: 'not-allowed' });
    expect(await peer.closed).toBe('');
    expect(server!.stats.rejectedNotAllowed).toBe(1);
  });

  it('drops a peer that never answers connect after handshakeTimeout', async () => {
    const { port } = await serve(undefined, { handshakeTimeout: 150 });
    const rejected = new Promise<{ reason: string; error?: Error }>((resolve) => server!.once('rejected', resolve));
    const peer = await rawPeer(port);
    const info = await rejected;
    expect(info.reason).toBe('handshake-failed');
    expect(info.error).toBeInstanceOf(EslTimeoutError);
    expect(await peer.closed).toBe('connect\n\n');
    await new Promise((r) => setImmediate(r));
    expect(server!.connections).toBe(0);
  });

  it('closes only the connection that sends garbage, with a protocol error', async () => {
    const { port } = await serve(undefined, { handshakeTimeout: 2000 });
    const arrived = nextCall();
    dial(port);
    const good = await arrived;
    const rejected = new Promise<{ error?: Error }>((resolve) => server!.once('rejected', resolve));
    const peer = await rawPeer(port);
    await peer.received('connect\n\n');
    peer.socket.write('Content-Type: command/reply\nContent-Length: -1\n\n');
    expect((await rejected).error?.name).toMatch(/EslProtocolError|EslConnectionError/);
    await peer.closed;
    expect(good.isActive).toBe(true);
    expect((await good.execute('set', 'a=1')).get('Application')).toBe('set');
  });

  it('hangs up a call whose handler throws, reports it with the uuid, and keeps serving', async () => {
    let n = 0;
    const { port } = await serve(async (call) => {
      if (++n === 1) throw new Error('boom');
      await call.hangup();
    });
    const errored = new Promise<[Error, OutboundCall | undefined]>((resolve) => server!.once('error', (e, c) => resolve([e, c])));
    const first = dial(port);
    const [error, call] = await errored;
    expect(error).toBeInstanceOf(CallHandlerError);
    expect((error as CallHandlerError).uuid).toBe(first.uuid);
    expect(call?.uuid).toBe(first.uuid);
    await waitGone(first.uuid);
    expect(sim.commands.find((c) => c.headers['call-command'] === 'hangup')!.headers['hangup-cause']).toBe('NORMAL_TEMPORARY_FAILURE');
    const second = dial(port);
    await waitGone(second.uuid);
    expect(server!.stats).toMatchObject({ calls: 2, handlerErrors: 1 });
  });

  it('does not report a handler stopped by the caller hanging up', async () => {
    const errors: Error[] = [];
    const { port } = await serve(async (call) => {
      await call.playback('silence_stream://-1');
    });
    server!.on('error', (e) => errors.push(e));
    const arrived = nextCall();
    const channel = dial(port);
    const call = await arrived;
    await call.waitForEvent({ names: 'CHANNEL_EXECUTE' });
    sim.hangup(channel.uuid);
    await call.ended();
    expect(errors).toEqual([]);
    expect(server!.stats.handlerErrors).toBe(0);
  });

  it('close({ drainTimeout }) stops accepting, lets live calls finish, then closes the rest', async () => {
    const { port } = await serve();
    const arrived = nextCall();
    const a = dial(port);
    const callA = await arrived;
    const closing = server!.close({ drainTimeout: 10_000 });
    const refused = await rawPeer(port).then(
      (p) => p.closed,
      () => 'refused',
    );
    expect(refused).toBe('refused');
    sim.hangup(a.uuid);
    await closing;
    expect(callA.isActive).toBe(false);

    sim.dropConnections();
    const { port: port2 } = await serve();
    const arrivedB = nextCall();
    dial(port2);
    const callB = await arrivedB;
    const ended = callB.ended();
    await server!.close({ drainTimeout: 50 });
    expect((await ended).cause).toBeUndefined();
    await expect(callB.answer()).rejects.toBeInstanceOf(CallEndedError);
  });
});

/** A bare TCP client posing as FreeSWITCH: records what the server sends. */
async function rawPeer(port: number): Promise<{ socket: Socket; closed: Promise<string>; received: (text: string) => Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  const waiters: (() => void)[] = [];
  socket.on('data', (c: Buffer) => {
    data += c.toString('utf8');
    for (const w of waiters.splice(0)) w();
  });
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(data)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const received = async (text: string): Promise<void> => {
    while (!data.includes(text)) await new Promise<void>((r) => waiters.push(r));
  };
  return { socket, closed, received };
}

describe('the simulator as the socket application (conformance with outbound-extras)', () => {
  it('never answers a command sent before connect, yet applies it', async () => {
    const peer = await new Promise<{ port: number; got: Promise<string>; sock: () => Socket; srv: Server }>((resolve) => {
      let socket: Socket;
      let data = '';
      let done: (s: string) => void;
      const got = new Promise<string>((r) => (done = r));
      const srv = createServer((s: Socket) => {
        socket = s;
        s.on('data', (c: Buffer) => {
          data += c.toString();
          if (data.includes('Control: full\n\n')) done(data);
        });
        s.write('myevents\n\n');
        setTimeout(() => s.write('connect\n\n'), 20);
      });
      srv.listen(0, '127.0.0.1', () => resolve({ port: (srv.address() as AddressInfo).port, got, sock: () => socket, srv }));
    });
    sim.callSocket({ port: peer.port });
    const data = await peer.got;
    expect(data.startsWith('Event-Name: CHANNEL_DATA\n')).toBe(true);
    peer.sock().write('myevents\n\n');
    await new Promise<void>((resolve) => peer.sock().on('data', (c: Buffer) => c.toString().includes('-ERR aready enabled.') && resolve()));
    peer.sock().destroy();
    await new Promise((r) => peer.srv.close(r));
  });
});

describe('ChannelData from a real connect reply', async () => {
  const { loadCapture } = await import('../helpers/fixtures.js');
  const { FrameParser } = await import('../../src/esl/frame-parser.js');
  const { EslReply } = await import('../../src/esl/reply.js');
  const { ChannelData } = await import('../../src/esl/channel-data.js');

  it.each(['outbound-sip-pcmu-native', 'outbound-unicast-native'])('reads %s', (name) => {
    const steps = loadCapture(name).steps;
    const at = steps.findIndex((s) => s.send === 'connect\n\n');
    let reply: InstanceType<typeof EslReply> | undefined;
    new FrameParser((f) => (reply ??= new EslReply(f))).push(Buffer.from(steps[at + 1]!.recv!));
    expect(reply!.ok).toBe(true);
    expect(reply!.text).toBe('+OK');
    const data = new ChannelData(reply!.headers);
    expect(data.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(data.destinationNumber).toBe('8000');
    expect(data.domainUuid).toBe(DOMAIN);
    expect(data.getVariable('secretary_uuid')).toBe(SECRETARY);
    expect(data.socketMode).toBe('async');
    expect(data.fullControl).toBe(true);
    expect(data.variables.get('absolute_codec_string')).toBe('PCMU');
    if (name.includes('sip')) {
      expect(data.callerIdName).toBe('Maria Silva');
      expect(data.readCodec).toEqual({ name: 'PCMU', rate: 8000 });
      expect(data.channelName).toBe('sofia/internal/5511999990000@127.0.0.1:5070');
    }
  });
});
