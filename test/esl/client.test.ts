import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EslAuthError,
  EslCommandError,
  EslConnectionError,
  EslInvalidArgumentError,
  EslTimeoutError,
  OriginateError,
} from '../../src/errors.js';
import { AsyncESLClient, type AsyncESLClientOptions } from '../../src/esl/client.js';
import type { EslEvent } from '../../src/esl/event.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';

let sim: FreeSwitchSimulator;
let client: AsyncESLClient;
let port: number;

function newClient(options: AsyncESLClientOptions = {}): AsyncESLClient {
  client = new AsyncESLClient({ host: '127.0.0.1', port, password: 'ClueCon', reconnectDelay: 10, maxReconnectDelay: 50, ...options });
  return client;
}

beforeEach(async () => {
  sim = new FreeSwitchSimulator();
  ({ port } = await sim.start());
});

afterEach(async () => {
  await client?.close();
  await sim.stop();
});

describe('AsyncESLClient: login', () => {
  it('authenticates and reports ready', async () => {
    const c = newClient();
    const ready = new Promise<void>((r) => c.once('ready', r));
    await c.connect();
    await ready;
    expect(c.isConnected).toBe(true);
    expect(sim.commands[0]!.line).toBe('auth ClueCon');
  });

  it('fails a wrong password with EslAuthError, and does not loop reconnecting (esl-lite, modesl)', async () => {
    const c = newClient({ password: 'wrong' });
    const attempts: number[] = [];
    c.on('reconnecting', ({ attempt }) => attempts.push(attempt));
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EslAuthError);
    expect((error as EslAuthError).code).toBe('ESL_AUTH_FAILED');
    expect((error as Error).message).not.toContain('wrong');
    expect(attempts).toEqual([]);
    expect(sim.commands.filter((x) => x.line.startsWith('auth'))).toHaveLength(1);
  });

  it('reports an ACL rejection as EslAuthError ESL_ACCESS_DENIED', async () => {
    await sim.stop();
    sim = new FreeSwitchSimulator({ acl: () => false });
    ({ port } = await sim.start());
    const error = await newClient().connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EslAuthError);
    expect((error as EslAuthError).code).toBe('ESL_ACCESS_DENIED');
  });

  it('logs in with userauth', async () => {
    await sim.stop();
    sim = new FreeSwitchSimulator({ users: { '1000@default': 'secret' } });
    ({ port } = await sim.start());
    await newClient({ user: '1000@default', password: 'secret' }).connect();
    expect(sim.commands[0]!.line).toBe('userauth 1000@default:secret');
  });

  it('times out when the peer never sends auth/request', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const c = new AsyncESLClient({ port: (silent.address() as { port: number }).port, connectTimeout: 50 });
    await expect(c.connect()).rejects.toBeInstanceOf(EslTimeoutError);
    silent.close();
  });

  it('fails to connect to a closed port with EslConnectionError', async () => {
    await sim.stop();
    await expect(newClient().connect()).rejects.toBeInstanceOf(EslConnectionError);
  });
});

