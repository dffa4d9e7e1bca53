import { randomUUID } from 'node:crypto';
import { type OutboundCall, ScriptedProvider, WebSocketMediaServer } from 'freeswitch-voice-ai';
import { FreeSwitchSimulator, SimulatedAudioStreamModules } from 'freeswitch-voice-ai/testing';
import { expect, it } from 'vitest';
import { createVoiceBot } from './voice-bot.js';

it('the same bot over mod_audio_stream: the caller streamed over a WebSocket, the answers played as files', async () => {
  const modules = new SimulatedAudioStreamModules();              // mod_audio_stream and mod_audio_fork
  const sim = new FreeSwitchSimulator({ api: modules.api, playback: modules.playback() });
  modules.attach(sim);
  await sim.start();
  const media = new WebSocketMediaServer({ host: '127.0.0.1', port: 0 }); // where the module connects
  await media.listen();
  const bot = createVoiceBot({
    server: { host: '127.0.0.1', port: 0 },
    media: { mode: 'websocket', websocket: { server: media } },  // what AUDIO_MODE=websocket picks
    provider: () => new ScriptedProvider({ greeting: 'ACME, good morning.' }),
  });
  await bot.listen();
  try {
    const uuid = randomUUID();
    modules.setCallerAudio(uuid, new Int16Array(8000 * 3));       // three seconds of a silent caller
    const arrived = new Promise<OutboundCall>((resolve) => bot.once('call', resolve));
    sim.callSocket({ port: bot.address()!.port }, { uuid });
    const stream = await modules.waitForStream(uuid);             // `uuid_audio_stream <uuid> start ws://...`
    expect(stream.params.module).toBe('mod_audio_stream');
    await sim.waitForEvent('PLAYBACK_STOP', uuid);                 // the greeting's first file has played
    const [first] = modules.playbacksOf(uuid);                    // the answer, as raw files played in order
    expect(first).toMatchObject({ how: 'done', path: expect.stringMatching(/\.r8$/) });
    expect(first!.samples.some((x) => x !== 0)).toBe(true);
    expect(stream.framesSent).toBeGreaterThan(10);                // the caller's audio reached the bot
    sim.hangup(uuid);
    await (await arrived).ended();
  } finally {
    await bot.close();
    await media.close();
    await sim.stop();
    modules.cleanup();                                            // the module's temporary files
  }
});
