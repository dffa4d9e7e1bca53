import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EslConnectionError, EslTimeoutError } from '../../src/errors.js';
import { AsyncESLClient, type AsyncESLClientOptions } from '../../src/esl/client.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';
import { decodeEvent, RawEslClient } from './raw-esl.js';

let sim: FreeSwitchSimulator;
const clients: AsyncESLClient[] = [];
const raws: RawEslClient[] = [];

function client(options: AsyncESLClientOptions = {}): AsyncESLClient {
  const c = new AsyncESLClient({ host: '127.0.0.1', port: sim.port, password: 'ClueCon', reconnectDelay: 5, maxReconnectDelay: 20, ...options });
  clients.push(c);
  return c;
}

async function raw(subscribe?: string): Promise<RawEslClient> {
  const r = await RawEslClient.open(sim.port);
  raws.push(r);
  await r.frames(1);
  await r.command('auth ClueCon\n\n');
  if (subscribe) await r.command(`${subscribe}\n\n`);
  return r;
}

const kind = (f: { type: string | undefined; head: string; body: Buffer | undefined }): string =>
  f.type === 'text/event-plain' ? `event:${decodeEvent(f as never).get('N')}` : (/Reply-Text: (.*)/.exec(f.head)?.[1] ?? f.body?.toString().trim() ?? '');

beforeEach(async () => {
  sim = new FreeSwitchSimulator();
  await sim.start();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const r of raws.splice(0)) r.destroy();
  await sim.stop();
});

