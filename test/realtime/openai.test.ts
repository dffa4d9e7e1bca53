import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { type AudioFormat, AudioFormats } from '../../src/realtime/audio-format.js';
import type { ProviderAudio, ProviderTranscript } from '../../src/realtime/provider.js';
import { type OpenAIRealtimeOptions, OpenAIRealtimeProvider } from '../../src/realtime/providers/openai.js';
import { nextClose, sessionEndTests } from '../helpers/provider-tests.js';
import { type OpenAIMockOptions, OpenAIMockServer } from './openai-mock-server.js';

let server: OpenAIMockServer;
let provider: OpenAIRealtimeProvider | undefined;

afterEach(async () => {
  await provider?.close();
  provider = undefined;
  expect(server.rejected).toEqual([]);
  await server.close();
});

const tools = [{ name: 'transfer_call', description: 'Transfer', parameters: { type: 'object', properties: { destination: { type: 'string' } }, required: ['destination'] } }];

async function connected(options: OpenAIRealtimeOptions = {}, callFormat: AudioFormat = AudioFormats.MULAW_8K, mock: OpenAIMockOptions = {}): Promise<OpenAIRealtimeProvider> {
  server = new OpenAIMockServer(mock);
  provider = new OpenAIRealtimeProvider({ apiKey: 'sk-test', url: await server.ready(), ...options });
  await provider.connect({ instructions: 'Be brief.', voice: 'marin', language: 'pt-BR', tools, callFormat });
  return provider;
}

async function sessionSent(): Promise<any> {
  return (await server.waitFor('session.update')).session;
}

describe('OpenAIRealtimeProvider: session setup', () => {
  it('GA: bearer auth, µ-law in and out, server VAD as configured, tools, transcription; confirmed formats', async () => {
    const p = await connected({ turnDetection: { threshold: 0.7, silenceDurationMs: 400 } });
    expect(server.headers.authorization).toBe('Bearer sk-test');
    expect(server.headers['openai-beta']).toBeUndefined();
    const session = await sessionSent();
    expect(session.type).toBe('realtime');
    expect(session.instructions).toBe('Be brief.');
    expect(session.audio.input.format).toEqual({ type: 'audio/pcmu' });
    expect(session.audio.output).toEqual({ format: { type: 'audio/pcmu' }, voice: 'marin' });
    expect(session.audio.input.turn_detection).toEqual({ type: 'server_vad', threshold: 0.7, prefix_padding_ms: 300, silence_duration_ms: 400 });
    expect(session.audio.input.transcription).toEqual({ model: 'gpt-4o-mini-transcribe', language: 'pt' });
    expect(session.tools).toEqual([{ type: 'function', ...tools[0] }]);
    expect(p.inputFormat).toEqual(AudioFormats.MULAW_8K);
    expect(p.outputFormat).toEqual(AudioFormats.MULAW_8K);
  });

  it('beta: OpenAI-Beta header, g711_ulaw strings, modalities, input_audio_transcription', async () => {
    const p = await connected({ api: 'beta', transcriptionModel: 'whisper-1' });
    expect(server.headers['openai-beta']).toBe('realtime=v1');
    const session = await sessionSent();
    expect([session.input_audio_format, session.output_audio_format]).toEqual(['g711_ulaw', 'g711_ulaw']);
    expect(session.modalities).toEqual(['audio', 'text']);
    expect(session.voice).toBe('marin');
    expect(session.input_audio_transcription).toEqual({ model: 'whisper-1', language: 'pt' });
    expect(session.turn_detection.type).toBe('server_vad');
    expect(p.inputFormat).toEqual(AudioFormats.MULAW_8K);
    expect(p.outputFormat).toEqual(AudioFormats.MULAW_8K);
  });

  it('reports the formats the server confirmed, not the ones it asked for (GA objects and beta strings)', async () => {
    const ga = await connected({}, AudioFormats.MULAW_8K, { confirm: () => [{ type: 'session.updated', session: { audio: { input: { format: { type: 'audio/pcm', rate: 24000 } }, output: { format: { type: 'audio/pcmu' } } } } }] });
    expect([ga.inputFormat, ga.outputFormat]).toEqual([AudioFormats.PCM16_24K, AudioFormats.MULAW_8K]);
    await ga.close();
    await server.close();
    const beta = await connected({ api: 'beta' }, AudioFormats.MULAW_8K, { confirm: () => [{ type: 'session.updated', session: { input_audio_format: 'g711_alaw', output_audio_format: 'pcm16' } }] });
    expect([beta.inputFormat, beta.outputFormat]).toEqual([AudioFormats.ALAW_8K, AudioFormats.PCM16_24K]);
  });

  it('picks the audio: the call’s G.711 law, PCM16 24 kHz otherwise, or the fixed preference', async () => {
    await connected({}, AudioFormats.ALAW_8K);
    expect((await sessionSent()).audio.input.format).toEqual({ type: 'audio/pcma' });
    await provider!.close();
    await server.close();
    const l16 = await connected({}, AudioFormats.PCM16_8K);
    expect((await sessionSent()).audio.output.format).toEqual({ type: 'audio/pcm', rate: 24000 });
    expect(l16.outputFormat).toEqual(AudioFormats.PCM16_24K);
    await l16.close();
    await server.close();
    await connected({ audio: 'pcm16', api: 'beta' }, AudioFormats.MULAW_8K);
    expect((await sessionSent()).input_audio_format).toBe('pcm16');
  });
});

