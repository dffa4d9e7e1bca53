import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { OpenAIRealtimeProvider } from '../../src/realtime/providers/openai.js';
import { RealtimeSession, type TurnMetrics } from '../../src/realtime/session.js';
import { hangupCallTool } from '../../src/realtime/tools.js';
import { useCallHarness } from '../helpers/call-harness.js';
import { OpenAIMockServer } from './openai-mock-server.js';

// A whole call: the FreeSWITCH simulator, a RealtimeSession, the OpenAI provider and a local
// server speaking OpenAI's protocol.

const h = useCallHarness();
let server: OpenAIMockServer;
afterEach(async () => {
  await server.close();
});

async function call(): Promise<{ session: RealtimeSession; call: OutboundCall; uuid: string; provider: OpenAIRealtimeProvider }> {
  server = new OpenAIMockServer();
  const arrived = new Promise<OutboundCall>((resolve) => h.server.once('call', resolve));
  const channel = h.sim.callSocket({ port: h.server.address()!.port }, { codec: 'PCMU' });
  const c = await arrived;
  const provider = new OpenAIRealtimeProvider({ apiKey: 'sk-test', url: await server.ready() });
  const session = new RealtimeSession({ call: c, provider, instructions: 'Be brief.', tools: [hangupCallTool()], media: { ports: h.ports, freeswitchPort: (p) => p + 4 }, bargeIn: { protectGreetingMs: 0 }, afterSpeech: { graceMs: 300 } });
  await session.start();
  return { session, call: c, uuid: channel.uuid, provider };
}

const audio = (responseId: string, ms: number): object => ({ type: 'response.output_audio.delta', response_id: responseId, item_id: `msg_${responseId}`, output_index: 0, content_index: 0, delta: Buffer.alloc(ms * 8, 0x55).toString('base64') });

describe('RealtimeSession with the OpenAI provider', () => {
  it('the caller interrupts an answer that calls hangup_call: the call is not hung up (the call never runs)', async () => {
    const { session, call: c, uuid, provider } = await call();
    const unicast = await h.sim.waitForUnicast(uuid);
    server.startResponse('r1');
    server.send(audio('r1', 2000));
    await unicast.waitForReceived(10);
    server.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: 900, item_id: 'u1' });
    await server.waitFor('conversation.item.truncate');
    // What the server sends for the cancelled answer: the arguments are done, the item is incomplete.
    server.functionCall('c1', 'hangup_call', '{}', { status: 'incomplete', responseId: 'r1' });
    const metrics = new Promise<TurnMetrics>((r) => session.once('metrics', r));
    server.endResponse('cancelled', 'r1');
    expect(await metrics).toMatchObject({ responseId: 'r1', interrupted: true, status: 'cancelled', toolCalls: [] });
    await server.flush(provider);
    expect(server.all('conversation.item.create')).toEqual([]); // no function_call_output: the call never ran
    expect(c.isActive).toBe(true);
    expect(h.sim.commands.filter((x) => x.headers['call-command'] === 'hangup')).toEqual([]);
    await session.end();
  });

  it('a completed hangup_call: the result goes back, the goodbye plays out, then the hangup', async () => {
    const { session, uuid } = await call();
    const unicast = await h.sim.waitForUnicast(uuid);
    const ended = new Promise<{ reason: string }>((r) => session.once('ended', r));
    server.startResponse('r1');
    server.send(audio('r1', 800));
    server.functionCall('c1', 'hangup_call', '{"reason":"done"}', { responseId: 'r1' });
    server.endResponse('completed', 'r1', { total_tokens: 90, input_tokens: 60, output_tokens: 30 });
    const output = await server.waitFor('conversation.item.create');
    expect(output.item).toMatchObject({ type: 'function_call_output', call_id: 'c1' });
    await server.waitFor('response.create'); // OpenAI answers a tool result only when asked
    server.send(audio(server.active!, 400));
    server.endResponse();
    await h.sim.waitForCommand((x) => x.headers['call-command'] === 'hangup', 8000);
    expect(unicast.received.length).toBeGreaterThanOrEqual(60); // 1.2 s of goodbye
    expect((await ended).reason).toBe('tool-hangup');
    expect(session.metrics.usage.totalTokens).toBe(90);
  });
});
