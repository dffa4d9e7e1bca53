import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OutboundCall, type OutboundServer, ScriptedProvider } from 'freeswitch-voice-ai';
import { FreeSwitchSimulator, recordingOf, wavFile, wavSamples } from 'freeswitch-voice-ai/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createVoiceBot } from './voice-bot.js';

let sim: FreeSwitchSimulator;
let bot: OutboundServer;

beforeEach(async () => {
  sim = new FreeSwitchSimulator({ recordAudio: true });           // keep what the caller sent, for recordingOf
  await sim.start();
  bot = createVoiceBot({
    server: { host: '127.0.0.1', port: 0 },
    // The model's part, scripted: greet, then answer the caller's first sentence with a transfer.
    provider: () =>
      new ScriptedProvider({
        greeting: 'ACME, good morning.',
        turns: [{ heard: 'Sales, please.', say: 'Putting you through.', tool: { name: 'transfer_call', args: { destination: '1001' } } }],
      }),
  });
  await bot.listen();
});

afterEach(async () => {
  await bot.close();
  await sim.stop();
});

/** Silence for `ms`, then `voice`: the caller lets the greeting play first. */
function after(ms: number, voice: Int16Array): Int16Array {
  const audio = new Int16Array(8 * ms + voice.length);
  audio.set(voice, 8 * ms);
  return audio;
}

it('hears a recorded caller, answers, and puts them through to sales', async () => {
  const sentence = wavSamples('test/fixtures/audio/caller-en-8k.wav').subarray(0, 1.6 * 8000); // its first 1.6 s
  const arrived = new Promise<OutboundCall>((resolve) => bot.once('call', resolve));
  const { uuid } = sim.callSocket({ port: bot.address()!.port }, { codec: 'PCMU', callerAudio: after(1500, sentence) });
  const unicast = await sim.waitForUnicast(uuid);                 // the bot sent `unicast`: audio flows both ways
  const leaves = sim.waitForEvent('CHANNEL_UNPARK', uuid, 10_000); // the transfer takes the call out of the bot's park
  const transfer = await sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'), 10_000);
  expect(transfer.line).toBe(`api uuid_transfer ${uuid} 1001 XML default`);
  await leaves;
  expect(sim.channels.get(uuid)?.profile.destinationNumber).toBe('1001');
  sim.hangup(uuid);                                               // the caller hangs up after talking to sales
  const call = await arrived;
  await call.ended();
  expect(call.handedOff).toBe('transfer');                        // so the bot never hung up on them

  // What FreeSWITCH received: 20 ms of µ-law per datagram (`native` on a PCMU call), from the bot's port.
  expect(unicast.params.native).toBe(true);
  expect(unicast.received.length).toBeGreaterThan(50);            // the greeting and the answer, 1 s and more
  expect(unicast.received.every((d) => d.data.length === 160)).toBe(true);
  expect(new Set(unicast.received.map((d) => d.from))).toEqual(new Set([`${unicast.params.remoteIp}:${unicast.params.remotePort}`]));

  // Both sides on one timeline, as a stereo WAV to listen to (left the caller, right the bot).
  const { caller, application, durationMs } = recordingOf(unicast);
  expect(durationMs).toBeGreaterThan(2500);
  writeFileSync(join(tmpdir(), `call-${uuid}.wav`), wavFile([caller, application]));
});
