import { describe, expect, it } from 'vitest';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { getMediaClock } from '../../src/media/media-clock.js';
import { ScriptedProvider } from '../../src/realtime/providers/scripted.js';
import { RealtimeSession, type RealtimeSessionOptions } from '../../src/realtime/session.js';
import { defineTool, hangupCallTool, transferCallTool } from '../../src/realtime/tools.js';
import { useCallHarness } from '../helpers/call-harness.js';

/** What the caller says: silence, then `speechMs` of voice at `atMs`, then silence. */
function callerSpeech(atMs: number, speechMs: number, totalMs = atMs + speechMs + 2000): Int16Array {
  return Int16Array.from({ length: (totalMs * 8000) / 1000 }, (_, i) => {
    const ms = (i * 1000) / 8000;
    return ms >= atMs && ms < atMs + speechMs ? Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)) : 0;
  });
}

const h = useCallHarness();

async function session(
  callerAudio: Int16Array,
  provider: ScriptedProvider,
  options: Partial<RealtimeSessionOptions> = {},
): Promise<{ session: RealtimeSession; call: OutboundCall; uuid: string }> {
  const arrived = new Promise<OutboundCall>((resolve) => h.server.once('call', resolve));
  const channel = h.sim.callSocket({ port: h.server.address()!.port }, { codec: 'PCMU', callerAudio });
  const call = await arrived;
  const s = new RealtimeSession({
    call,
    provider,
    instructions: 'You are a secretary.',
    media: { ports: h.ports, freeswitchPort: (p) => p + 4 },
    ...options,
  });
  await s.start();
  return { session: s, call, uuid: channel.uuid };
}

function ended(s: RealtimeSession): Promise<{ reason: string }> {
  return new Promise((resolve) => s.once('ended', resolve));
}