describe('test hooks', () => {
  it('waitForEvent: the next event of that name on that channel, not one on another; a timeout rejects; no listener left', async () => {
    const listeners = sim.listenerCount('event');
    const a = sim.placeCall({ destination: '9000' });
    const b = sim.placeCall({ destination: '9001' });
    const onB = sim.waitForEvent('CHANNEL_HANGUP', b.uuid);
    const any = sim.waitForEvent('CHANNEL_HANGUP');
    sim.hangup(a.uuid, 'USER_BUSY');
    expect((await any).headers).toContainEqual(['Unique-ID', a.uuid]);
    sim.hangup(b.uuid, 'NO_ANSWER');
    const event = await onB;
    expect(event.headers).toContainEqual(['Unique-ID', b.uuid]);
    expect(event.headers).toContainEqual(['Hangup-Cause', 'NO_ANSWER']);
    await expect(sim.waitForEvent('PLAYBACK_START', a.uuid, 20)).rejects.toThrow(`no PLAYBACK_START event on ${a.uuid} within 20 ms`);
    expect(sim.listenerCount('event')).toBe(listeners);
  });

  it('holdReplies: nothing goes out while held; on release the queued events first, then the commands in order', async () => {
    const r = await raw('event plain CUSTOM h::x');
    sim.holdReplies(true);
    r.write('api uuid_exists a\n\napi uuid_exists b\n\n');
    await sim.waitForCommand((c) => c.line === 'api uuid_exists b');
    sim.emitEvent('CUSTOM', { 'Event-Subclass': 'h::x', N: '1' });
    await expect(r.frames(1, 50)).rejects.toThrow(/only 0 of 1/);
    sim.holdReplies(false);
    expect((await r.frames(3)).map(kind)).toEqual(['event:1', 'false', 'false']);
  });

  it('holdReplies makes a client command time out; the late reply is dropped, the next one is matched', async () => {
    const c = client();
    await c.connect();
    sim.holdReplies(true);
    await expect(c.api('status', { timeout: 30 })).rejects.toBeInstanceOf(EslTimeoutError);
    sim.holdReplies(false);
    expect((await c.api('uuid_exists x')).text).toBe('false');
    expect(c.stats!.lateReplies).toBe(1);
  });

  it('setCommandDelay: the reply comes late, and events fired meanwhile wait behind it (the listener is busy)', async () => {
    const r = await raw('event plain CUSTOM h::x');
    sim.setCommandDelay(40);
    const sent = Date.now();
    r.write('api uuid_exists x\n\n');
    await sim.waitForCommand((c) => c.line === 'api uuid_exists x');
    sim.emitEvent('CUSTOM', { 'Event-Subclass': 'h::x', N: '2' });
    expect((await r.frames(2)).map(kind)).toEqual(['false', 'event:2']);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(35);
  });

  it('onCommand: hang, drop, respond, delay', async () => {
    const r = await raw();
    sim.onCommand((cmd) => {
      if (cmd.line === 'api hang') return 'hang';
      if (cmd.line === 'api fake') return { respond: 'Content-Type: api/response\nContent-Length: 5\n\nfake!' };
      if (cmd.line === 'api uuid_exists slow') return { delayMs: 20 };
      if (cmd.line === 'api drop') return 'drop';
      return undefined;
    });
    r.write('api hang\n\napi fake\n\napi uuid_exists slow\n\n');
    expect((await r.frames(2)).map(kind)).toEqual(['fake!', 'false']);
    r.write('api drop\n\n');
    await r.whenClosed();
    expect(sim.commands.map((c) => c.line).slice(-4)).toEqual(['api hang', 'api fake', 'api uuid_exists slow', 'api drop']);
  });

  it('injectRaw reaches one connection or all; an unknown content type does not break the client', async () => {
    const [a, b] = [await raw(), await raw()];
    const c = client();
    await c.connect();
    sim.injectRaw('Content-Type: text/x-future\nContent-Length: 3\n\nnew', sim.connectionList[0]!);
    expect((await a.frames(1))[0]!.type).toBe('text/x-future');
    sim.injectRaw('Content-Type: text/x-future\n\n');
    expect((await b.frames(1))[0]!.type).toBe('text/x-future');
    expect((await c.api('uuid_exists x')).text).toBe('false');
    expect(c.stats!.unknownFrames).toBe(1);
  });

  it('dropConnections mid-command: the command fails with EslConnectionError and is never sent again', async () => {
    const c = client({ maxReconnectAttempts: 5 });
    await c.connect();
    sim.onCommand((cmd) => (cmd.line.startsWith('bgapi originate') ? 'hang' : undefined));
    const pending = c.originate({ dialString: 'user/1000', app: 'park' }).catch((e: unknown) => e);
    await sim.waitForCommand((cmd) => cmd.line.startsWith('bgapi originate'));
    const ready = new Promise<void>((r) => c.once('ready', r));
    sim.dropConnections();
    expect(await pending).toBeInstanceOf(EslConnectionError);
    await ready;
    sim.onCommand(undefined);
    expect((await c.api('uuid_exists x')).text).toBe('false');
    expect(sim.commands.filter((x) => x.line.startsWith('bgapi originate'))).toHaveLength(1);
  });

  it('stop()/start() is a restart on the same port: a shutdown notice, channels gone, the client comes back', async () => {
    const c = client({ maxReconnectAttempts: 20 });
    await c.connect();
    const r = await raw();
    await c.originate({ dialString: 'user/1000', app: 'park' });
    const port = sim.port;
    const coreBefore = sim.core.factory.coreUuid;
    await sim.stop();
    const [notice] = await r.frames(1);
    expect([notice!.type, notice!.body!.toString()]).toEqual(['text/disconnect-notice', 'The system is being shut down.\n']);
    const ready = new Promise<void>((resolve) => c.once('ready', resolve));
    expect((await sim.start()).port).toBe(port);
    await ready;
    expect(sim.channels.size).toBe(0);
    expect((await c.showChannels()).length).toBe(0);
    expect((await c.status()).sessionsSinceStartup).toBe(0);
    expect(sim.core.factory.coreUuid).not.toBe(coreBefore);
  });

  it('waitForCommand resolves with a past or a future command, rejects on timeout', async () => {
    const r = await raw();
    expect((await sim.waitForCommand((c) => c.line === 'auth ClueCon')).connectionId).toBe(r ? sim.connectionList[0]!.id : 0);
    const later = sim.waitForCommand((c) => c.line.startsWith('api echo'));
    r.write('api echo hi\n\n');
    expect((await later).line).toBe('api echo hi');
    await expect(sim.waitForCommand(() => false, 10)).rejects.toThrow('no matching command');
  });
});
