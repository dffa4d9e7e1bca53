import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, ProviderError, ProviderUnsupportedError } from '../../src/errors.js';
import { AudioFormats } from '../../src/realtime/audio-format.js';
import { type ProviderAudio, type ProviderToolCall, type ProviderTranscript, sayPrompt } from '../../src/realtime/provider.js';
import { type ElevenLabsAgentOptions, ElevenLabsAgentProvider } from '../../src/realtime/providers/elevenlabs.js';
import { LOCATION_ORIGINS, publicConversationUrl } from '../../src/realtime/providers/elevenlabs-events.js';
import { collectEvents, nextClose, sessionEndTests } from '../helpers/provider-tests.js';
import { type ElevenLabsMockOptions, ElevenLabsMockServer } from './elevenlabs-mock-server.js';

let server: ElevenLabsMockServer;
let provider: ElevenLabsAgentProvider | undefined;

afterEach(async () => {
  await provider?.close();
  provider = undefined;
  await server?.close();
});

const tools = [{ name: 'transfer_call', description: 'Transfer', parameters: { type: 'object', properties: { destination: { type: 'string' } } } }];

async function connected(options: ElevenLabsAgentOptions = {}, mock: ElevenLabsMockOptions = {}): Promise<ElevenLabsAgentProvider> {
  server = new ElevenLabsMockServer(mock);
  provider = new ElevenLabsAgentProvider({ agentId: 'agent_1', requiresAuth: false, baseUrl: await server.origin(), ...options });
  await provider.connect({ instructions: 'Be brief.', voice: 'voice_1', language: 'pt-BR', tools, callFormat: AudioFormats.MULAW_8K });
  return provider;
}

