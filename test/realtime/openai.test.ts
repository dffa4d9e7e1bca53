import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { AudioFormats } from '../../src/realtime/audio-format.js';
import { OpenAIRealtimeProvider } from '../../src/realtime/providers/openai.js';
import { OpenAIMockServer } from './openai-mock-server.js';

let server: OpenAIMockServer;
let provider: OpenAIRealtimeProvider;

beforeEach(() => {
  server = new OpenAIMockServer();
});
afterEach(async () => {
  await provider?.close();
  await server.close();
});

const tools = [{ name: 'transfer_call', description: 'Transfer', parameters: { type: 'object', properties: { destination: { type: 'string' } }, required: ['destination'] } }];

async function connected(api: 'ga' | 'beta' = 'ga'): Promise<OpenAIRealtimeProvider> {
  provider = new OpenAIRealtimeProvider({ apiKey: 'sk-test', url: await server.ready(), api });
  await provider.connect({ instructions: 'Be brief.', voice: 'marin', tools, callFormat: AudioFormats.MULAW_8K });
  return provider;
}

describe('OpenAIRealtimeProvider against a local Realtime server', () => {
  it('configures µ-law in and out, server VAD and tools (GA), and reports the confirmed formats', async () => {
    const p = await connected();
    expect(server.headers.authorization).toBe('Bearer sk-test');
    expect(server.headers['openai-beta']).toBeUndefined();
    const { session } = (await server.waitFor('session.update')) as unknown as { session: any };
    expect(session.type).toBe('realtime');
    expect(session.audio.input.format).toEqual({ type: 'audio/pcmu' });
    expect(session.audio.output).toEqual({ format: { type: 'audio/pcmu' }, voice: 'marin' });
    expect(session.audio.input.turn_detection.type).toBe('server_vad');
    expect(session.tools).toEqual([{ type: 'function', ...tools[0] }]);
    expect(p.inputFormat).toEqual(AudioFormats.MULAW_8K);
    expect(p.outputFormat).toEqual(AudioFormats.MULAW_8K);
  });

  it('speaks the beta dialect on request', async () => {
    const p = await connected('beta');
    expect(server.headers['openai-beta']).toBe('realtime=v1');
    const { session } = (await server.waitFor('session.update')) as unknown as { session: any };
    expect([session.input_audio_format, session.output_audio_format]).toEqual(['g711_ulaw', 'g711_ulaw']);
    expect(p.outputFormat).toEqual(AudioFormats.MULAW_8K);
  });

  it('carries audio both ways, byte for byte, under GA and beta event names', async () => {
    const p = await connected();
    const frame = Uint8Array.from({ length: 160 }, (_, i) => i);
    p.sendAudio(frame);
    const append = await server.waitFor('input_audio_buffer.append');
    expect(Buffer.from(String(append.audio), 'base64')).toEqual(Buffer.from(frame));
    const heard: { data: Uint8Array; responseId?: string; itemId?: string }[] = [];
    p.on('audio', (a) => heard.push(a));
    const two = new Promise<void>((r) => p.on('audio', () => heard.length === 2 && r()));
    server.send({ type: 'response.output_audio.delta', response_id: 'r1', item_id: 'i1', delta: Buffer.from([1, 2, 3]).toString('base64') });
    server.send({ type: 'response.audio.delta', response_id: 'r1', item_id: 'i1', delta: Buffer.from([4]).toString('base64') });
    await two;
    expect(heard.map((h) => [...h.data])).toEqual([[1, 2, 3], [4]]);
    expect(heard[0]).toMatchObject({ responseId: 'r1', itemId: 'i1' });
  });

  it('barge-in: cancels the active response and truncates the item at exactly what was heard', async () => {
    const p = await connected();
    const started = new Promise((r) => p.once('speechStarted', r));
    server.send({ type: 'response.created', response: { id: 'r1' } });
    server.send({ type: 'response.output_audio.delta', response_id: 'r1', item_id: 'item_9', delta: 'AAAA' });
    server.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: 1200, item_id: 'u1' });
    expect(await started).toEqual({ audioStartMs: 1200 });
    p.interrupt({ playedMs: 740 });
    await server.waitFor('conversation.item.truncate');
    expect(server.received.find((e) => e.type === 'response.cancel')).toBeDefined();
    expect(server.received.find((e) => e.type === 'conversation.item.truncate')).toEqual({ type: 'conversation.item.truncate', item_id: 'item_9', content_index: 0, audio_end_ms: 740 });
  });

  it('tool round trip: parsed arguments, results sent at once, response.create only after the active response is done', async () => {
    const p = await connected();
    const calls: unknown[] = [];
    const errors: ProviderError[] = [];
    p.on('error', (e) => errors.push(e));
    const both = new Promise<void>((r) => p.on('toolCall', (c) => calls.push(c) === 2 && r()));
    server.send({ type: 'response.created', response: { id: 'r1' } });
    server.send({ type: 'response.function_call_arguments.done', response_id: 'r1', item_id: 'f1', call_id: 'c1', name: 'transfer_call', arguments: '{"destination":"1001"}' });
    server.send({ type: 'response.function_call_arguments.done', response_id: 'r1', item_id: 'f2', call_id: 'c2', name: 'transfer_call', arguments: '{not json' });
    await both;
    expect(calls).toEqual([
      { id: 'c1', name: 'transfer_call', args: { destination: '1001' }, responseId: 'r1' },
      { id: 'c2', name: 'transfer_call', args: {}, responseId: 'r1' },
    ]);
    expect(errors[0]?.providerCode).toBe('bad_tool_arguments');
    p.sendToolResult('c1', { transferred: '1001' });
    p.sendToolResult('c2', { error: 'bad arguments' });
    await server.waitFor('conversation.item.create', 2);
    expect(server.received.some((e) => e.type === 'response.create')).toBe(false);
    server.send({ type: 'response.done', response: { id: 'r1', status: 'completed' } });
    await server.waitFor('response.create');
    expect(server.received.filter((e) => e.type === 'response.create').length).toBe(1);
    expect(server.received.find((e) => e.type === 'conversation.item.create')).toEqual({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: 'c1', output: '{"transferred":"1001"}' },
    });
  });

  it('reports server errors, ignores garbage, and closes with an error when the socket drops', async () => {
    const p = await connected();
    const error = new Promise<ProviderError>((r) => p.once('error', r));
    server.send('{{{ not json');
    server.send({ type: 'error', error: { type: 'invalid_request_error', code: 'conversation_already_has_active_response', message: 'busy' } });
    const e = await error;
    expect(e).toBeInstanceOf(ProviderError);
    expect(e.providerCode).toBe('conversation_already_has_active_response');
    expect(p.ignoredMessages).toBe(1);
    const closed = new Promise<{ code?: number; error?: ProviderError }>((r) => p.once('close', r));
    server.socket!.terminate();
    const info = await closed;
    expect(info.error).toBeInstanceOf(ProviderError);
  });

  it('fails to connect clearly: no API key, a refused handshake, an error before the session', async () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    await expect(new OpenAIRealtimeProvider({ url: await server.ready() }).connect({ instructions: '' })).rejects.toThrow(/OPENAI_API_KEY/);
    if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    const refusing = new OpenAIMockServer(() => [{ type: 'error', error: { code: 'invalid_api_key', message: 'bad key' } }]);
    const e = await new OpenAIRealtimeProvider({ apiKey: 'x', url: await refusing.ready() }).connect({ instructions: '' }).catch((x: unknown) => x);
    expect((e as ProviderError).providerCode).toBe('invalid_api_key');
    await refusing.close();
  });
});
