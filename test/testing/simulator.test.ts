import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EslAuthError, EslCommandError, OriginateError } from '../../src/errors.js';
import { AsyncESLClient, type AsyncESLClientOptions } from '../../src/esl/client.js';
import type { EslEvent } from '../../src/esl/event.js';
import { eventOwnHeaders } from '../../src/esl/event-serializer.js';
import { FreeSwitchSimulator, type FreeSwitchSimulatorOptions } from '../../src/testing/index.js';

let sim: FreeSwitchSimulator;
const clients: AsyncESLClient[] = [];

async function start(options: FreeSwitchSimulatorOptions = {}): Promise<number> {
  await sim?.stop();
  sim = new FreeSwitchSimulator(options);
  return (await sim.start()).port;
}

function client(options: AsyncESLClientOptions = {}): AsyncESLClient {
  const c = new AsyncESLClient({ host: '127.0.0.1', port: sim.port, password: 'ClueCon', reconnectDelay: 10, maxReconnectAttempts: 0, ...options });
  clients.push(c);
  return c;
}

async function connected(options: AsyncESLClientOptions = {}): Promise<AsyncESLClient> {
  const c = client(options);
  await c.connect();
  return c;
}

beforeEach(async () => {
  await start();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await sim.stop();
});

describe('logging in', () => {
  it('accepts the password and records the auth command', async () => {
    const c = await connected();
    expect(c.isConnected).toBe(true);
    expect(sim.commands[0]!.line).toBe('auth ClueCon');
    expect(sim.connections).toBe(1);
  });

  it('a wrong password is one EslAuthError, no reconnect loop', async () => {
    const c = client({ password: 'nope', maxReconnectAttempts: 5 });
    const reconnects: number[] = [];
    c.on('reconnecting', ({ attempt }) => reconnects.push(attempt));
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EslAuthError);
    expect((error as EslAuthError).code).toBe('ESL_AUTH_FAILED');
    expect((error as EslAuthError).replyText).toBe('-ERR invalid');
    expect(reconnects).toEqual([]);
    expect(sim.commands.filter((x) => x.line.startsWith('auth'))).toHaveLength(1);
  });

  it('an ACL rejection is EslAuthError ESL_ACCESS_DENIED', async () => {
    await start({ acl: () => false });
    const error = await client().connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EslAuthError);
    expect(error).toMatchObject({ code: 'ESL_ACCESS_DENIED', replyText: 'Access Denied, go away.' });
    expect(sim.commands).toEqual([]);
  });

  it('userauth user@domain:password', async () => {
    await start({ users: { '1000@default': 'secret' } });
    await connected({ user: '1000@default', password: 'secret' });
    await expect(client({ user: '1000@default', password: 'wrong' }).connect()).rejects.toBeInstanceOf(EslAuthError);
    expect(sim.commands.map((x) => x.line)).toEqual(['userauth 1000@default:secret', 'userauth 1000@default:wrong']);
  });
});

