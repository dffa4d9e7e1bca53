import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderError } from '../../src/errors.js';
import { AudioFormats } from '../../src/realtime/audio-format.js';
import type { ProviderToolCall } from '../../src/realtime/provider.js';
import { OpenAIRealtimeProvider } from '../../src/realtime/providers/openai.js';
import { OpenAIMockServer } from './openai-mock-server.js';

// The mock refuses a response.create while a response is active, as OpenAI does
// (conversation_already_has_active_response) and lists it in `rejected`: every test ends with none.

let server: OpenAIMockServer;
let p: OpenAIRealtimeProvider;
let calls: ProviderToolCall[];
let errors: ProviderError[];

beforeEach(async () => {
  server = new OpenAIMockServer();
  p = new OpenAIRealtimeProvider({ apiKey: 'sk-test', url: await server.ready() });
  await p.connect({ instructions: 'Be brief.', callFormat: AudioFormats.MULAW_8K });
  calls = [];
  errors = [];
  p.on('toolCall', (c) => calls.push(c));
  p.on('error', (e) => errors.push(e));
});
afterEach(async () => {
  await p.close();
  expect(server.rejected).toEqual([]);
  await server.close();
});

function toolCall(callId: string, args: string, responseId = server.active): void {
  server.functionCall(callId, 'transfer_call', args, { responseId });
}

describe('OpenAIRealtimeProvider: answers are sequenced', () => {
  it('tool round trip: parsed arguments, outputs sent at once, one response.create after the response is done', async () => {
    server.startResponse('r1');
    toolCall('c1', '{"destination":"1001"}');
    toolCall('c2', '{not json');
    await server.sync(p);
    expect(calls).toEqual([
      { id: 'c1', name: 'transfer_call', args: { destination: '1001' }, responseId: 'r1' },
      { id: 'c2', name: 'transfer_call', args: {}, responseId: 'r1' },
    ]);
    expect(errors.map((e) => e.providerCode)).toEqual(['bad_tool_arguments']);
    p.sendToolResult('c1', { transferred: '1001' });
    p.sendToolResult('c2', { error: 'bad arguments' });
    await server.flush(p);
    expect(server.all('conversation.item.create')).toEqual([
      { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'c1', output: '{"transferred":"1001"}' } },
      { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'c2', output: '{"error":"bad arguments"}' } },
    ]);
    expect(server.all('response.create')).toEqual([]);
    server.endResponse();
    await server.waitFor('response.create');
    await server.sync(p);
    await server.flush(p);
    expect(server.all('response.create')).toHaveLength(1);
  });

  it('two tool calls of one response answered after it ended: one response.create, after the second output', async () => {
    server.startResponse('r1');
    toolCall('c1', '{"destination":"1"}');
    toolCall('c2', '{"destination":"2"}');
    server.endResponse();
    await server.sync(p);
    p.sendToolResult('c2', { ok: true });
    await server.flush(p);
    expect(server.all('response.create')).toEqual([]);
    p.sendToolResult('c1', { ok: true });
    await server.waitFor('response.create');
    const order = server.received.map((e) => e.type).filter((t) => t === 'conversation.item.create' || t === 'response.create');
    expect(order).toEqual(['conversation.item.create', 'conversation.item.create', 'response.create']);
  });

  it('a result that arrives before the response’s next tool call does not trigger an early response.create', async () => {
    server.startResponse('r1');
    toolCall('c1', '{}');
    await server.sync(p);
    p.sendToolResult('c1', 'done');
    toolCall('c2', '{}');
    server.endResponse();
    await server.sync(p);
    await server.flush(p);
    expect(server.all('response.create')).toEqual([]);
    p.sendToolResult('c2', 'done');
    await server.waitFor('response.create');
  });

  it('a greeting while a response is active waits for it; text then answer, in order', async () => {
    server.startResponse('r_vad');
    await server.sync(p);
    p.sendText('Greet the caller.');
    await server.flush(p);
    expect(server.all('conversation.item.create')[0]).toEqual({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Greet the caller.' }] } });
    expect(server.all('response.create')).toEqual([]);
    server.endResponse();
    await server.waitFor('response.create');
    expect(server.active).toBe('resp_1');
  });

  it('a response.create that crossed one started by server VAD is asked again after it, without an error', async () => {
    server.startResponse('r_vad'); // not yet seen by the provider when it sends its response.create
    p.sendText('Greet the caller.');
    await server.waitFor('response.create');
    expect(server.rejected).toHaveLength(1);
    await server.sync(p);
    expect(errors).toEqual([]);
    server.endResponse();
    await server.waitFor('response.create', 2);
    server.rejected.length = 0; // the one collision this test provoked; none after it
    await server.sync(p);
    expect(server.active).toBe('resp_1');
  });

  it('the end of another response does not release a response.create still awaiting its response.created', async () => {
    p.sendText('first');
    server.send({ type: 'response.done', response: { id: 'r_old', status: 'cancelled' } }); // reaches the provider before resp_1 is created
    const handled = new Promise<void>((resolve) =>
      p.once('responseDone', () => {
        p.sendText('second'); // must wait for resp_1
        resolve();
      }),
    );
    await handled;
    await server.waitFor('response.create');
    await server.sync(p);
    await server.flush(p);
    expect(server.all('response.create')).toHaveLength(1);
    server.endResponse();
    await server.waitFor('response.create', 2);
  });

  it('a tool result that is not serialisable becomes an error output and an error event, not a throw', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    p.sendToolResult('c9', circular);
    const item = await server.waitFor('conversation.item.create');
    expect(JSON.parse(String((item.item as { output: string }).output))).toEqual({ error: 'the tool result could not be serialised' });
    expect(errors.map((e) => e.providerCode)).toEqual(['bad_tool_result']);
    await server.waitFor('response.create');
  });

  it('a barge-in drops a queued answer request and the open tool calls', async () => {
    server.startResponse('r1');
    toolCall('c1', '{}');
    await server.sync(p);
    p.sendText('hello');
    p.interrupt({ playedMs: 0 });
    server.endResponse('cancelled');
    await server.sync(p);
    await server.flush(p);
    expect(server.all('response.cancel')).toHaveLength(1);
    expect(server.all('response.create')).toEqual([]);
    p.sendText('again');
    await server.waitFor('response.create');
  });
});
