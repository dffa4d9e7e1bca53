import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, ProviderError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { type AudioFormat, AudioFormats } from '../../src/realtime/audio-format.js';
import type { ProviderAudio, ProviderToolCall, ToolDefinition } from '../../src/realtime/provider.js';
import { type DeepgramVoiceAgentOptions, DeepgramVoiceAgentProvider } from '../../src/realtime/providers/deepgram.js';
import { collectEvents, nextClose, sessionEndTests } from '../helpers/provider-tests.js';
import { type DeepgramMockOptions, DeepgramMockServer } from './deepgram-mock-server.js';

let server: DeepgramMockServer;
let provider: DeepgramVoiceAgentProvider | undefined;

afterEach(async () => {
  await provider?.close();
  provider = undefined;
  await server?.close();
});

const tools: ToolDefinition[] = [
  { name: 'transfer_call', description: 'Transfer', parameters: { type: 'object', properties: { destination: { type: 'string' } }, required: ['destination'] } },
  { name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: {} } },
];

async function connected(options: DeepgramVoiceAgentOptions = {}, callFormat: AudioFormat = AudioFormats.MULAW_8K, mock: DeepgramMockOptions = {}): Promise<DeepgramVoiceAgentProvider> {
  server = new DeepgramMockServer(mock);
  provider = new DeepgramVoiceAgentProvider({ apiKey: 'dg-test', url: await server.ready(), logger: silentLogger, ...options });
  await provider.connect({ instructions: 'Be brief.', voice: 'aura-2-luna-en', language: 'pt-BR', tools, callFormat });
  return provider;
}

async function settingsSent(): Promise<any> {
  return server.waitFor('Settings');
}