describe('ElevenLabsAgentProvider: conversation setup', () => {
  it('public agent: the agent id in the URL, no key, the overrides and dynamic variables; the agent’s formats', async () => {
    const p = await connected({ dynamicVariables: { caller_id: '1000', vip: true }, firstMessage: 'Olá!' });
    expect(server.signedUrlRequests).toEqual([]);
    const { url, headers } = server.connections[0]!;
    expect(url).toBe('/v1/convai/conversation?agent_id=agent_1');
    expect(headers['xi-api-key']).toBeUndefined();
    expect(headers['sec-websocket-extensions']).toBeUndefined(); // permessage-deflate off by default
    expect(server.received[0]).toEqual({
      type: 'conversation_initiation_client_data',
      conversation_config_override: { agent: { prompt: { prompt: 'Be brief.' }, first_message: 'Olá!', language: 'pt-br' }, tts: { voice_id: 'voice_1' } },
      dynamic_variables: { caller_id: '1000', vip: true },
    });
    expect([p.inputFormat, p.outputFormat]).toEqual([AudioFormats.MULAW_8K, AudioFormats.MULAW_8K]);
    expect(p.conversationId).toBe('conv_test_1');
  });

  it('private agent: a signed URL asked for with xi-api-key, then the socket at that URL', async () => {
    await connected({ apiKey: 'xi-test', requiresAuth: undefined }); // a key makes it a private agent by default
    expect(server.signedUrlRequests).toHaveLength(1);
    expect(server.signedUrlRequests[0]!.url).toBe('/v1/convai/conversation/get-signed-url?agent_id=agent_1');
    expect(server.signedUrlRequests[0]!.headers['xi-api-key']).toBe('xi-test');
    expect(server.connections[0]!.url).toBe('/v1/convai/conversation?agent_id=agent_1&conversation_signature=sig_123');
    expect(server.connections[0]!.headers['xi-api-key']).toBeUndefined();
  });

  it('a refused signed URL is a ProviderError with the HTTP status', async () => {
    const e = await connected({ apiKey: 'wrong', requiresAuth: true }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).providerCode).toBe('401');
    expect(server.connections).toEqual([]);
  });

  it('overrides: false keeps the agent’s own configuration; ws options pass through', async () => {
    await connected({ overrides: false, webSocket: { headers: { 'x-trace': 't1' }, perMessageDeflate: true } });
    expect(server.received[0]).toEqual({ type: 'conversation_initiation_client_data' });
    expect(server.connections[0]!.headers['x-trace']).toBe('t1');
    expect(server.connections[0]!.headers['sec-websocket-extensions']).toMatch(/permessage-deflate/);
  });

  it('reports PCM formats the agent uses, and refuses ones the SDK cannot convert', async () => {
    const p = await connected({}, { input: 'pcm_16000', output: 'pcm_24000' });
    expect([p.inputFormat, p.outputFormat]).toEqual([AudioFormats.PCM16_16K, AudioFormats.PCM16_24K]);
    await p.close();
    await server.close();
    const e = await connected({}, { output: 'pcm_44100' }).catch((err: unknown) => err);
    expect((e as ProviderError).providerCode).toBe('unsupported_audio_format');
    expect((e as ProviderError).message).toMatch(/pcm_44100/);
  });

  it('a refused override: connect rejects with ElevenLabs’ error type and says what to do', async () => {
    const e = await connected({}, { refuseInitiation: { errorType: 'override_error', message: "Override for field 'prompt' is not allowed by config." } }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).providerCode).toBe('override_error');
    expect((e as ProviderError).message).toMatch(/not allowed.*Security settings/);
  });

  it('a refused handshake (HTTP 403)', async () => {
    const e = await connected({}, { refuseWith: 403 }).catch((err: unknown) => err);
    expect((e as ProviderError).providerCode).toBe('403');
  });

  it('without credentials: a ConfigError naming the variable, at construction', () => {
    const saved = { agent: process.env.ELEVENLABS_AGENT_ID, key: process.env.ELEVENLABS_API_KEY };
    delete process.env.ELEVENLABS_AGENT_ID;
    delete process.env.ELEVENLABS_API_KEY;
    try {
      expect(() => new ElevenLabsAgentProvider()).toThrow(ConfigError);
      expect(() => new ElevenLabsAgentProvider()).toThrow(expect.objectContaining({ variable: 'ELEVENLABS_AGENT_ID' }));
      expect(() => new ElevenLabsAgentProvider({ agentId: 'a', requiresAuth: true })).toThrow(expect.objectContaining({ variable: 'ELEVENLABS_API_KEY' }));
      expect(() => new ElevenLabsAgentProvider({ agentId: 'a' })).not.toThrow(); // a public agent needs only its id
    } finally {
      if (saved.agent !== undefined) process.env.ELEVENLABS_AGENT_ID = saved.agent;
      if (saved.key !== undefined) process.env.ELEVENLABS_API_KEY = saved.key;
    }
  });

  it('regional hosts', () => {
    expect(publicConversationUrl(LOCATION_ORIGINS['eu-residency'], 'agent_9')).toBe('wss://api.eu.residency.elevenlabs.io/v1/convai/conversation?agent_id=agent_9');
    expect(publicConversationUrl(LOCATION_ORIGINS.global, 'a b')).toBe('wss://api.elevenlabs.io/v1/convai/conversation?agent_id=a+b');
  });
});

