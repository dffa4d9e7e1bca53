import { createOutboundServer, type OutboundCall, RealtimeSession, transferCallTool } from 'freeswitch-voice-ai';
import { FreeSwitchSimulator } from 'freeswitch-voice-ai/testing';
import { expect, it } from 'vitest';
import { ExampleVoiceProvider } from './example-voice-provider.js';
import { ExampleVoiceServer } from './example-voice-server.js';

/** µ-law "speech": a tone, so that no byte is mistaken for silence. */
const speech = (ms: number): Buffer => Buffer.from(Array.from({ length: 8 * ms }, (_, i) => [0x0f, 0x1f, 0x2f, 0x1f][i % 4]!));

it('a whole call: the caller reaches the vendor and its answer the caller, µ-law untouched, then a transfer reaches FreeSWITCH', async () => {
  const vendor = new ExampleVoiceServer('test-key');
  const sim = new FreeSwitchSimulator();
  await sim.start();
  const bot = createOutboundServer({ host: '127.0.0.1', port: 0 });
  const { port } = await bot.listen();
  try {
    const arrived = new Promise<OutboundCall>((resolve) => bot.once('call', resolve));
    const { uuid } = sim.callSocket({ port }, { codec: 'PCMU' });
    const call = await arrived;
    const provider = new ExampleVoiceProvider({ url: await vendor.url(), apiKey: 'test-key' });
    const session = new RealtimeSession({ call, provider, instructions: 'Be brief.', greeting: 'Greet the caller.', tools: [transferCallTool()] });
    const ended = new Promise<{ reason: string }>((resolve) => session.once('ended', resolve));
    await session.start();

    // The session asked for µ-law (a PCMU call), sent the greeting turn, and streams the caller.
    expect(await vendor.waitFor('session.start')).toMatchObject({ audio: 'mulaw_8000', tools: [{ name: 'transfer_call' }] });
    expect(await vendor.waitFor('text')).toEqual({ type: 'text', text: 'Greet the caller.' });
    await vendor.waitForAudio(1600);                              // 200 ms of the caller, 160 bytes a frame

    // The greeting reaches FreeSWITCH byte for byte, in 20 ms datagrams.
    const greeting = speech(600);
    vendor.speak('r1', greeting, 3);
    vendor.send({ type: 'transcript', role: 'assistant', text: 'ACME, good morning.', response_id: 'r1' });
    vendor.send({ type: 'response.done', response_id: 'r1', status: 'completed' });
    const unicast = sim.unicast(uuid)!;
    await unicast.waitForReceived(greeting.length / 160);
    expect(Buffer.concat(unicast.received.map((d) => d.data)).subarray(0, greeting.length)).toEqual(greeting);

    // The caller asks for sales; the answer calls transfer_call; FreeSWITCH gets the transfer after the goodbye.
    vendor.send({ type: 'speech.started' });
    vendor.send({ type: 'speech.stopped' });
    vendor.send({ type: 'transcript', role: 'user', text: 'Sales, please.' });
    vendor.speak('r2', speech(300));
    vendor.send({ type: 'response.tool_call', response_id: 'r2', call_id: 'c1', name: 'transfer_call', arguments: '{"destination":"1001"}' });
    vendor.send({ type: 'response.done', response_id: 'r2', status: 'completed' });
    const transfer = await sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'));
    expect(transfer.line).toBe(`api uuid_transfer ${uuid} 1001 XML default`);
    expect((await ended).reason).toBe('transferred');
    expect(session.metrics.transcript.map((t) => `${t.role}: ${t.text}`)).toEqual(['assistant: ACME, good morning.', 'user: Sales, please.']);
    expect(vendor.received).toContainEqual({ type: 'tool.result', call_id: 'c1', output: expect.stringContaining('"transferring":"1001"') });
  } finally {
    await bot.close();
    await sim.stop();
    await vendor.close();
  }
});