describe('RealtimeSession through the simulator', () => {
  it('greets, answers the caller, and a transfer tool call reaches FreeSWITCH as uuid_transfer', async () => {
    const provider = new ScriptedProvider({
      greeting: 'Hello',
      turns: [{ say: 'Transferring you', tool: { name: 'transfer_call', args: { destination: '1001' } } }],
    });
    const { session: s, uuid } = await session(callerSpeech(800, 600), provider, { greeting: 'greet', tools: [transferCallTool()] });
    const done = ended(s);
    const transfer = await h.sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'), 8000);
    expect(transfer.line).toBe(`api uuid_transfer ${uuid} 1001 XML default`);
    expect((await done).reason).toBe('transferred');
    const unicast = h.sim.unicast(uuid)!;
    expect(unicast.received.length).toBeGreaterThan(10);
    expect(unicast.received.every((d) => d.data.length === 160)).toBe(true);
    expect(s.metrics.timeToFirstAudioMs).toBeGreaterThan(0);
    expect(s.metrics.transcript.map((t) => t.text)).toEqual(['Hello', 'Transferring you']);
  });

  it('barge-in: queued audio stops within a frame, the provider learns what was heard, and the next answer plays', async () => {
    const provider = new ScriptedProvider({ greeting: 'x'.repeat(80), turns: [{ say: 'Sure, how can I help?' }], maxUtteranceMs: 4000 });
    const { session: s, uuid } = await session(callerSpeech(700, 500), provider, { greeting: 'greet', bargeIn: { protectGreetingMs: 0 } });
    const barge = await new Promise<{ playedMs: number; droppedMs: number; latencyMs: number }>((resolve) => s.once('bargeIn', resolve));
    const unicast = h.sim.unicast(uuid)!;
    const atBarge = unicast.received.length;
    expect(barge.playedMs).toBeGreaterThan(0);
    expect(barge.droppedMs).toBeGreaterThan(1000);
    expect(barge.latencyMs).toBe(0);
    expect(provider.lastInterruption).toEqual({ responseId: 'resp_1', playedMs: barge.playedMs });
    expect(s.media!.queuedMs).toBe(0);
    // The next answer (after the caller's utterance ends) is heard: the bot does not go silent.
    const answer = await new Promise<string>((resolve) => s.on('transcript', (t) => resolve(t.text)));
    expect(answer).toBe('Sure, how can I help?');
    await unicast.waitForReceived(atBarge + 20);
    expect(unicast.received.length).toBeGreaterThan(atBarge + 19);
    await s.end();
  });

  it('falls back when the provider dies: transfer to the operator', async () => {
    const provider = new ScriptedProvider({ greeting: 'Hi' });
    const { session: s, uuid } = await session(callerSpeech(5000, 100), provider, { fallback: { transfer: '9000' } });
    const done = ended(s);
    provider.emit('close', { code: 1011, reason: 'server error' });
    expect((await done).reason).toBe('provider-failed');
    expect((await h.sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'))).line).toBe(`api uuid_transfer ${uuid} 9000 XML default`);
  });

  it('runs user tools, returns their errors to the provider, and hangs up after speaking with hangup_call', async () => {
    const results: unknown[] = [];
    const takeMessage = defineTool({
      name: 'take_message',
      description: 'Take a message',
      parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      handler: ({ text }) => {
        if (text === 'boom') throw new Error('mailbox full');
        return { saved: text };
      },
    });
    const provider = new ScriptedProvider({
      turns: [{ say: 'Noted', tool: { name: 'take_message', args: { text: 'boom' } }, afterTool: 'Bye' }],
    });
    const origSend = provider.sendToolResult.bind(provider);
    provider.sendToolResult = (id, result) => {
      results.push(result);
      origSend(id, result);
    };
    const { session: s, call } = await session(callerSpeech(300, 500), provider, { tools: [takeMessage, hangupCallTool()] });
    await new Promise((resolve) => s.once('toolResult', resolve));
    expect(results).toEqual([{ error: 'mailbox full' }]);
    await s.end();
    expect(call.isActive).toBe(false);
  });

  it('tears everything down on hangup: no port, no clock subscriber, no provider', async () => {
    const provider = new ScriptedProvider({ greeting: 'Hi' });
    const closed = new Promise((resolve) => provider.once('close', resolve));
    const { session: s, uuid } = await session(callerSpeech(5000, 100), provider, { greeting: 'g' });
    const done = ended(s);
    expect(h.ports.inUse).toBe(1);
    h.sim.hangup(uuid);
    expect((await done).reason).toBe('hangup');
    await closed;
    expect(h.ports.inUse).toBe(0);
    expect(getMediaClock().size).toBe(0);
  });

  it('hangs up an idle call', async () => {
    const provider = new ScriptedProvider({});
    const { session: s, call } = await session(new Int16Array(8000), provider, { idleTimeoutMs: 300 });
    expect((await ended(s)).reason).toBe('idle');
    expect(call.isActive).toBe(false);
  });

  it('listens itself for barge-in when the provider has no turn detection', async () => {
    class DeafProvider extends ScriptedProvider {
      override readonly capabilities = { truncation: true, turnDetection: false, userTranscription: false, autoToolReply: true };
    }
    // The provider's own detector never fires (threshold above any level): only the session's can.
    const provider = new DeafProvider({ greeting: 'x'.repeat(80), maxUtteranceMs: 4000, vad: { thresholdDb: 10 } });
    const { session: s } = await session(callerSpeech(700, 500), provider, { greeting: 'greet', bargeIn: { protectGreetingMs: 0 } });
    const barge = await new Promise<{ playedMs: number }>((resolve) => s.once('bargeIn', resolve));
    expect(barge.playedMs).toBeGreaterThan(0);
    expect(provider.lastInterruption?.playedMs).toBe(barge.playedMs);
    await s.end();
  });

  it('port exhaustion is a typed error and the call goes to the fallback, not silence', async () => {
    const { PortExhaustedError } = await import('../../src/errors.js');
    const { PortAllocator } = await import('../../src/media/port-allocator.js');
    const { freeUdpRange } = await import('../helpers/udp.js');
    const min = await freeUdpRange(1);
    const tiny = new PortAllocator({ min, max: min, bindAddress: '127.0.0.1' });
    const taken = await tiny.allocate();
    const arrived = new Promise<OutboundCall>((resolve) => h.server.once('call', resolve));
    const channel = h.sim.callSocket({ port: h.server.address()!.port }, { codec: 'PCMU' });
    const call = await arrived;
    const s = new RealtimeSession({ call, provider: new ScriptedProvider({}), instructions: '', media: { ports: tiny }, fallback: { transfer: '9000' } });
    const done = ended(s);
    await expect(s.start()).rejects.toBeInstanceOf(PortExhaustedError);
    expect((await done).reason).toBe('media-failed');
    expect((await h.sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'))).line).toBe(`api uuid_transfer ${channel.uuid} 9000 XML default`);
    taken.release();
  });
});
