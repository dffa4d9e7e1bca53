import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { ulawEncode } from '../../src/media/g711.js';
import type { RealtimeProvider } from '../../src/realtime/provider.js';
import { DeepgramVoiceAgentProvider } from '../../src/realtime/providers/deepgram.js';
import { ElevenLabsAgentProvider } from '../../src/realtime/providers/elevenlabs.js';
import { RealtimeSession, type RealtimeSessionOptions } from '../../src/realtime/session.js';
import { hangupCallTool, transferCallTool } from '../../src/realtime/tools.js';
import { useCallHarness } from '../helpers/call-harness.js';
import { tone } from '../helpers/signal.js';
import { DeepgramMockServer } from './deepgram-mock-server.js';
import { ElevenLabsMockServer } from './elevenlabs-mock-server.js';

// One whole call per vendor: the FreeSWITCH simulator (ESL + unicast over UDP) on one side, a
// local server speaking the vendor's protocol on the other, a RealtimeSession in between. On a
// PCMU call both vendors get µ-law 8 kHz: the bytes must pass through unchanged both ways.

const h = useCallHarness();
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** µ-law "speech" that is not silence (so no byte is mistaken for padding): a 400 Hz tone. */
function speech(ms: number, hz = 400): Buffer {
  return Buffer.from(ulawEncode(tone(hz, 8000, ms / 1000, 8000)));
}

async function call(provider: RealtimeProvider, callerAudio: Int16Array, options: Partial<RealtimeSessionOptions>): Promise<{ session: RealtimeSession; call: OutboundCall; uuid: string }> {
  const arrived = new Promise<OutboundCall>((resolve) => h.server.once('call', resolve));
  const channel = h.sim.callSocket({ port: h.server.address()!.port }, { codec: 'PCMU', callerAudio });
  const c = await arrived;
  const session = new RealtimeSession({ call: c, provider, instructions: '', media: { ports: h.ports, freeswitchPort: (p) => p + 4 }, ...options });
  await session.start();
  return { session, call: c, uuid: channel.uuid };
}

/**
 * Checks that the vendor received the caller's µ-law frames untouched: every 160-byte frame is
 * either one of the caller's frames, in order, or a frame of silence the bridge's jitter buffer
 * played out while it filled or ran dry (real time on a loaded machine). Returns how many of the
 * caller's frames passed.
 */
function callerFramesPassed(heard: Buffer, caller: Buffer): number {
  const silence = Buffer.alloc(160, 0xff);
  let next = 0;
  let passed = 0;
  for (let at = 0; at + 160 <= heard.length; at += 160) {
    const frame = heard.subarray(at, at + 160);
    if (frame.equals(silence)) continue;
    let k = next;
    while (k * 160 < caller.length && !caller.subarray(k * 160, k * 160 + 160).equals(frame)) k++;
    expect(k * 160, `frame at byte ${at} is not one of the caller's frames`).toBeLessThan(caller.length);
    next = k + 1;
    passed++;
  }
  return passed;
}

/** What FreeSWITCH received from the session, concatenated, once at least `bytes` arrived. */
async function heardBySwitch(uuid: string, bytes: number): Promise<Buffer> {
  const unicast = h.sim.unicast(uuid)!;
  await unicast.waitForReceived(Math.ceil(bytes / 160));
  return Buffer.concat(unicast.received.map((d) => d.data));
}

