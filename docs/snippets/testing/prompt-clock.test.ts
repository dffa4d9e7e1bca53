import type { OutboundCall } from 'freeswitch-voice-ai';
import { FreeSwitchSimulator, ManualClock } from 'freeswitch-voice-ai/testing';
import { expect, it } from 'vitest';
import { createMenuBot } from './menu-bot.js';

it('a 30-second welcome takes no time: the test moves the clock', async () => {
  const clock = new ManualClock();
  const sim = new FreeSwitchSimulator({ clock, playback: { defaultMs: 30_000 } });
  await sim.start();
  const bot = createMenuBot({ host: '127.0.0.1', port: 0 }, { digitTimeoutMs: 60_000 });
  await bot.listen();
  try {
    const arrived = new Promise<OutboundCall>((resolve) => bot.once('call', resolve));
    const { uuid } = sim.callSocket({ port: bot.address()!.port });
    await sim.waitForEvent('PLAYBACK_START', uuid);               // FreeSWITCH started the prompt (clock time 0)
    clock.advance(10_000);                                        // 10 s into it ...
    sim.sendDtmf(uuid, '1');                                      // ... the caller presses 1: the prompt goes on
    expect((await arrived).runningApplications).toEqual(['playback']);
    clock.advance(20_000);                                        // the prompt ends: the bot acts on the digit
    const transfer = await sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'));
    expect(transfer.line).toBe(`api uuid_transfer ${uuid} 1001 XML default`);
  } finally {
    await bot.close();
    await sim.stop();
  }
});
