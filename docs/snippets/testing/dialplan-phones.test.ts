import { AsyncESLClient, type OutboundCall, OriginateError } from 'freeswitch-voice-ai';
import { FreeSwitchSimulator } from 'freeswitch-voice-ai/testing';
import { afterEach, expect, it } from 'vitest';
import { createMenuBot } from './menu-bot.js';

/** The extension you install on FreeSWITCH, with the bot's port. */
const dialplan = (port: number): string => `
<context name="default">
  <extension name="menu" continue="false">
    <condition field="destination_number" expression="^(8\\d{3})$">
      <action application="set" data="domain_uuid=6c1a0e9e-5b8f-4f3e-9d2a-1c0b7e4d2f10"/>
      <action application="answer"/>
      <action application="socket" data="127.0.0.1:${port} async full"/>
      <action application="transfer" data="operator XML default"/>
    </condition>
  </extension>
  <extension name="operator">
    <condition field="destination_number" expression="^operator$">
      <action application="playback" data="ivr/ivr-hold_connect_call.wav"/>
    </condition>
  </extension>
</context>`;

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

it('routes a call with your XML dialplan to the bot, with the variables it sets', async () => {
  const bot = createMenuBot({ host: '127.0.0.1', port: 0 }, { digitTimeoutMs: 100 });
  const { port } = await bot.listen();
  const sim = new FreeSwitchSimulator({ dialplanXml: dialplan(port), playback: { defaultMs: 50 } });
  await sim.start();
  cleanup.push(() => sim.stop(), () => bot.close());
  const arrived = new Promise<OutboundCall>((resolve) => bot.once('call', resolve));
  sim.placeCall({ destination: '8123', callerIdNumber: '5511999990000' }); // a SIP phone dials 8123
  const call = await arrived;
  expect(call.channel.destinationNumber).toBe('8123');
  expect(call.channel.domainUuid).toBe('6c1a0e9e-5b8f-4f3e-9d2a-1c0b7e4d2f10');
});

it('keeps the caller when the bot is down: the dialplan goes on to the operator', async () => {
  const down = createMenuBot({ host: '127.0.0.1', port: 0 });
  const { port } = await down.listen();
  await down.close();                                             // nothing listens on that port now
  const sim = new FreeSwitchSimulator({ dialplanXml: dialplan(port) });
  await sim.start();
  cleanup.push(() => sim.stop());
  const channel = sim.placeCall({ destination: '8000' });
  const hold = await sim.waitForEvent('PLAYBACK_START', channel.uuid); // `socket` failed, `transfer` ran
  expect(hold.headers).toContainEqual(['Playback-File-Path', 'ivr/ivr-hold_connect_call.wav']);
  expect(channel.profile.destinationNumber).toBe('operator');
});

it('rings registered phones: an originate to a busy one fails with USER_BUSY', async () => {
  const sim = new FreeSwitchSimulator({ password: 'test-secret' });
  const { host, port } = await sim.start();
  sim.phones.register({ user: '1001', domain: 'acme.example.com', ringMs: 50 });               // answers after 50 ms
  sim.phones.register({ user: '1002', domain: 'acme.example.com', behavior: 'busy', ringMs: 50 });
  const client = new AsyncESLClient({ host, port, password: 'test-secret' });
  await client.connect();
  cleanup.push(() => sim.stop(), () => client.close());

  const uuid = await client.originate({ dialString: 'user/1001@acme.example.com', app: 'park' });
  expect(await client.uuidExists(uuid)).toBe(true);
  const busy = client.originate({ dialString: 'user/1002@acme.example.com', app: 'park' });
  await expect(busy).rejects.toBeInstanceOf(OriginateError);
  await expect(busy).rejects.toMatchObject({ hangupCause: 'USER_BUSY' });
  const nobody = client.originate({ dialString: 'user/1003@acme.example.com', app: 'park' });
  await expect(nobody).rejects.toMatchObject({ hangupCause: 'USER_NOT_REGISTERED' });
  expect((await client.api('sofia_contact 1001@acme.example.com')).text).toBe('sofia/internal/sip:1001@127.0.0.1:5060');
});
