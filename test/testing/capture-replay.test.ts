import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EslAuthError, EslCommandError } from '../../src/errors.js';
import { AsyncESLClient } from '../../src/esl/client.js';
import { EslConnection, type EslLogLine } from '../../src/esl/connection.js';
import type { EslEvent } from '../../src/esl/event.js';
import type { EslReply } from '../../src/esl/reply.js';
import { type CaptureReplayServer, replayCapture } from '../../src/testing/index.js';
import { loadCapture } from '../helpers/fixtures.js';

let server: CaptureReplayServer | undefined;
let client: AsyncESLClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.stop();
  client = undefined;
  server = undefined;
});

async function against(name: string, password = 'ClueCon'): Promise<AsyncESLClient> {
  server = await replayCapture(loadCapture(name));
  client = new AsyncESLClient({ host: server.host, port: server.port, password, maxReconnectAttempts: 0 });
  return client;
}

describe('our client against recorded FreeSWITCH traffic', () => {
  it('inbound-extras: client-chosen Job-UUID, _undef_, missing channel, empty api, unknown command, eval', async () => {
    const c = await against('inbound-extras');
    await c.connect();
    await c.subscribe(['BACKGROUND_JOB', 'CHANNEL_HANGUP_COMPLETE']);
    const job = await c.bgapi('status', { jobUuid: 'f8f247f6-07fa-43fc-aab1-30217e64d861' });
    expect(job.ok).toBe(true);
    expect(job.body).toBe(loadCapture('inbound-extras').steps[6]!.recv!.split('\n\n').at(-1));
    const uuid = '2f58f026-cc41-4810-b473-e77f2db59c81';
    expect((await c.api(`originate {origination_uuid=${uuid}}loopback/9000/default &park()`)).text).toBe(`+OK ${uuid}`);
    expect(await c.uuidGetvar(uuid, 'no_such_variable_here')).toBeUndefined();
    const missing = await c.uuidGetvar('00000000-0000-0000-0000-000000000000', 'x').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(EslCommandError);
    expect((missing as EslCommandError).replyText).toBe('-ERR No such channel!');
    const hungUp = c.waitForEvent({ names: 'CHANNEL_HANGUP_COMPLETE', uuid, timeout: 2000 });
    await c.uuidKill(uuid);
    expect((await hungUp).hangupCause).toBe('NORMAL_CLEARING');
    const empty = await c.send('api\n\n');
    expect([empty.contentType, empty.ok, empty.text]).toEqual(['command/reply', false, '-ERR command not found']);
    expect((await c.send('bogus_command here\n\n')).text).toBe('-ERR command not found');
    expect((await c.api('eval ${no_such_global}')).text).toBe('-ERR no reply');
    expect(server!.mismatches).toEqual([]);
  });

  it('inbound-auth-failure: a wrong password is an EslAuthError, once', async () => {
    const c = await against('inbound-auth-failure', 'not-the-password');
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EslAuthError);
    expect((error as EslAuthError).replyText).toBe('-ERR invalid');
    expect(server!.mismatches).toEqual([]);
    await server!.whenPlayed();
  });

  it('inbound-rude-rejection: an ACL rejection is an EslAuthError ESL_ACCESS_DENIED', async () => {
    const c = await against('inbound-rude-rejection');
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ESL_ACCESS_DENIED', replyText: 'Access Denied, go away.' });
  });

  it('inbound-session, command by command through EslConnection: replies, events in three formats, log, goodbye', async () => {
    const capture = loadCapture('inbound-session');
    server = await replayCapture(capture);
    const socket = connect(server.port, '127.0.0.1');
    const events: EslEvent[] = [];
    const logs: EslLogLine[] = [];
    let notice: string | undefined;
    let authRequested!: () => void;
    const requested = new Promise<void>((r) => (authRequested = r));
    let closed!: () => void;
    const gone = new Promise<void>((r) => (closed = r));
    const conn = new EslConnection(socket, {
      onEvent: (e) => events.push(e),
      onAuthRequest: () => authRequested(),
      onLog: (l) => logs.push(l),
      onDisconnectNotice: (_, text) => (notice = text),
      onClose: () => closed(),
    });
    await requested;
    const replies: EslReply[] = [];
    for (const step of capture.steps) if (step.send !== undefined) replies.push(await conn.send(step.send, { timeout: 2000 }));
    await gone;
    const text = (command: string): string => replies[capture.steps.filter((s) => s.send !== undefined).findIndex((s) => s.send!.startsWith(command))]!.text;
    expect(text('api uuid_getvar 15a66b70')).toBe('a'); // `secretary_uuid='a,b c'`: quotes do not protect the comma
    expect(text('api uuid_kill 15a66b70-9789-4f0d-9e7c-de97bbe8eac6\n')).toBe('-ERR No such channel!');
    expect(text('api show channels')).toBe('{"row_count": 0}');
    expect(text('api originate error/USER_BUSY')).toBe('-ERR USER_BUSY');
    expect(text('exit')).toBe('+OK bye');
    expect(replies.filter((r) => r.ok).length).toBeGreaterThan(30);
    const formats = new Map<string, number>();
    for (const e of events) formats.set(e.format, (formats.get(e.format) ?? 0) + 1);
    expect(Object.fromEntries(formats)).toEqual({ plain: 22, json: 7, xml: 4 });
    const custom = events.find((e) => e.name === 'CUSTOM')!;
    expect([custom.subclass, custom.body, custom.get('X-Note')]).toEqual(['voiceai::test', 'hello\nmulti-line\nbody here', 'line one\nline two']);
    expect(events.find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.format === 'json')!.hangupCause).toBe('NORMAL_CLEARING');
    expect(logs.map((l) => [l.level, l.file, l.line])).toEqual([[6, 'switch_time.c', 1437]]);
    expect(notice).toBe('Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n');
    expect(server.mismatches).toEqual([]);
    expect(server.playedCount).toBe(1);
  });

  it('records a client that strays from the recording and closes it; every connection starts from the top', async () => {
    server = await replayCapture(loadCapture('inbound-extras'));
    client = new AsyncESLClient({ host: server.host, port: server.port, password: 'ClueCon', maxReconnectAttempts: 0 });
    await client.connect();
    const reply = await client.api('status').catch((e: unknown) => e);
    expect(reply).toBeInstanceOf(Error);
    expect(server.mismatches).toEqual([{ step: 3, expected: 'event plain BACKGROUND_JOB CHANNEL_HANGUP_COMPLETE\n\n', received: 'api status\n\n' }]);
    const again = new AsyncESLClient({ host: server.host, port: server.port, password: 'ClueCon', maxReconnectAttempts: 0 });
    await again.connect();
    await again.close();
  });
});