describe('ElevenLabsAgentProvider: audio, turns and barge-in', () => {
  it('carries audio both ways byte for byte and answers every ping with its event id', async () => {
    const p = await connected();
    const frame = Uint8Array.from({ length: 160 }, (_, i) => (i * 7) & 0xff);
    p.sendAudio(frame);
    expect(await server.waitForAudio(160)).toEqual(Buffer.from(frame));
    const heard: ProviderAudio[] = [];
    p.on('audio', (a) => heard.push(a));
    const sent = [Buffer.from(Array.from({ length: 800 }, (_, i) => i & 0xff)), Buffer.from([1, 2, 3])];
    server.audioEvent(1, sent[0]!);
    server.audioEvent(1, sent[1]!);
    expect(await server.ping(77, 41)).toEqual({ type: 'pong', event_id: 77 });
    expect(heard.map((h) => Buffer.from(h.data))).toEqual(sent);
    expect(heard[0]).toMatchObject({ responseId: '1', itemId: '1' });
  });

  it('an answer ends when the next one starts or when the caller’s turn ends', async () => {
    const p = await connected({ answerGapMs: 60_000 });
    const events = collectEvents(p);
    server.audioEvent(1, [1]);
    server.agentResponse(1, 'Bom dia!');
    server.audioEvent(2, [2]);
    server.userTranscript(3, 'Quero falar com a Maria');
    await server.sync();
    expect(events).toEqual(['audio:1:1', 'assistant:Bom dia!', 'done:1:completed', 'audio:2:2', 'speechStopped', 'done:2:completed', 'user:Quero falar com a Maria']);
  });

  it('an answer ends after the audio gap (ElevenLabs announces no end of audio)', async () => {
    const p = await connected({ answerGapMs: 30 });
    const done = new Promise<{ responseId?: string; status?: string }>((r) => p.once('responseDone', r));
    server.audioEvent(3, [3]);
    expect(await done).toEqual({ responseId: '3', status: 'completed' });
  });

  it('interruption: a speech start, the cut answer done, its late audio dropped; the reply (same id as the interruption) plays', async () => {
    const p = await connected();
    const events = collectEvents(p);
    server.audioEvent(4, [4]);
    server.interruption(6);
    server.audioEvent(4, [44]); // late audio of the interrupted answer
    server.audioEvent(5, [55]); // older than the interruption: stale
    server.audioEvent(6, [66]); // the reply (elevenlabs-python #829: same id as the interruption)
    await server.sync();
    expect(events).toEqual(['audio:4:4', 'speechStarted', 'done:4:interrupted', 'audio:6:66']);
    expect(p.droppedAudioChunks).toBe(2);
  });

  it('interrupt() from the session ends the answer and drops its later audio', async () => {
    const p = await connected();
    const events = collectEvents(p);
    server.audioEvent(2, [2]);
    await server.sync();
    p.interrupt({ playedMs: 100 });
    server.audioEvent(2, [22]);
    server.audioEvent(3, [3]);
    await server.sync();
    expect(events).toEqual(['audio:2:2', 'done:2:cancelled', 'audio:3:3']);
    expect(server.received.filter((m) => m.type !== 'pong' && m.type !== 'conversation_initiation_client_data')).toEqual([]); // nothing to send
  });

  it('sends a user text turn', async () => {
    const p = await connected();
    p.sendText('Cumprimente o cliente.');
    expect(await server.waitFor('user_message')).toEqual({ type: 'user_message', text: 'Cumprimente o cliente.' });
  });
});

describe('ElevenLabsAgentProvider: tools', () => {
  it('client tool round trip: the call with its arguments, the result as a string, errors flagged', async () => {
    const p = await connected();
    const calls: ProviderToolCall[] = [];
    p.on('toolCall', (c) => calls.push(c));
    server.clientToolCall(7, 'tc_1', 'transfer_call', { destination: '1001' });
    server.clientToolCall(7, 'tc_2', 'lookup', {});
    server.clientToolCall(7, 'tc_3', 'say', {});
    server.clientToolCall(7, 'tc_1', 'transfer_call', { destination: '1001' }); // again: runs once
    await server.sync();
    expect(calls).toEqual([
      { id: 'tc_1', name: 'transfer_call', args: { destination: '1001' }, responseId: '7' },
      { id: 'tc_2', name: 'lookup', args: {}, responseId: '7' },
      { id: 'tc_3', name: 'say', args: {}, responseId: '7' },
    ]);
    p.sendToolResult('tc_1', { transferred: '1001' });
    p.sendToolResult('tc_2', { error: 'no such person' });
    p.sendToolResult('tc_3', 'plain text');
    p.sendToolResult('tc_1', { again: true }); // answered already: not sent twice
    await server.sync();
    expect(server.all('client_tool_result')).toEqual([
      { type: 'client_tool_result', tool_call_id: 'tc_1', result: '{"transferred":"1001"}', is_error: false },
      { type: 'client_tool_result', tool_call_id: 'tc_2', result: '{"error":"no such person"}', is_error: true },
      { type: 'client_tool_result', tool_call_id: 'tc_3', result: 'plain text', is_error: false },
    ]);
  });

  it('end_call: the farewell arrives, its answer ends, then the session’s hang-up tool; the agent’s close is held', async () => {
    const p = await connected({ answerGapMs: 30 });
    const events = collectEvents(p);
    const closes: unknown[] = [];
    p.on('close', (c) => closes.push(c));
    server.agentResponse(9, 'Até logo!');
    server.audioEvent(9, [9, 9]);
    server.endCall(9);
    const hangup = await new Promise<ProviderToolCall>((r) => p.once('toolCall', r));
    expect(hangup).toEqual({ id: 'end_call_1', name: 'hangup_call', args: { reason: 'the agent ended the call' } });
    expect(events).toEqual(['assistant:Até logo!', 'audio:9:9,9', 'done:9:completed', 'tool:hangup_call:end_call_1']);
    const serverClosed = new Promise((r) => server.socket!.once('close', r));
    server.socket!.close(1000, 'end_call');
    await serverClosed;
    p.sendToolResult('end_call_1', { ok: true });
    expect(server.all('client_tool_result')).toEqual([]);
    expect(closes).toEqual([]); // the session hangs up after the farewell, not on the close
    await p.close();
    expect(closes).toEqual([{ code: 1000 }]);
  });

  it('end_call when no hang-up tool ran: the held close is reported with an error', async () => {
    const p = await connected({ answerGapMs: 30 });
    const closed = nextClose(p);
    server.endCall(3, 'tc_end');
    const call = await new Promise<ProviderToolCall>((r) => p.once('toolCall', r));
    p.sendToolResult(call.id, { error: 'unknown tool hangup_call' });
    server.socket!.close(1000);
    const info = await closed;
    expect(info.error).toBeInstanceOf(ProviderError);
    expect(info.code).toBe(1000);
  });
});