describe('OpenAIRealtimeProvider: audio, transcripts, turns', () => {
  it('carries audio both ways byte for byte, under GA and beta event names', async () => {
    const p = await connected();
    const frame = Uint8Array.from({ length: 160 }, (_, i) => (i * 7) & 0xff);
    p.sendAudio(frame.subarray(0, 160));
    const append = await server.waitFor('input_audio_buffer.append');
    expect(Buffer.from(String(append.audio), 'base64')).toEqual(Buffer.from(frame));
    const heard: ProviderAudio[] = [];
    p.on('audio', (a) => heard.push(a));
    const sent = [Buffer.from(Array.from({ length: 400 }, (_, i) => i & 0xff)), Buffer.from([4])];
    server.send({ type: 'response.output_audio.delta', response_id: 'r1', item_id: 'i1', output_index: 0, content_index: 0, delta: sent[0]!.toString('base64') });
    server.send({ type: 'response.audio.delta', response_id: 'r1', item_id: 'i1', output_index: 0, content_index: 0, delta: sent[1]!.toString('base64') });
    await server.sync(p);
    expect(heard.map((h) => Buffer.from(h.data))).toEqual(sent);
    expect(heard[0]).toMatchObject({ responseId: 'r1', itemId: 'i1' });
  });

  it('emits both sides’ transcripts (deltas and finals) and the caller’s turns', async () => {
    const p = await connected();
    const transcripts: ProviderTranscript[] = [];
    const turns: unknown[] = [];
    p.on('transcript', (t) => transcripts.push(t));
    p.on('speechStarted', (i) => turns.push(['start', i]));
    p.on('speechStopped', (i) => turns.push(['stop', i]));
    server.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: 1200, item_id: 'u1' });
    server.send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 2600, item_id: 'u1' });
    server.send({ type: 'conversation.item.input_audio_transcription.delta', item_id: 'u1', content_index: 0, delta: 'Olá' });
    server.send({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'u1', content_index: 0, transcript: 'Olá, bom dia' });
    server.send({ type: 'response.output_audio_transcript.delta', response_id: 'r1', item_id: 'a1', delta: 'Bom' });
    server.send({ type: 'response.output_audio_transcript.done', response_id: 'r1', item_id: 'a1', transcript: 'Bom dia!' });
    server.send({ type: 'response.audio_transcript.delta', response_id: 'r2', item_id: 'a2', delta: 'Em' });
    server.send({ type: 'response.audio_transcript.done', response_id: 'r2', item_id: 'a2', transcript: 'Em que posso ajudar?' });
    await server.sync(p);
    expect(turns).toEqual([['start', { audioStartMs: 1200 }], ['stop', { audioEndMs: 2600 }]]);
    expect(transcripts.filter((t) => !t.itemId?.startsWith('sync'))).toEqual([
      { role: 'user', text: 'Olá', final: false, itemId: 'u1' },
      { role: 'user', text: 'Olá, bom dia', final: true, itemId: 'u1' },
      { role: 'assistant', text: 'Bom', final: false, itemId: 'a1' },
      { role: 'assistant', text: 'Bom dia!', final: true, itemId: 'a1' },
      { role: 'assistant', text: 'Em', final: false, itemId: 'a2' },
      { role: 'assistant', text: 'Em que posso ajudar?', final: true, itemId: 'a2' },
    ]);
  });
});