describe('DeepgramVoiceAgentProvider: session setup', () => {
  it('Token auth, Settings with µ-law 8 kHz both ways, the providers, the prompt and the functions', async () => {
    const p = await connected({ greeting: 'Olá!', mipOptOut: true, tags: ['pbx'] });
    expect(server.headers.authorization).toBe('Token dg-test');
    expect(server.headers['sec-websocket-extensions']).toBeUndefined();
    expect(server.url).toBe('/v1/agent/converse');
    expect(await settingsSent()).toEqual({
      type: 'Settings',
      tags: ['pbx'],
      mip_opt_out: true,
      audio: { input: { encoding: 'mulaw', sample_rate: 8000 }, output: { encoding: 'mulaw', sample_rate: 8000, container: 'none' } },
      agent: {
        listen: { provider: { type: 'deepgram', version: 'v1', model: 'nova-3', language: 'pt-BR' } },
        think: {
          provider: { type: 'open_ai', model: 'gpt-4o-mini' },
          prompt: 'Be brief.',
          functions: [
            { ...tools[0], defer_until_eot: true },
            { ...tools[1] },
          ],
        },
        speak: { provider: { type: 'deepgram', model: 'aura-2-luna-en' } },
        greeting: 'Olá!',
      },
    });
    expect([p.inputFormat, p.outputFormat]).toEqual([AudioFormats.MULAW_8K, AudioFormats.MULAW_8K]);
    expect(p.requestId).toBe('req-0001');
  });

  it('picks the audio: A-law on PCMA calls, linear16 at the call’s rate on L16, or the fixed preference', async () => {
    await connected({}, AudioFormats.ALAW_8K);
    expect((await settingsSent()).audio.output).toEqual({ encoding: 'alaw', sample_rate: 8000, container: 'none' });
    await provider!.close();
    await server.close();
    const l16 = await connected({}, AudioFormats.PCM16_8K);
    expect((await settingsSent()).audio.input).toEqual({ encoding: 'linear16', sample_rate: 8000 });
    expect(l16.outputFormat).toEqual(AudioFormats.PCM16_8K);
    await l16.close();
    await server.close();
    const fixed = await connected({ audio: 'linear16' }, AudioFormats.MULAW_8K);
    expect((await settingsSent()).audio.output).toEqual({ encoding: 'linear16', sample_rate: 8000, container: 'none' });
    expect(fixed.inputFormat).toEqual(AudioFormats.PCM16_8K);
  });

  it('user-chosen providers and endpoints, the region’s URL otherwise', async () => {
    await connected({
      listen: { type: 'deepgram', version: 'v2', model: 'flux-general-en' },
      think: { type: 'anthropic', model: 'claude-sonnet-4-5', temperature: 0.3 },
      speak: { type: 'eleven_labs', model_id: 'eleven_flash_v2_5' },
      speakEndpoint: { url: 'wss://127.0.0.1:9/tts', headers: { 'xi-api-key': 'k' } },
      deferTools: [],
    });
    const { agent } = await settingsSent();
    expect(agent.listen.provider).toEqual({ type: 'deepgram', version: 'v2', model: 'flux-general-en' });
    expect(agent.think.provider).toEqual({ type: 'anthropic', model: 'claude-sonnet-4-5', temperature: 0.3 });
    expect(agent.think.functions[0].defer_until_eot).toBeUndefined();
    expect(agent.speak).toEqual({ provider: { type: 'eleven_labs', model_id: 'eleven_flash_v2_5' }, endpoint: { url: 'wss://127.0.0.1:9/tts', headers: { 'xi-api-key': 'k' } } });
  });

  it('an Error in answer to Settings: connect rejects with Deepgram’s code', async () => {
    const e = await connected({}, AudioFormats.MULAW_8K, { refuseSettings: { code: 'INVALID_SETTINGS', description: 'Unknown think provider' } }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).providerCode).toBe('INVALID_SETTINGS');
    expect((e as ProviderError).message).toMatch(/Unknown think provider/);
  });

  it('no SettingsApplied in time: a timeout; an abort: the signal’s reason; the socket is closed either way', async () => {
    server = new DeepgramMockServer({ holdSettings: true });
    const url = await server.ready();
    const slow = new DeepgramVoiceAgentProvider({ apiKey: 'k', url, connectTimeoutMs: 50 });
    const e = await slow.connect({ instructions: '' }).catch((err: unknown) => err);
    expect((e as ProviderError).providerCode).toBe('timeout');
    const abort = new AbortController();
    const pending = new DeepgramVoiceAgentProvider({ apiKey: 'k', url }).connect({ instructions: '', signal: abort.signal }).catch((err: unknown) => err);
    await server.waitFor('Settings', 2);
    abort.abort(new Error('caller hung up'));
    expect(((await pending) as Error).message).toBe('caller hung up');
    await new Promise<void>((r) => (server.socket!.readyState === 3 ? r() : server.socket!.once('close', () => r())));
  });

  it('a refused handshake (HTTP 401)', async () => {
    const e = await connected({}, AudioFormats.MULAW_8K, { refuseWith: 401 }).catch((err: unknown) => err);
    expect((e as ProviderError).providerCode).toBe('401');
  });

  it('without a key: a ConfigError naming DEEPGRAM_API_KEY, at construction', () => {
    const saved = process.env.DEEPGRAM_API_KEY;
    delete process.env.DEEPGRAM_API_KEY;
    try {
      expect(() => new DeepgramVoiceAgentProvider()).toThrow(expect.objectContaining({ variable: 'DEEPGRAM_API_KEY' }));
      expect(() => new DeepgramVoiceAgentProvider()).toThrow(ConfigError);
    } finally {
      if (saved !== undefined) process.env.DEEPGRAM_API_KEY = saved;
    }
  });
});

