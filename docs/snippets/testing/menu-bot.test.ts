import type { OutboundCall, OutboundServer } from 'freeswitch-voice-ai';
import { FreeSwitchSimulator } from 'freeswitch-voice-ai/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createMenuBot } from './menu-bot.js';

let sim: FreeSwitchSimulator;
let bot: OutboundServer;

beforeEach(async () => {
  sim = new FreeSwitchSimulator({ playback: { defaultMs: 100 } }); // every prompt plays 100 ms
  await sim.start();                                              // 127.0.0.1, a free port
  bot = createMenuBot({ host: '127.0.0.1', port: 0 }, { digitTimeoutMs: 300 });
  await bot.listen();
});

afterEach(async () => {
  await bot.close();
  await sim.stop();                                               // closes every socket and timer it opened
});

/** 1000 dials 8000; the dialplan answers and runs `socket <bot> async full`. */
function dial(): { uuid: string; arrived: Promise<OutboundCall> } {
  const arrived = new Promise<OutboundCall>((resolve) => bot.once('call', resolve));
  const { uuid } = sim.callSocket({ port: bot.address()!.port }, { callerIdNumber: '1000', destination: '8000' });
  return { uuid, arrived };
}

/** The applications the bot ran on the call, as `name arg`. */
const apps = (): string[] =>
  sim.commands.filter((c) => c.headers['execute-app-name']).map((c) => `${c.headers['execute-app-name']} ${c.headers['execute-app-arg'] ?? ''}`.trim());

const welcome = (c: { headers: Record<string, string> }): boolean => c.headers['execute-app-arg'] === 'ivr/ivr-welcome.wav';

it('sends the caller who presses 1 during the welcome to sales', async () => {
  const { uuid } = dial();
  await sim.waitForCommand(welcome);                              // the bot asked for the prompt
  sim.sendDtmf(uuid, '1');
  const transfer = await sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'));
  expect(transfer.line).toBe(`api uuid_transfer ${uuid} 1001 XML default`);
  expect(apps()).toEqual(['answer', 'playback ivr/ivr-welcome.wav']);
});

it('says goodbye and hangs up when nothing is pressed', async () => {
  const { arrived } = dial();
  const { cause } = await (await arrived).ended();
  expect(cause).toBe('NORMAL_CLEARING');
  expect(apps()).toEqual(['answer', 'playback ivr/ivr-welcome.wav', 'playback ivr/ivr-thank_you.wav']);
  expect(sim.commands.filter((c) => c.headers['call-command'] === 'hangup')).toHaveLength(1);
});

it('stops quietly when the caller hangs up during the welcome', async () => {
  const { uuid, arrived } = dial();
  await sim.waitForCommand(welcome);
  sim.hangup(uuid, 'ORIGINATOR_CANCEL');                          // as the caller's phone would
  expect((await (await arrived).ended()).cause).toBe('ORIGINATOR_CANCEL');
  expect(apps()).toEqual(['answer', 'playback ivr/ivr-welcome.wav']); // nothing after the hangup
  expect(bot.stats.handlerErrors).toBe(0);
});