describe('api, bgapi and originate', () => {
  it('api: status, uuid_exists, unknown commands', async () => {
    const c = await connected();
    const status = await c.status();
    expect([status.ready, status.maxSessions, status.sessions]).toEqual([true, 1000, 0]);
    expect(await c.uuidExists('00000000-0000-0000-0000-000000000000')).toBe(false);
    const unknown = await c.api('no_such_command');
    expect([unknown.ok, unknown.text]).toEqual([false, '-ERR no_such_command Command not found!']);
  });

  it('bgapi with our Job-UUID resolves with the BACKGROUND_JOB body', async () => {
    const c = await connected();
    const job = c.bgapi('status', { jobUuid: '5d1fbd0b-1111-4a4e-9c66-aaaaaaaaaaaa' });
    expect((await job.accepted).jobUuid).toBe('5d1fbd0b-1111-4a4e-9c66-aaaaaaaaaaaa');
    const result = await job;
    expect(result.body).toMatch(/^UP 0 years/);
    expect(sim.commands.at(-1)!.headers['Job-UUID']).toBe('5d1fbd0b-1111-4a4e-9c66-aaaaaaaaaaaa');
  });

  it('originate over loopback: two legs, the variables round-trip through the escaping', async () => {
    const c = await connected();
    const variables = { secretary_uuid: 'a,b c', note: "it's \\ 'quoted'", domain_name: 'demo.example', n: 7 };
    const uuid = await c.originate({ dialString: 'loopback/9000/default', app: 'park', variables });
    expect(await c.uuidGetvar(uuid, 'secretary_uuid')).toBe('a,b c');
    expect(await c.uuidGetvar(uuid, 'note')).toBe("it's \\ 'quoted'");
    expect(await c.uuidGetvar(uuid, 'n')).toBe('7');
    expect(await c.uuidGetvar(uuid, 'never_set')).toBeUndefined();
    const rows = await c.showChannels();
    expect(rows.map((r) => r.name)).toEqual(['loopback/9000-a', 'loopback/9000-b']);
    expect(rows[0]!.uuid).toBe(uuid);
    expect(sim.channels.get(uuid)!.currentApp?.name).toBe('park');
  });

  it('originate failures are OriginateError with the hangup cause', async () => {
    const c = await connected();
    const busy = await c.originate({ dialString: 'error/USER_BUSY', app: 'park' }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(OriginateError);
    expect((busy as OriginateError).hangupCause).toBe('USER_BUSY');
    const noRoute = await c.originate({ dialString: 'loopback/7777/nosuchcontext', app: 'park' }).catch((e: unknown) => e);
    expect((noRoute as OriginateError).hangupCause).toBe('NO_ROUTE_DESTINATION');
    expect(sim.channels.size).toBe(0);
  });

  it('uuid_getvar of a missing channel is EslCommandError -ERR No such channel!', async () => {
    const c = await connected();
    const error = await c.uuidGetvar('00000000-0000-0000-0000-000000000000', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EslCommandError);
    expect((error as EslCommandError).replyText).toBe('-ERR No such channel!');
  });

  it('uuid_setvar, uuid_kill with the whole hangup sequence of both legs', async () => {
    const c = await connected();
    await c.subscribe(['CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY']);
    const uuid = await c.originate({ dialString: 'loopback/9000/default', app: 'park' });
    await c.uuidSetvar(uuid, 'my_var', 'hello');
    const seen: string[] = [];
    c.on('*', (e) => seen.push(`${e.name}:${e.get('Channel-Name')}`));
    const done = c.waitForEvent({ names: 'CHANNEL_DESTROY', uuid: sim.channels.get(uuid)!.partner!, timeout: 2000 });
    await c.uuidKill(uuid, 'USER_BUSY');
    const last = await done;
    expect(seen).toEqual([
      'CHANNEL_HANGUP:loopback/9000-a', 'CHANNEL_HANGUP:loopback/9000-b', 'CHANNEL_HANGUP_COMPLETE:loopback/9000-a',
      'CHANNEL_HANGUP_COMPLETE:loopback/9000-b', 'CHANNEL_DESTROY:loopback/9000-a', 'CHANNEL_DESTROY:loopback/9000-b',
    ]);
    expect(last.getVariable('hangup_cause_q850')).toBe('17');
    await expect(c.uuidKill(uuid)).rejects.toBeInstanceOf(EslCommandError);
  });

  it('uuid_broadcast plays on the channel: +OK Message sent, then CHANNEL_EXECUTE and _COMPLETE', async () => {
    const c = await connected();
    await c.subscribe(['CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE']);
    const uuid = await c.originate({ dialString: 'user/1000', app: 'park' });
    const complete = c.waitForEvent({ names: 'CHANNEL_EXECUTE_COMPLETE', uuid, filter: (e) => e.application === 'playback', timeout: 2000 });
    expect(await c.uuidBroadcast(uuid, 'tone_stream://%(20,0,440)')).toBe('+OK Message sent');
    const e = await complete;
    expect([e.applicationResponse, e.get('Application-Data'), e.getVariable('playback_ms')]).toEqual(['FILE PLAYED', 'tone_stream://%(20,0,440)', '20']);
  });
});

describe('events', () => {
  it('plain, json and xml deliver the same event, decoded identically', async () => {
    const formats = ['plain', 'json', 'xml'] as const;
    const subscribers = await Promise.all(formats.map(() => connected()));
    await Promise.all(subscribers.map((c, i) => c.subscribe(['CHANNEL_CREATE', 'CUSTOM', 'sim::probe'], formats[i])));
    const got = subscribers.map((c) => c.waitForEvent({ names: 'CHANNEL_CREATE', timeout: 2000 }));
    const uuid = await subscribers[0]!.originate({ dialString: 'user/1000', app: 'park', variables: { caller: 'José: 100% <ok> & "q"' } });
    const events = await Promise.all(got);
    expect(events.map((e) => e.format)).toEqual(['plain', 'json', 'xml']);
    expect(events.map((e) => e.uuid)).toEqual([uuid, uuid, uuid]);
    const [plain, json, xml] = events.map((e) => eventOwnHeaders(e));
    expect(json).toEqual(plain);
    expect(xml).toEqual(plain);
    expect(events[2]!.getVariable('caller')).toBe('José: 100% <ok> & "q"');
    // A body survives all three formats too. (One ending in a newline would not, in XML:
    // FreeSWITCH indents the closing tag after it, and the core decoder keeps those blanks.)
    const bodies = subscribers.map((c) => c.waitForEvent({ names: 'sim::probe', timeout: 2000 }));
    sim.emitEvent('CUSTOM', { 'Event-Subclass': 'sim::probe', 'X-Value': 'a b' }, 'line 1\nline <2> & é');
    expect((await Promise.all(bodies)).map((e) => [e.body, e.get('X-Value')])).toEqual(Array(3).fill(['line 1\nline <2> & é', 'a b']));
  });

  it('sendevent with a multi-line body reaches every subscriber, headers as FreeSWITCH orders them', async () => {
    const [sender, receiver] = [await connected(), await connected()];
    await receiver.subscribe(['CUSTOM', 'voiceai::test'], 'plain');
    const got = receiver.waitForEvent({ names: 'voiceai::test', timeout: 2000 });
    const reply = await sender.sendevent('CUSTOM', { 'Event-Subclass': 'voiceai::test', 'X-Note': 'x' }, 'hello\nmulti-line\nbody here');
    const e = await got;
    expect(reply.text).toBe(`+OK ${e.get('Event-UUID')}`);
    expect(e.body).toBe('hello\nmulti-line\nbody here');
    expect([...e.headers.entries()].slice(0, 3).map(([k]) => k)).toEqual(['Event-Subclass', 'Command', 'X-Note']);
    expect(e.get('Event-Calling-Function')).toBe('parse_command');
  });

  it('filters: FreeSWITCH semantics (positive, negative, regex, delete), background jobs need their own filter', async () => {
    const c = await connected();
    await c.subscribe(['CUSTOM', 'f::a']);
    const seen: string[] = [];
    c.on('f::a', (e) => seen.push(e.get('N')!));
    const fire = (n: string, tag: string): void => void sim.emitEvent('CUSTOM', { 'Event-Subclass': 'f::a', N: n, Tag: tag });
    await c.filter('Tag', '/^keep-\\d+$/');
    await c.filter('N', '-3');
    for (const [n, tag] of [['1', 'keep-1'], ['2', 'drop'], ['3', 'keep-3'], ['4', 'KEEP-4']]) fire(n, tag!);
    await c.filterDelete('Tag');
    await c.filter('Tag', 'keep-5');
    fire('5', 'KEEP-5');
    await c.api('status');
    expect(seen).toEqual(['1', '5']);
    expect((await c.bgapi('status')).ok).toBe(true);
    expect(sim.commands.some((x) => x.line === 'filter Event-Name BACKGROUND_JOB')).toBe(true);
  });

  it('log lines arrive as log/data with FreeSWITCH headers, up to the asked level', async () => {
    const c = await connected();
    const lines: string[] = [];
    c.on('log', (l) => lines.push(`${l.level} ${l.file}:${l.line} ${l.func} ${l.text.replace(/^.*\] /, '')}`));
    await c.log(6);
    await c.api('reloadxml');
    sim.log(7, 'too verbose');
    sim.log(4, 'a warning', { file: 'mod_x.c', func: 'f', line: 12 });
    await c.api('status');
    expect(lines).toEqual(['6 switch_time.c:1437 switch_load_timezones switch_time.c:1437 Timezone reloaded 597 definitions\n', '4 mod_x.c:12 f mod_x.c:12 a warning\n']);
    await c.nolog();
    sim.log(0, 'not for us');
    await c.api('status');
    expect(lines).toHaveLength(2);
  });

  it('exit: +OK bye, the notice, the socket closes', async () => {
    const c = await connected();
    const reply = await c.send('exit\n\n');
    expect(reply.text).toBe('+OK bye');
    await new Promise<void>((r) => (sim.connections === 0 ? r() : sim.once('disconnect', () => r())));
  });

  it('sendmsg execute: Application-UUID is our Event-UUID; event-lock queues behind a running app', async () => {
    const c = await connected();
    await c.subscribe(['CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE']);
    const uuid = await c.originate({ dialString: 'user/1000', app: 'park' });
    const order: string[] = [];
    c.on('*', (e) => order.push(`${e.name === 'CHANNEL_EXECUTE' ? '+' : '-'}${e.application}`));
    const done = c.waitForEvent({ names: 'CHANNEL_EXECUTE_COMPLETE', filter: (e) => e.applicationUuid === 'b-uuid', timeout: 2000 });
    await c.execute(uuid, 'playback', 'silence_stream://30', { eventUuid: 'a-uuid' });
    await c.execute(uuid, 'set', 'x=1', { eventUuid: 'b-uuid', eventLock: true });
    await done;
    expect(order).toEqual(['+playback', '-playback', '+set', '-set']);
    expect(await c.uuidGetvar(uuid, 'x')).toBe('1');
  });
});