describe('DeepgramVoiceAgentProvider: audio, turns and barge-in', () => {
  it('carries audio both ways as binary messages, byte for byte; AgentAudioDone ends the answer', async () => {
    const p = await connected();
    const frame = Uint8Array.from({ length: 160 }, (_, i) => (i * 7) & 0xff);
    p.sendAudio(frame);
    expect(await server.waitForAudio(160)).toEqual(Buffer.from(frame));
    const heard: ProviderAudio[] = [];
    const events = collectEvents(p);
    p.on('audio', (a) => heard.push(a));
    const sent = [Buffer.from(Array.from({ length: 800 }, (_, i) => i & 0xff)), Buffer.from([1, 2, 3])];
    server.agentStartedSpeaking();
    server.sendAudio(sent[0]!);
    server.sendAudio(sent[1]!);
    server.conversationText('assistant', 'Bom dia!');
    server.agentAudioDone();
    server.sendAudio(Buffer.from([4]));
    await server.sync();
    expect(heard.map((h) => Buffer.from(h.data))).toEqual([...sent, Buffer.from([4])]);
    expect(heard[0]).toMatchObject({ responseId: 'turn_1', itemId: 'turn_1' });
    expect(events.filter((e) => !e.startsWith('audio'))).toEqual(['assistant:Bom dia!', 'done:turn_1:completed']);
    expect(heard[2]!.responseId).toBe('turn_2');
  });

  it('UserStartedSpeaking: a speech start, the answer cut, its late audio dropped until the next turn', async () => {
    const p = await connected();
    const events = collectEvents(p);
    server.sendAudio([1]);
    server.userStartedSpeaking();
    server.sendAudio([2]); // in flight when the caller spoke: dropped
    server.conversationText('user', 'Quero falar com a Maria');
    server.send({ type: 'AgentThinking', content: '' });
    server.agentStartedSpeaking();
    server.sendAudio([3]);
    server.agentAudioDone();
    await server.sync();
    expect(events).toEqual(['audio:turn_1:1', 'speechStarted', 'done:turn_1:interrupted', 'speechStopped', 'user:Quero falar com a Maria', 'audio:turn_2:3', 'done:turn_2:completed']);
    expect(p.droppedAudioChunks).toBe(1);
  });

  it('interrupt() ends the answer and drops its late audio; nothing is sent', async () => {
    const p = await connected();
    const events = collectEvents(p);
    server.sendAudio([1]);
    await server.sync();
    p.interrupt({ playedMs: 80 });
    server.sendAudio([2]);
    server.agentStartedSpeaking();
    server.sendAudio([3]);
    await server.sync();
    expect(events).toEqual(['audio:turn_1:1', 'done:turn_1:cancelled', 'audio:turn_2:3']);
    expect(server.received.map((m) => m.type)).toEqual(['Settings']);
  });

  it('sends a user text turn (InjectUserMessage) and KeepAlive while no audio flows', async () => {
    const p = await connected({ keepAliveMs: 25 });
    p.sendText('Cumprimente o cliente.');
    expect(await server.waitFor('InjectUserMessage')).toEqual({ type: 'InjectUserMessage', content: 'Cumprimente o cliente.' });
    expect(await server.waitFor('KeepAlive')).toEqual({ type: 'KeepAlive' });
  });
});

describe('DeepgramVoiceAgentProvider: functions', () => {
  it('client-side round trip: parsed arguments, the result as content; server-side calls and cancelled ones left alone', async () => {
    const p = await connected();
    const calls: ProviderToolCall[] = [];
    const errors: ProviderError[] = [];
    p.on('toolCall', (c) => calls.push(c));
    p.on('error', (e) => errors.push(e));
    server.functionCallRequest([
      { id: 'f1', name: 'transfer_call', arguments: '{"destination":"1001"}', client_side: true },
      { id: 'f2', name: 'weather', arguments: '{}', client_side: false },
      { id: 'f3', name: 'lookup', arguments: '{not json', client_side: true },
      { id: 'f4', name: 'lookup', arguments: '{"who":"Maria"}', client_side: true },
    ]);
    server.functionCallRequest([{ id: 'f1', name: 'transfer_call', arguments: '{"destination":"1001"}', client_side: true }]); // again: runs once
    await server.sync();
    expect(calls).toEqual([
      { id: 'f1', name: 'transfer_call', args: { destination: '1001' }, responseId: 'turn_1' },
      { id: 'f3', name: 'lookup', args: {}, responseId: 'turn_1' },
      { id: 'f4', name: 'lookup', args: { who: 'Maria' }, responseId: 'turn_1' },
    ]);
    expect(errors.map((e) => e.providerCode)).toEqual(['bad_tool_arguments']);
    const cancelled: unknown[] = [];
    p.on('toolCallCancelled', (c) => cancelled.push(c));
    server.functionCallCancelled([{ id: 'f4', name: 'lookup' }, { id: 'f2', name: 'weather' }]);
    await server.sync();
    expect(cancelled).toEqual([{ ids: ['f4'] }]); // f2 ran on Deepgram's side: not ours
    p.sendToolResult('f1', { transferred: '1001' });
    p.sendToolResult('f3', 'no one by that name');
    p.sendToolResult('f4', { found: true }); // cancelled: Deepgram wants no response
    p.sendToolResult('f2', { sunny: true }); // server-side: not ours
    await server.sync();
    expect(server.all('FunctionCallResponse')).toEqual([
      { type: 'FunctionCallResponse', id: 'f1', name: 'transfer_call', content: '{"transferred":"1001"}' },
      { type: 'FunctionCallResponse', id: 'f3', name: 'lookup', content: 'no one by that name' },
    ]);
  });
});