describe('OpenAIRealtimeProvider: barge-in', () => {
  it('cancels the active response and truncates its audio item at exactly what the caller heard', async () => {
    const p = await connected();
    server.startResponse('r1');
    // 2 s of µ-law received (16 000 bytes), of which the caller heard 740 ms.
    for (let i = 0; i < 10; i++) server.send({ type: 'response.output_audio.delta', response_id: 'r1', item_id: 'item_9', delta: Buffer.alloc(1600, 0xff).toString('base64') });
    await server.sync(p);
    p.interrupt({ playedMs: 740.4 });
    await server.flush(p);
    const cancelAt = server.received.findIndex((e) => e.type === 'response.cancel');
    const truncateAt = server.received.findIndex((e) => e.type === 'conversation.item.truncate');
    expect(cancelAt).toBeGreaterThan(-1);
    expect(truncateAt).toBeGreaterThan(cancelAt);
    expect(server.received[truncateAt]).toEqual({ type: 'conversation.item.truncate', item_id: 'item_9', content_index: 0, audio_end_ms: 740 });
  });

  it('never truncates past the audio received, sends no cancel without an active response, truncates once', async () => {
    const p = await connected({ audio: 'pcm16' });
    server.startResponse('r1');
    server.send({ type: 'response.output_audio.delta', response_id: 'r1', item_id: 'item_1', delta: Buffer.alloc(4800).toString('base64') }); // 100 ms @ 24 kHz PCM16
    server.endResponse();
    await server.sync(p);
    p.interrupt({ playedMs: 5000 });
    p.interrupt({ playedMs: 5000 });
    await server.flush(p);
    expect(server.all('response.cancel')).toEqual([]);
    expect(server.all('conversation.item.truncate')).toEqual([{ type: 'conversation.item.truncate', item_id: 'item_1', content_index: 0, audio_end_ms: 100 }]);
  });

  it('treats a cancel that crossed the end of the response as harmless', async () => {
    const p = await connected();
    const errors: ProviderError[] = [];
    p.on('error', (e) => errors.push(e));
    server.send({ type: 'error', error: { type: 'invalid_request_error', code: 'response_cancel_not_active', message: 'Cancellation failed: no active response found' } });
    await server.sync(p);
    expect(errors).toEqual([]);
  });
});

describe('OpenAIRealtimeProvider: errors and the socket', () => {
  it('reports server errors and failed responses, counts garbage and unknown events, and survives', async () => {
    const p = await connected();
    const errors: ProviderError[] = [];
    p.on('error', (e) => errors.push(e));
    server.send('{{{ not json');
    server.send('[1,2]');
    server.send({ no: 'type' });
    server.send({ type: 'response.output_audio.delta', item_id: 'x', delta: 42 });
    server.send({ type: 'some.future.event' });
    server.send({ type: 'rate_limits.updated', rate_limits: [] });
    server.send({ type: 'error', error: { type: 'invalid_request_error', code: 'invalid_value', message: 'bad voice', event_id: 'e1' } });
    server.send({ type: 'response.done', response: { id: 'r9', status: 'failed', status_details: { type: 'failed', error: { type: 'server_error', code: 'server_error', message: 'oops' } } } });
    server.send({ type: 'conversation.item.input_audio_transcription.failed', item_id: 'u1', error: { type: 'transcription_error', code: 'audio_unintelligible', message: 'no' } });
    await server.sync(p);
    expect(p.ignoredMessages).toBe(5);
    expect(errors.map((e) => [e.providerCode, e instanceof ProviderError])).toEqual([
      ['invalid_value', true],
      ['server_error', true],
      ['audio_unintelligible', true],
    ]);
    p.sendAudio(new Uint8Array(160));
    await server.waitFor('input_audio_buffer.append');
  });

  it('a peer that stops answering pings is dropped, with an error', async () => {
    const p = await connected({ pingIntervalMs: 30 }, AudioFormats.MULAW_8K, { autoPong: false });
    const info = await nextClose(p);
    expect(info.error).toBeInstanceOf(ProviderError);
  });

  sessionEndTests(() => connected(), () => server.socket!);
});

