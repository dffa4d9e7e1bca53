import { afterEach, describe, expect, it } from 'vitest';
import { EslAuthError, EslCommandError } from '../../src/errors.js';
import { AsyncESLClient } from '../../src/esl/client.js';
import { CaptureReplayServer } from '../../src/testing/index.js';
import { loadCapture } from '../helpers/fixtures.js';

let server: CaptureReplayServer | undefined;
let client: AsyncESLClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.stop();
  client = undefined;
});

async function against(name: string, password = 'ClueCon'): Promise<AsyncESLClient> {
  server = new CaptureReplayServer(loadCapture(name));
  const { host, port } = await server.start();
  client = new AsyncESLClient({ host, port, password, maxReconnectAttempts: 0 });
  return client;
}

describe('our client against recorded FreeSWITCH traffic', () => {
  it('inbound-extras: client-chosen Job-UUID, _undef_, missing channel, empty api, unknown command, eval', async () => {
    const c = await against('inbound-extras');
    await c.connect();
    await c.subscribe(['BACKGROUND_JOB', 'CHANNEL_HANGUP_COMPLETE']);
    const job = await c.bgapi('status', { jobUuid: 'f8f247f6-07fa-43fc-aab1-30217e64d861' });
    expect(job.ok).toBe(true);
    expect(job.body).toContain('is ready');
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
  });

  it('inbound-rude-rejection: an ACL rejection is an EslAuthError ESL_ACCESS_DENIED', async () => {
    const c = await against('inbound-rude-rejection');
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ESL_ACCESS_DENIED', replyText: 'Access Denied, go away.' });
  });
});