describe('a whole call through the simulator', () => {
  it('ElevenLabs: µ-law passthrough both ways, then the agent’s end_call hangs up after the farewell has played', async () => {
    const mock = new ElevenLabsMockServer({ input: 'ulaw_8000', output: 'ulaw_8000' });
    servers.push(mock);
    const provider = new ElevenLabsAgentProvider({ agentId: 'agent_1', requiresAuth: false, baseUrl: await mock.origin(), answerGapMs: 100 });
    const callerAudio = tone(300, 8000, 1);
    const { session, call: c, uuid } = await call(provider, callerAudio, { tools: [hangupCallTool()] });
    const ended = new Promise<{ reason: string }>((r) => session.once('ended', r));
    expect([provider.inputFormat, provider.outputFormat]).toEqual([{ encoding: 'mulaw', sampleRate: 8000 }, { encoding: 'mulaw', sampleRate: 8000 }]);

    // The caller's µ-law frames reach ElevenLabs untouched.
    const caller = Buffer.from(ulawEncode(callerAudio));
    expect(callerFramesPassed(await mock.waitForAudio(4800), caller)).toBeGreaterThan(10);

    // The agent's first message reaches FreeSWITCH untouched, in 20 ms frames.
    const greeting = speech(400);
    mock.agentResponse(1, 'Olá, em que posso ajudar?');
    mock.audioEvent(1, greeting.subarray(0, 1600));
    mock.audioEvent(1, greeting.subarray(1600));
    const played = await heardBySwitch(uuid, greeting.length);
    expect(played.subarray(0, greeting.length)).toEqual(greeting);
    expect(h.sim.unicast(uuid)!.received.every((d) => d.data.length === 160)).toBe(true);

    // The agent says goodbye and ends the call; ElevenLabs closes the conversation.
    const farewell = speech(600, 500);
    mock.agentResponse(2, 'Até logo!');
    mock.audioEvent(2, farewell);
    mock.endCall(2);
    mock.socket!.close(1000, 'end_call');
    expect((await ended).reason).toBe('tool-hangup');
    expect(c.isActive).toBe(false);
    const all = Buffer.concat(h.sim.unicast(uuid)!.received.map((d) => d.data));
    expect(all.subarray(greeting.length, greeting.length + farewell.length)).toEqual(farewell); // heard in full before the hang-up
    expect(session.metrics.transcript.map((t) => t.text)).toEqual(['Olá, em que posso ajudar?', 'Até logo!']);
  });

  it('Deepgram: µ-law passthrough both ways, mid-call control, barge-in flushes the answer, and a transfer tool call reaches FreeSWITCH', async () => {
    const mock = new DeepgramMockServer();
    servers.push(mock);
    const provider = new DeepgramVoiceAgentProvider({ apiKey: 'dg-test', url: await mock.ready() });
    const callerAudio = tone(300, 8000, 1);
    const { session, uuid } = await call(provider, callerAudio, { tools: [transferCallTool()] });
    const ended = new Promise<{ reason: string }>((r) => session.once('ended', r));
    const settings = await mock.waitFor('Settings');
    expect(settings.audio).toEqual({ input: { encoding: 'mulaw', sample_rate: 8000 }, output: { encoding: 'mulaw', sample_rate: 8000, container: 'none' } });

    const caller = Buffer.from(ulawEncode(callerAudio));
    expect(callerFramesPassed(await mock.waitForAudio(4800), caller)).toBeGreaterThan(10);

    // Mid-call control goes to Deepgram natively.
    await session.updateInstructions('The caller is a VIP: be brief.');
    expect((await mock.waitFor('UpdateThink')).think).toMatchObject({ prompt: 'The caller is a VIP: be brief.' });
    session.say('Um momento, por favor.');
    expect(await mock.waitFor('InjectAgentMessage')).toEqual({ type: 'InjectAgentMessage', message: 'Um momento, por favor.', behavior: 'queue' });

    // A long answer arrives faster than real time; the caller speaks over it.
    const answer = speech(3000);
    mock.agentStartedSpeaking();
    for (let at = 0; at < answer.length; at += 4000) mock.sendAudio(answer.subarray(at, at + 4000));
    const first = await heardBySwitch(uuid, 800);
    expect(first.subarray(0, 800)).toEqual(answer.subarray(0, 800));
    const barge = new Promise<{ playedMs: number; droppedMs: number }>((r) => session.once('bargeIn', r));
    mock.userStartedSpeaking();
    mock.sendAudio(speech(500, 700)); // late audio of the cut answer: never played
    const { playedMs, droppedMs } = await barge;
    expect(playedMs).toBeGreaterThan(0);
    expect(droppedMs).toBeGreaterThan(1000);
    await mock.sync();
    expect(provider.droppedAudioChunks).toBe(1);

    // The caller asks for Maria; the agent transfers.
    mock.conversationText('user', 'Quero falar com a Maria');
    mock.functionCallRequest([{ id: 'f1', name: 'transfer_call', arguments: '{"destination":"1001"}', client_side: true }]);
    const transfer = await h.sim.waitForCommand((cmd) => cmd.line.startsWith('api uuid_transfer'), 5000);
    expect(transfer.line).toBe(`api uuid_transfer ${uuid} 1001 XML default`);
    expect((await ended).reason).toBe('transferred');
    const all = Buffer.concat(h.sim.unicast(uuid)!.received.map((d) => d.data));
    expect(all.length).toBeLessThan(answer.length); // the rest of the answer was flushed
    expect(all).toEqual(answer.subarray(0, all.length)); // and nothing of the late audio was played
  });
});
