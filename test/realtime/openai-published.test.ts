import { afterEach, describe, expect, it } from 'vitest';
import { AudioFormats } from '../../src/realtime/audio-format.js';
import type { ProviderToolCall, ResponseDoneInfo } from '../../src/realtime/provider.js';
import { type OpenAIRealtimeOptions, OpenAIRealtimeProvider } from '../../src/realtime/providers/openai.js';
import { openaiExample, openaiExamples } from '../helpers/vendor-recordings.js';
import { OpenAIMockServer } from './openai-mock-server.js';

// The events here are OpenAI's own published examples (test/fixtures/openai), sent as they are
// unless a line says what it changes.

let server: OpenAIMockServer;
let provider: OpenAIRealtimeProvider;

afterEach(async () => {
  await provider?.close();
  await server?.close();
});

async function connected(options: OpenAIRealtimeOptions = {}): Promise<OpenAIRealtimeProvider> {
  server = new OpenAIMockServer();
  provider = new OpenAIRealtimeProvider({ apiKey: 'sk-test', url: await server.ready(), ...options });
  await provider.connect({ instructions: 'Be brief.', callFormat: AudioFormats.MULAW_8K });
  return provider;
}

function serverEvents(prefix: 'RealtimeServerEvent' | 'RealtimeBetaServerEvent'): { schema: string; event: any }[] {
  return Object.keys(openaiExamples())
    .filter((k) => k.startsWith(prefix))
    .map((schema) => ({ schema, event: openaiExample(schema) }));
}

describe('OpenAI Realtime, against the events OpenAI publishes', () => {
  for (const [dialect, prefix] of [['ga', 'RealtimeServerEvent'], ['beta', 'RealtimeBetaServerEvent']] as const) {
    it(`${dialect}: every published server event is understood or deliberately ignored; none is unknown`, async () => {
      const p = await connected({ api: dialect });
      const events = serverEvents(prefix);
      expect(events.length).toBeGreaterThan(30);
      const errors: string[] = [];
      p.on('error', (e) => errors.push(e.providerCode ?? ''));
      for (const { event } of events) server.send(event);
      await server.sync(p);
      // One published example misspells its type (" input_audio_buffer.dtmf_event_received", a
      // leading space): that one alone is unknown; the real name is known.
      const misspelt = events.filter(({ event }) => event.type !== event.type.trim()).length;
      expect(p.stats.messagesIgnored).toBe(misspelt);
      for (const { event } of events) if (event.type !== event.type.trim()) server.send({ ...event, type: event.type.trim() });
      await server.sync(p);
      expect(p.stats.messagesIgnored).toBe(misspelt);
      // The published error event and transcription failure are reported, nothing else.
      expect(errors.sort()).toEqual(expect.arrayContaining(['invalid_event']));
      expect(p.stats.messagesReceived).toBeGreaterThanOrEqual(events.length + 2);
    });
  }

  it('the captured session.updated (gpt-realtime-2025-08-28) confirms PCM16 24 kHz both ways', async () => {
    const updated = openaiExample('RealtimeServerEventSessionUpdated');
    expect(updated.session.model).toBe('gpt-realtime-2025-08-28');
    server = new OpenAIMockServer({ confirm: () => [updated] });
    provider = new OpenAIRealtimeProvider({ apiKey: 'sk-test', url: await server.ready() });
    await provider.connect({ instructions: '', callFormat: AudioFormats.MULAW_8K });
    expect([provider.inputFormat, provider.outputFormat]).toEqual([AudioFormats.PCM16_24K, AudioFormats.PCM16_24K]);
  });

  it('the captured response.done: its usage reaches responseDone', async () => {
    const p = await connected();
    const done = new Promise<ResponseDoneInfo>((r) => p.once('responseDone', r));
    server.send(openaiExample('RealtimeServerEventResponseDone'));
    expect(await done).toEqual({
      responseId: 'resp_CCXHw0UJld10EzIUXQCNh',
      status: 'completed',
      usage: { inputTokens: 132, outputTokens: 121, totalTokens: 253, inputAudioTokens: 13, outputAudioTokens: 91, cachedTokens: 64 },
    });
  });

  /** A function call streamed from the published examples; the items are changed from `message` to `function_call`. */
  function publishedFunctionCall(prefix: 'RealtimeServerEvent' | 'RealtimeBetaServerEvent', status: 'completed' | 'incomplete'): void {
    const done = openaiExample(`${prefix}ResponseFunctionCallArgumentsDone`);
    const item = { id: done.item_id, object: 'realtime.item', type: 'function_call', call_id: done.call_id, name: 'get_weather' };
    server.send({ ...openaiExample(`${prefix}ResponseOutputItemAdded`), response_id: done.response_id, item: { ...item, status: 'in_progress', arguments: '' } });
    server.send(openaiExample(`${prefix}ResponseFunctionCallArgumentsDelta`));
    server.send(done);
    server.send({ ...openaiExample(`${prefix}ResponseOutputItemDone`), response_id: done.response_id, item: { ...item, status, arguments: done.arguments } });
  }

  for (const [dialect, prefix] of [['ga', 'RealtimeServerEvent'], ['beta', 'RealtimeBetaServerEvent']] as const) {
    it(`${dialect}: a completed function_call item is one tool call, named from the item`, async () => {
      const p = await connected({ api: dialect });
      const calls: ProviderToolCall[] = [];
      p.on('toolCall', (c) => calls.push(c));
      publishedFunctionCall(prefix, 'completed');
      await server.sync(p);
      expect(calls).toEqual([{ id: 'call_001', name: 'get_weather', args: { location: 'San Francisco' }, responseId: 'resp_002' }]);
    });

    it(`${dialect}: an interrupted answer's call (arguments done, item incomplete) never runs`, async () => {
      const p = await connected({ api: dialect });
      const calls: ProviderToolCall[] = [];
      p.on('toolCall', (c) => calls.push(c));
      publishedFunctionCall(prefix, 'incomplete');
      server.send({ type: 'response.done', response: { id: 'resp_002', status: 'cancelled', status_details: { type: 'cancelled', reason: 'turn_detected' } } });
      await server.sync(p);
      expect(calls).toEqual([]);
    });
  }

  it('a repeated output_item.done does not run the call twice', async () => {
    const p = await connected();
    const calls: ProviderToolCall[] = [];
    p.on('toolCall', (c) => calls.push(c));
    server.startResponse('r1');
    server.functionCall('c1', 'hangup_call', '{}');
    server.send({ type: 'response.output_item.done', response_id: 'r1', output_index: 0, item: { id: 'fc_c1', type: 'function_call', status: 'completed', call_id: 'c1', name: 'hangup_call', arguments: '{}' } });
    await server.sync(p);
    expect(calls.map((c) => c.id)).toEqual(['c1']);
  });
});
