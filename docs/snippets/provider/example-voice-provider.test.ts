import { AudioFormats, ConfigError, type ProviderToolCall, ProviderError } from 'freeswitch-voice-ai';
import { afterEach, expect, it } from 'vitest';
import { ExampleVoiceProvider } from './example-voice-provider.js';
import { ExampleVoiceServer } from './example-voice-server.js';

const servers: ExampleVoiceServer[] = [];
const providers: ExampleVoiceProvider[] = [];
afterEach(async () => {
  for (const p of providers.splice(0)) await p.close();
  for (const s of servers.splice(0)) await s.close();
});

/** A server, and a provider connected to it for a PCMU call. */
async function connected(): Promise<{ server: ExampleVoiceServer; provider: ExampleVoiceProvider }> {
  const server = new ExampleVoiceServer('test-key');
  servers.push(server);
  const provider = new ExampleVoiceProvider({ url: await server.url(), apiKey: 'test-key' });
  providers.push(provider);
  await provider.connect({ instructions: 'Be brief.', callFormat: AudioFormats.MULAW_8K });
  return { server, provider };
}

it('checks its key when constructed, and the vendor refusing it is a ProviderError with the HTTP status', async () => {
  expect(() => new ExampleVoiceProvider({ url: 'ws://127.0.0.1:9' })).toThrow(ConfigError); // EXAMPLE_VOICE_API_KEY unset
  const server = new ExampleVoiceServer('the-right-key');
  servers.push(server);
  const provider = new ExampleVoiceProvider({ url: await server.url(), apiKey: 'a-wrong-key' });
  const refused = provider.connect({ instructions: '' });
  await expect(refused).rejects.toBeInstanceOf(ProviderError);
  await expect(refused).rejects.toMatchObject({ providerCode: '401' });
});

it('asks for µ-law on a PCMU call, sends the caller as binary frames, and counts every message', async () => {
  const { server, provider } = await connected();
  expect(await server.waitFor('session.start')).toMatchObject({ audio: 'mulaw_8000', instructions: 'Be brief.', tools: [] });
  expect([provider.inputFormat, provider.outputFormat]).toEqual([AudioFormats.MULAW_8K, AudioFormats.MULAW_8K]);
  provider.sendAudio(new Uint8Array(160).fill(0x7f));
  expect(await server.waitForAudio(160)).toEqual(Buffer.alloc(160, 0x7f));
  server.send({ type: 'no.such.message' } as never);
  server.send({ type: 'speech.started' });
  await new Promise((resolve) => provider.once('speechStarted', resolve));
  expect(provider.stats).toMatchObject({ messagesSent: 2, bytesSent: expect.any(Number), messagesReceived: 3, messagesIgnored: 1 });
});

it('barge-in: the answer is cancelled at what was heard, and its late audio and tool calls are dropped', async () => {
  const { server, provider } = await connected();
  const audio: string[] = [];
  const calls: ProviderToolCall[] = [];
  provider.on('audio', (a) => audio.push(a.responseId!));
  provider.on('toolCall', (c) => calls.push(c));
  server.speak('r1', new Uint8Array(800));
  await new Promise((resolve) => provider.once('audio', resolve));
  provider.interrupt({ playedMs: 42.4 });
  expect(await server.waitFor('response.cancel')).toEqual({ type: 'response.cancel', heard_ms: 42 });
  server.speak('r1', new Uint8Array(800));                        // in flight when the cancel left
  server.send({ type: 'response.tool_call', response_id: 'r1', call_id: 'c1', name: 'hangup_call', arguments: '{}' });
  server.send({ type: 'response.done', response_id: 'r1', status: 'cancelled' });
  server.speak('r2', new Uint8Array(800));                        // the next answer plays
  await new Promise((resolve) => provider.once('audio', resolve));
  expect(audio).toEqual(['r1', 'r2']);
  expect(calls).toEqual([]);
});

it('a tool call is emitted once its answer completed, and its result goes back', async () => {
  const { server, provider } = await connected();
  const calls: ProviderToolCall[] = [];
  provider.on('toolCall', (c) => calls.push(c));
  server.send({ type: 'response.tool_call', response_id: 'r1', call_id: 'c1', name: 'transfer_call', arguments: '{"destination":"1001"}' });
  const done = new Promise((resolve) => provider.once('responseDone', resolve));
  server.send({ type: 'response.done', response_id: 'r1', status: 'completed', usage: { input_tokens: 12, output_tokens: 3 } });
  expect(await done).toEqual({ responseId: 'r1', status: 'completed', usage: { inputTokens: 12, outputTokens: 3 } });
  expect(calls).toEqual([{ id: 'c1', name: 'transfer_call', args: { destination: '1001' }, responseId: 'r1' }]);
  provider.sendToolResult('c1', { transferring: '1001' });
  expect(await server.waitFor('tool.result')).toEqual({ type: 'tool.result', call_id: 'c1', output: '{"transferring":"1001"}' });
});

it('never asks for a second answer while one is being generated', async () => {
  const { server, provider } = await connected();
  const texts = (): string[] => server.received.flatMap((m) => (m.type === 'text' ? [m.text] : []));
  provider.sendText('Greet the caller.');
  provider.sendText('Say the opening hours.');                    // waits for the first answer to end
  provider.sendAudio(new Uint8Array(160));                        // sent after both: the second text has not left
  await server.waitForAudio(160);
  expect(texts()).toEqual(['Greet the caller.']);
  server.send({ type: 'response.done', response_id: 'r1', status: 'completed' });
  await server.until(() => texts().length === 2);
  expect(texts()).toEqual(['Greet the caller.', 'Say the opening hours.']);
});

it('the vendor drops the session: close carries the ProviderError with its last fatal error', async () => {
  const { server, provider } = await connected();
  const closed = new Promise<{ error?: ProviderError }>((resolve) => provider.once('close', resolve));
  const errors: ProviderError[] = [];
  provider.on('error', (e) => errors.push(e));
  server.send({ type: 'error', code: 'session_expired', message: 'the session lasted too long', fatal: true });
  await new Promise((resolve) => provider.once('error', resolve));
  server.socket!.close(1011, 'expired');
  expect((await closed).error).toMatchObject({ providerCode: 'session_expired', message: 'Example Voice: the session lasted too long' });
  expect(errors).toHaveLength(1);
});