describe('ElevenLabsAgentProvider: mid-call control', () => {
  it('the agent’s configuration cannot change mid-call; say and one-off instructions are user turns', async () => {
    const p = await connected();
    expect(p.capabilities).toMatchObject({ sessionUpdate: false, say: 'prompted', replyInstructions: 'prompted' });
    await expect(p.updateSession({ instructions: 'x' })).rejects.toBeInstanceOf(ProviderUnsupportedError);
    expect(() => p.requestResponse()).toThrow(ProviderUnsupportedError);
    p.say('Um momento, por favor.');
    p.requestResponse({ instructions: 'Ask for the caller’s name.' });
    await server.sync();
    expect(server.all('user_message')).toEqual([
      { type: 'user_message', text: sayPrompt('Um momento, por favor.') },
      { type: 'user_message', text: 'Ask for the caller’s name.' },
    ]);
  });

  it('counts every message and byte both ways, and what it did not understand', async () => {
    const p = await connected();
    const before = { ...p.stats };
    expect([before.messagesSent, before.messagesReceived]).toEqual([1, 1]); // initiation, metadata
    p.sendAudio(new Uint8Array(160));
    server.send('garbage');
    await server.sync(); // a ping, and our pong
    expect(p.stats.messagesSent - before.messagesSent).toBe(2);
    expect(p.stats.bytesSent - before.bytesSent).toBe(Buffer.byteLength(`{"user_audio_chunk":"${Buffer.alloc(160).toString('base64')}"}`) + server.all('pong').map((m) => JSON.stringify(m)).join('').length);
    expect(p.stats.messagesReceived - before.messagesReceived).toBe(2);
    expect(p.stats.messagesIgnored).toBe(1);
  });
});

describe('ElevenLabsAgentProvider: errors and the socket', () => {
  it('an error event is a ProviderError with ElevenLabs’ error type, and the close that follows carries it', async () => {
    const p = await connected();
    const errors: ProviderError[] = [];
    p.on('error', (e) => errors.push(e));
    const closed = nextClose(p);
    server.error(1008, 'max_duration_exceeded', 'Maximum call duration exceeded');
    const info = await closed;
    expect(errors.map((e) => e.providerCode)).toEqual(['max_duration_exceeded']);
    expect(info.code).toBe(1008);
    expect(info.error).toBe(errors[0]);
  });

  it('bad JSON and unknown or malformed events are counted and ignored', async () => {
    const p = await connected();
    const transcripts: ProviderTranscript[] = [];
    p.on('transcript', (t) => transcripts.push(t));
    server.send('{{{ not json');
    server.send('[1]');
    server.send({ no: 'type' });
    server.send({ type: 'audio', audio_event: { event_id: 1 } });
    server.send({ type: 'some_future_event' });
    server.send({ type: 'vad_score', vad_score_event: { vad_score: 0.9 } });
    server.agentResponse(1, 'still here');
    await server.sync();
    expect(p.ignoredMessages).toBe(5);
    expect(transcripts.map((t) => t.text)).toEqual(['still here']);
  });

  it('a peer that stops answering pings is dropped, with an error', async () => {
    const p = await connected({ pingIntervalMs: 30 });
    server.socket!.pause(); // stops reading: no pong, no messages
    const info = await nextClose(p);
    expect(info.error?.providerCode).toBe('unresponsive');
  });

  sessionEndTests(() => connected(), () => server.socket!);
});