describe('AsyncESLClient: commands', () => {
  beforeEach(async () => {
    await newClient().connect();
  });

  it('runs api commands and parses status', async () => {
    expect((await client.api('uuid_exists 00000000-0000-0000-0000-000000000000')).text).toBe('false');
    const status = await client.status();
    expect(status.ready).toBe(true);
    expect(status.maxSessions).toBe(1000);
  });

  it('pipelines many commands and matches every reply', async () => {
    const uuids = await Promise.all(Array.from({ length: 50 }, (_, i) => client.originate({ dialString: `user/${1000 + i}`, app: 'park' })));
    const values = await Promise.all(uuids.map((u) => client.uuidGetvar(u, 'uuid')));
    expect(values).toEqual(uuids);
  });

  it('runs bgapi with our Job-UUID and resolves with the BACKGROUND_JOB body', async () => {
    const job = client.bgapi('status', { jobUuid: 'f8f247f6-07fa-43fc-aab1-30217e64d861' });
    expect(job.jobUuid).toBe('f8f247f6-07fa-43fc-aab1-30217e64d861');
    expect((await job.accepted).text).toBe('+OK Job-UUID: f8f247f6-07fa-43fc-aab1-30217e64d861');
    const result = await job;
    expect(result.ok).toBe(true);
    expect(result.body).toMatch(/^UP /);
    expect(sim.commands.find((c) => c.line === 'bgapi status')!.headers['Job-UUID']).toBe(job.jobUuid);
  });

  it('originates with escaped variables that arrive intact, and reads them back', async () => {
    const uuid = await client.originate({ dialString: 'loopback/9000/default', app: 'park', variables: { note: "a, b 'c'", n: 7 } });
    expect(await client.uuidGetvar(uuid, 'note')).toBe("a, b 'c'");
    expect(await client.uuidGetvar(uuid, 'n')).toBe('7');
    expect(await client.uuidGetvar(uuid, 'never_set')).toBeUndefined();
    expect(await client.uuidExists(uuid)).toBe(true);
    // loopback/ makes two legs, as in FreeSWITCH: ours and its partner.
    expect((await client.showChannels()).map((r) => r.uuid)).toContain(uuid);
  });

  it('turns originate failures into OriginateError with the hangup cause', async () => {
    const busy = await client.originate({ dialString: 'error/USER_BUSY', app: 'park' }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(OriginateError);
    expect((busy as OriginateError).hangupCause).toBe('USER_BUSY');
    const noRoute = await client.originate({ dialString: 'loopback/7777/nosuchcontext', app: 'park' }).catch((e: unknown) => e);
    expect((noRoute as OriginateError).hangupCause).toBe('NO_ROUTE_DESTINATION');
  });

  it('turns -ERR into EslCommandError for helpers whose contract says so', async () => {
    await expect(client.uuidKill('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(EslCommandError);
    await expect(client.uuidGetvar('00000000-0000-0000-0000-000000000000', 'x')).rejects.toThrow('No such channel');
    expect((await client.api('no_such_command')).ok).toBe(false);
  });

  it('rejects CR/LF in every helper before writing anything', async () => {
    const before = sim.commands.length;
    const bad = 'x\nexit';
    const calls: (() => Promise<unknown>)[] = [
      () => client.api(bad),
      () => client.bgapi(bad).result,
      () => client.uuidBroadcast(bad, 'f.wav'),
      () => client.uuidBroadcast('u', bad),
      () => client.uuidBreak(bad),
      () => client.uuidBridge('u', bad),
      () => client.uuidKill('u', bad),
      () => client.uuidTransfer('u', bad),
      () => client.uuidTransfer('u', '9000', 'XML', bad),
      () => client.uuidGetvar('u', bad),
      () => client.uuidSetvar('u', 'v', bad),
      () => client.uuidExists(bad),
      () => client.originate({ dialString: 'user/1000', app: 'park', variables: { a: bad } }),
      () => client.sendmsg('u', { command: 'execute', headers: { 'execute-app-arg': bad } }),
      () => client.execute('u', 'playback', bad),
      () => client.sendevent('CUSTOM', { 'X-A': bad }),
      () => client.subscribe([bad]),
      () => client.filter('Unique-ID', bad),
      () => client.filterDelete(bad),
    ];
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(EslInvalidArgumentError);
    expect(sim.commands.length).toBe(before);
  });

  it('times out a command, and the next command still gets its own reply', async () => {
    sim.onCommand((c) => (c.line === 'api status' ? 'hang' : undefined));
    await expect(client.api('status', { timeout: 30 })).rejects.toBeInstanceOf(EslTimeoutError);
    sim.onCommand(undefined);
    // The simulator never answers the hung command, so the connection's queue still holds its
    // slot: the client must not hand the next reply to it.
    const next = client.api('uuid_exists x', { timeout: 200 });
    await expect(next).rejects.toBeInstanceOf(EslTimeoutError);
  });

  it('aborts a wait with the signal', async () => {
    sim.onCommand(() => 'hang');
    const ac = new AbortController();
    const p = client.api('status', { signal: ac.signal });
    ac.abort(new Error('user cancelled'));
    await expect(p).rejects.toThrow('user cancelled');
    sim.onCommand(undefined);
  });
});

describe('AsyncESLClient: events', () => {
  beforeEach(async () => {
    await newClient().connect();
  });

  it.each(['plain', 'json', 'xml'] as const)('delivers and decodes %s events identically', async (format) => {
    await client.subscribe(['CHANNEL_CREATE', 'CHANNEL_HANGUP_COMPLETE'], format);
    const created = client.waitForEvent({ names: 'CHANNEL_CREATE', timeout: 2000 });
    const variables = { domain_uuid: 'd-1', caller: 'José: 100% <ok>', raw: 'x%41' };
    const uuid = await client.originate({ dialString: 'user/1000', app: 'park', variables });
    const e = await created;
    expect(e.format).toBe(format);
    expect([e.uuid, e.getVariable('domain_uuid'), e.getVariable('caller')]).toEqual([uuid, 'd-1', 'José: 100% <ok>']);
    // FreeSWITCH's URL encoder leaves an existing %XX alone, so plain and xml deliver it decoded.
    expect(e.getVariable('raw')).toBe(format === 'json' ? 'x%41' : 'xA');
  });

  it('routes by uuid, iterates with events(), and ends streams on close', async () => {
    await client.subscribe('ALL');
    const a = await client.originate({ dialString: 'user/1', app: 'park' });
    const b = await client.originate({ dialString: 'user/2', app: 'park' });
    const seen: string[] = [];
    client.on('CHANNEL_HANGUP', (e) => seen.push(`on:${e.uuid === a ? 'a' : 'b'}`), { uuid: a });
    const stream = client.events({ names: ['CHANNEL_HANGUP_COMPLETE'], uuid: b });
    await client.uuidKill(a);
    await client.uuidKill(b);
    const first = await stream.next();
    expect((first.value as EslEvent).uuid).toBe(b);
    expect(seen).toEqual(['on:a']);
    await client.close();
    expect((await stream.next()).done).toBe(true);
  });

  it('keeps delivering to other handlers when one throws, and reports the error', async () => {
    await client.subscribe(['CUSTOM', 'test::one']);
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    client.on('CUSTOM', () => {
      throw new Error('handler bug');
    });
    const got = client.waitForEvent({ names: 'test::one', timeout: 2000 });
    await client.sendevent('CUSTOM', { 'Event-Subclass': 'test::one' }, 'line 1\nline 2');
    expect((await got).body).toBe('line 1\nline 2');
    expect(errors.map((e) => e.message)).toEqual(['handler bug']);
  });

  it('delivers a JSON event nested 100 000 deep to its handlers (without the deep header), and counts the cut', async () => {
    await client.subscribe(['CUSTOM', 'test::deep'], 'json');
    const got = client.waitForEvent({ names: 'test::deep', timeout: 2000 });
    const n = 100_000;
    const json = `{"Event-Name":"CUSTOM","Event-Subclass":"test::deep","deep":${'['.repeat(n)}${']'.repeat(n)}}`;
    sim.injectRaw(`Content-Length: ${json.length}\nContent-Type: text/event-json\n\n${json}`);
    const e = await got;
    expect(e.toJSON()).toEqual({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'test::deep' });
    expect(client.stats).toMatchObject({ nestingCut: 1, handlerErrors: 0 });
  });

  it('applies filters and keeps background jobs flowing through them', async () => {
    await client.subscribe('ALL');
    const a = await client.originate({ dialString: 'user/1', app: 'park' });
    const b = await client.originate({ dialString: 'user/2', app: 'park' });
    await client.filter('Unique-ID', a);
    const seen = new Set<string>();
    client.on('CHANNEL_HANGUP_COMPLETE', (e) => seen.add(e.uuid!));
    await client.uuidKill(b);
    await client.uuidKill(a);
    await client.waitForEvent({ names: 'CHANNEL_HANGUP_COMPLETE', uuid: a, timeout: 2000 });
    expect([...seen]).toEqual([a]);
    // A bgapi result still arrives although a Unique-ID filter is on.
    expect((await client.bgapi('status')).ok).toBe(true);
  });

  it('receives log lines', async () => {
    await client.log(7);
    const line = new Promise<string>((r) => client.once('log', (l) => r(`${l.level} ${l.file}:${l.line}`)));
    await client.api('reloadxml');
    expect(await line).toBe('6 switch_time.c:1437');
  });

  it('rejects waitForEvent on timeout with EslTimeoutError', async () => {
    await expect(client.waitForEvent({ names: 'DTMF', timeout: 20 })).rejects.toBeInstanceOf(EslTimeoutError);
  });
});

describe('AsyncESLClient: reconnect', () => {
  it('reconnects after FreeSWITCH restarts, restores subscriptions and filters, handlers keep working', async () => {
    const c = newClient();
    await c.connect();
    await c.subscribe(['CHANNEL_CREATE', 'CUSTOM', 'app::ping'], 'json');
    await c.filter('Event-Name', 'CUSTOM');
    const pings: string[] = [];
    c.on('app::ping', (e) => pings.push(e.get('N')!));
    await sim.stop();
    const ready = new Promise<void>((r) => c.once('ready', r));
    await sim.start();
    await ready;
    const restored = sim.commands.slice(-3).map((x) => x.line);
    expect(restored).toEqual(['auth ClueCon', 'event json CHANNEL_CREATE CUSTOM app::ping', 'filter Event-Name CUSTOM']);
    const got = c.waitForEvent({ names: 'app::ping', timeout: 2000 });
    sim.emitEvent('CUSTOM', { 'Event-Subclass': 'app::ping', N: '1' });
    await got;
    expect(pings).toEqual(['1']);
  });

  it('fails a command in flight with EslConnectionError and never sends it again (esl-lite replay bug)', async () => {
    const c = newClient();
    await c.connect();
    sim.onCommand((cmd) => (cmd.line.startsWith('bgapi originate') ? 'drop' : undefined));
    const ready = new Promise<void>((r) => c.once('ready', r));
    const error = await c.originate({ dialString: 'user/1000', app: 'park' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EslConnectionError);
    await ready;
    sim.onCommand(undefined);
    expect((await c.api('status')).ok).toBe(true);
    expect(sim.commands.filter((x) => x.line.startsWith('bgapi originate'))).toHaveLength(1);
  });

  it('rejects commands at once while disconnected', async () => {
    const c = newClient({ maxReconnectAttempts: 0 });
    await c.connect();
    const gone = new Promise<void>((r) => c.once('disconnect', () => r()));
    sim.dropConnections();
    await gone;
    await expect(c.api('status')).rejects.toMatchObject({ code: 'ESL_NOT_CONNECTED' });
  });

  it('gives up after maxReconnectAttempts with an error event', async () => {
    const c = newClient({ maxReconnectAttempts: 2, reconnectDelay: 5 });
    await c.connect();
    const attempts: number[] = [];
    c.on('reconnecting', ({ attempt }) => attempts.push(attempt));
    const failed = new Promise<Error>((r) => c.once('error', r));
    await sim.stop();
    const error = await failed;
    expect(error).toBeInstanceOf(EslConnectionError);
    expect(error.message).toContain('after 2 attempts');
    expect(attempts).toEqual([1, 2]);
  });
});