describe('DeepgramVoiceAgentProvider: mid-call control', () => {
  it('declares what Deepgram does natively', async () => {
    const p = await connected();
    expect(p.capabilities).toMatchObject({ sessionUpdate: 'live', say: 'native', replyInstructions: 'prompted', autoToolReply: true });
  });

  it('updateSession: one UpdateThink with the whole think configuration, resolved by ThinkUpdated; what is not given stays', async () => {
    const p = await connected({ think: { type: 'open_ai', model: 'gpt-4o-mini', temperature: 0.2 } });
    await p.updateSession({ instructions: 'Now speak Portuguese only.' });
    const hangup: ToolDefinition = { name: 'hangup_call', description: 'Hang up', parameters: { type: 'object', properties: {} } };
    await p.updateSession({ tools: [hangup] });
    const [first, second] = server.all('UpdateThink') as any[];
    expect(first).toEqual({
      type: 'UpdateThink',
      think: { provider: { type: 'open_ai', model: 'gpt-4o-mini', temperature: 0.2 }, prompt: 'Now speak Portuguese only.', functions: [{ ...tools[0], defer_until_eot: true }, { ...tools[1] }] },
    });
    expect(second.think).toEqual({ provider: { type: 'open_ai', model: 'gpt-4o-mini', temperature: 0.2 }, prompt: 'Now speak Portuguese only.', functions: [{ ...hangup, defer_until_eot: true }] });
    expect(server.all('UpdatePrompt')).toEqual([]); // it would append, not replace
  });

  it('updateSession is refused by an Error reply (Deepgram’s code), and fails when not connected', async () => {
    const p = await connected({}, AudioFormats.MULAW_8K, { refuseThink: { code: 'INVALID_THINK', description: 'unknown model' } });
    const e = await p.updateSession({ instructions: 'x' }).catch((err: unknown) => err);
    expect((e as ProviderError).providerCode).toBe('INVALID_THINK');
    await p.close();
    expect(((await p.updateSession({ instructions: 'y' }).catch((err: unknown) => err)) as ProviderError).providerCode).toBe('not_connected');
  });

  it('say: InjectAgentMessage, queued after the agent’s current turn; requestResponse with instructions is a user turn', async () => {
    const p = await connected();
    p.say('Um momento, por favor.');
    p.requestResponse({ instructions: 'Ask for the caller’s name.' });
    expect(await server.waitFor('InjectAgentMessage')).toEqual({ type: 'InjectAgentMessage', message: 'Um momento, por favor.', behavior: 'queue' });
    expect(await server.waitFor('InjectUserMessage')).toEqual({ type: 'InjectUserMessage', content: 'Ask for the caller’s name.' });
  });

  it('counts every message and byte both ways, and what it did not understand', async () => {
    const p = await connected();
    const before = { ...p.stats };
    p.sendAudio(new Uint8Array(160));
    server.sendAudio(new Uint8Array(320));
    server.send('garbage');
    await server.sync();
    expect(p.stats.messagesSent - before.messagesSent).toBe(1);
    expect(p.stats.bytesSent - before.bytesSent).toBe(160);
    expect(p.stats.messagesReceived - before.messagesReceived).toBe(2);
    expect(p.stats.bytesReceived - before.bytesReceived).toBe(320 + 'garbage'.length);
    expect(p.stats.messagesIgnored).toBe(1);
    expect(before.messagesSent).toBe(1); // Settings
    expect(before.messagesReceived).toBe(2); // Welcome, SettingsApplied
  });
});

describe('DeepgramVoiceAgentProvider: errors and the socket', () => {
  it('Error and Warning messages are ProviderErrors with Deepgram’s code; the close after an Error carries it', async () => {
    const p = await connected();
    const errors: ProviderError[] = [];
    p.on('error', (e) => errors.push(e));
    server.warning('SPEAK_REQUEST_FAILED', 'Error making request to speak provider');
    server.error('FAILED_TO_THINK', 'LLM provider unavailable');
    await server.sync();
    const closed = nextClose(p);
    server.socket!.close(1011, 'think failed');
    const info = await closed;
    expect(errors.map((e) => [e.providerCode, e instanceof ProviderError])).toEqual([
      ['SPEAK_REQUEST_FAILED', true],
      ['FAILED_TO_THINK', true],
    ]);
    expect(info.code).toBe(1011);
    expect(info.error).toBe(errors[1]);
  });

  it('bad JSON and unknown or malformed messages are counted and ignored', async () => {
    const p = await connected();
    const events = collectEvents(p);
    server.send('{{{ not json');
    server.send('[]');
    server.send({ no: 'type' });
    server.send({ type: 'ConversationText', role: 'user' });
    server.send({ type: 'SomeFutureMessage' });
    server.send({ type: 'LatencyReport', total_latency: 0.9 });
    server.conversationText('assistant', 'still here');
    await server.sync();
    expect(p.ignoredMessages).toBe(5);
    expect(events).toEqual(['assistant:still here']);
  });

  sessionEndTests(() => connected(), () => server.socket!);
});