describe('OpenAIRealtimeProvider: mid-call control', () => {
  it('updateSession sends only what changes (GA: with session.type) and resolves on session.updated', async () => {
    const p = await connected();
    await p.updateSession({ instructions: 'Now speak Spanish.' });
    const patches = server.all('session.update').slice(1);
    expect(patches).toEqual([{ type: 'session.update', event_id: expect.any(String), session: { type: 'realtime', instructions: 'Now speak Spanish.' } }]);
    const newTools = [{ name: 'book', description: 'Book a room', parameters: { type: 'object', properties: {} } }];
    await p.updateSession({ tools: newTools });
    expect(server.all('session.update')[2]!.session).toEqual({ type: 'realtime', tools: [{ type: 'function', ...newTools[0] }] });
  });

  it('updateSession rejects with the server error that answers it (beta: no session.type)', async () => {
    const p = await connected({ api: 'beta' }, AudioFormats.MULAW_8K, {
      confirm: (u) => ((u.session as { instructions?: string }).instructions === 'bad' ? [{ type: 'error', error: { type: 'invalid_request_error', code: 'invalid_value', message: 'no', event_id: u.event_id } }] : [{ type: 'session.updated', session: u.session }]),
    });
    await expect(p.updateSession({ instructions: 'bad' })).rejects.toMatchObject({ providerCode: 'invalid_value' });
    expect(server.all('session.update')[1]!.session).toEqual({ instructions: 'bad' });
    await p.updateSession({ instructions: 'good' });
  });

  it('requestResponse carries per-answer instructions, sequenced behind an active answer; say asks for the words verbatim', async () => {
    const p = await connected();
    server.startResponse('r_vad');
    await server.sync(p);
    p.requestResponse({ instructions: 'Ask whether they are still there.' });
    await server.flush(p);
    expect(server.all('response.create')).toEqual([]);
    server.endResponse();
    const create = await server.waitFor('response.create');
    expect(create.response).toEqual({ instructions: 'Ask whether they are still there.' });
    server.endResponse();
    p.say('Your reference is 42-17.');
    const sayCreate = await server.waitFor('response.create', 2);
    expect((sayCreate.response as { instructions: string }).instructions).toContain('"Your reference is 42-17."');
    expect(p.capabilities).toMatchObject({ sessionUpdate: 'live', say: 'prompted', replyInstructions: 'native' });
  });

  it('pauseInput clears the half-heard input buffer', async () => {
    const p = await connected();
    p.pauseInput();
    await server.waitFor('input_audio_buffer.clear');
  });

  it('counts every message and byte both ways', async () => {
    const p = await connected();
    const sentBefore = { ...p.stats };
    p.sendAudio(new Uint8Array(160));
    await server.waitFor('input_audio_buffer.append');
    const appended = JSON.stringify(server.all('input_audio_buffer.append')[0]);
    expect(p.stats.messagesSent - sentBefore.messagesSent).toBe(1);
    expect(p.stats.bytesSent - sentBefore.bytesSent).toBe(Buffer.byteLength(appended));
    const received = p.stats.messagesReceived;
    const event = { type: 'rate_limits.updated', rate_limits: [] };
    const bytes = p.stats.bytesReceived;
    server.send(event);
    await server.sync(p);
    expect(p.stats.messagesReceived - received).toBe(2); // the event and the sync marker
    expect(p.stats.bytesReceived - bytes).toBeGreaterThan(JSON.stringify(event).length);
  });
});
