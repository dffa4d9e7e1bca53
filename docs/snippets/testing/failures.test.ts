import { AsyncESLClient, EslTimeoutError } from 'freeswitch-voice-ai';
import { FreeSwitchSimulator } from 'freeswitch-voice-ai/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';

let sim: FreeSwitchSimulator;
let client: AsyncESLClient;

beforeEach(async () => {
  sim = new FreeSwitchSimulator({ password: 'test-secret' });
  const { host, port } = await sim.start();
  client = new AsyncESLClient({ host, port, password: 'test-secret', reconnectDelay: 10 });
  await client.connect();
});

afterEach(async () => {
  await client.close();
  await sim.stop();
});

it('FreeSWITCH restarts: the client reconnects and its subscriptions come back', async () => {
  await client.subscribe(['CHANNEL_CREATE']);
  const ready = new Promise<void>((resolve) => client.once('ready', resolve));
  await sim.stop();                                               // "The system is being shut down."
  await sim.start();                                              // the same port: a fresh switch
  await ready;
  const created = client.waitForEvent({ names: ['CHANNEL_CREATE'], timeout: 2000 });
  const { uuid } = sim.placeCall({ destination: '9000' });
  expect((await created).uuid).toBe(uuid);
  expect(sim.commands.filter((c) => c.line === 'event plain CHANNEL_CREATE')).toHaveLength(2);
});

it('FreeSWITCH stuck in a long command: the client times out, and the late reply is never taken for the next one', async () => {
  sim.holdReplies(true);                                          // nothing is answered until released
  await expect(client.api('show calls', { timeout: 100 })).rejects.toBeInstanceOf(EslTimeoutError);
  sim.holdReplies(false);                                         // the late reply goes out, then the next command's
  expect((await client.api('uuid_exists 0000')).text).toBe('false');
  expect(client.stats?.lateReplies).toBe(1);
});
