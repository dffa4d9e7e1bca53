import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ProviderError, ProviderUnsupportedError } from '../../src/errors.js';
import { AudioFormats } from '../../src/realtime/audio-format.js';
import type { ProviderToolCall, RealtimeProvider, ResponseDoneInfo, ToolDefinition } from '../../src/realtime/provider.js';
import { type GeminiLiveOptions, GeminiLiveProvider } from '../../src/realtime/providers/gemini.js';
import { nextClose, sessionEndTests } from '../helpers/provider-tests.js';
import { GeminiMockServer } from './gemini-mock-server.js';

let mock: GeminiMockServer;
let provider: GeminiLiveProvider | undefined;
beforeEach(() => {
  mock = new GeminiMockServer();
});
afterEach(async () => {
  await provider?.close();
  provider = undefined;
  await mock.close();
});

const transfer: ToolDefinition = { name: 'transfer_call', description: 'Transfer', parameters: { type: 'object', properties: { destination: { type: 'string' } }, required: ['destination'] } };

async function connected(options: GeminiLiveOptions = {}, tools: ToolDefinition[] = [transfer]): Promise<GeminiLiveProvider> {
  provider = new GeminiLiveProvider({ apiKey: 'g-key', url: await mock.url(), ...options });
  await provider.connect({ instructions: 'Be the secretary.', voice: 'Puck', language: 'pt-BR', tools });
  return provider;
}

/** Resolves once `p` has received `n` messages in all (they are handled in order as they arrive). */
async function received(p: RealtimeProvider, n: number): Promise<void> {
  while (p.stats.messagesReceived < n) await new Promise((r) => setImmediate(r));
}

const audio = (bytes: number[]): object => ({ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: Buffer.from(bytes).toString('base64') } }] } } });

describe('GeminiLiveProvider: setup', () => {
  it('sends the setup Google documents: model, audio, voice, tools (BLOCKING, Gemini schema), transcription, resumption, sliding window', async () => {
    const p = await connected();
    expect(mock.last.url).toBe('/ws?key=g-key');
    expect(mock.last.headers['sec-websocket-extensions']).toBeUndefined(); // no permessage-deflate offered
    const { setup } = mock.last.messages[0];
    expect(setup.model).toBe('models/gemini-3.8-live');
    // Native-audio models take no languageCode: the language is in the system instruction.
    expect(setup.generationConfig).toEqual({ responseModalities: ['AUDIO'], speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Puck' } } } });
    expect(setup.systemInstruction.parts[0].text).toBe('Be the secretary.\n\nSpeak Brazilian Portuguese (pt-BR) with the caller, unless they ask for another language.');
    expect(setup.tools[0].functionDeclarations).toEqual([
      { name: 'transfer_call', description: 'Transfer', behavior: 'BLOCKING', parameters: { type: 'OBJECT', properties: { destination: { type: 'STRING' } }, required: ['destination'] } },
    ]);
    expect(setup.inputAudioTranscription).toEqual({});
    expect(setup.outputAudioTranscription).toEqual({});
    expect(setup.sessionResumption).toEqual({});
    expect(setup.contextWindowCompression).toEqual({ slidingWindow: {} });
    expect([p.inputFormat, p.outputFormat]).toEqual([AudioFormats.PCM16_16K, AudioFormats.PCM16_24K]);
  });

  it('context compression tuned or off; tools as JSON Schema on request; user ws options', async () => {
    await connected({ contextWindowCompression: { triggerTokens: 25_600, targetTokens: 12_800 }, toolSchema: 'json-schema', webSocket: { headers: { 'x-trace': 'g1' } } });
    const { setup } = mock.last.messages[0];
    expect(setup.contextWindowCompression).toEqual({ triggerTokens: '25600', slidingWindow: { targetTokens: '12800' } });
    expect(setup.tools[0].functionDeclarations[0].parametersJsonSchema).toEqual(transfer.parameters);
    expect(mock.last.headers['x-trace']).toBe('g1');
    await provider!.close();
    await connected({ contextWindowCompression: false });
    expect(mock.last.messages[0].setup.contextWindowCompression).toBeUndefined();
  });

  it('tool schemas Gemini would refuse (additionalProperties, $schema, const, oneOf, type lists) are converted', async () => {
    const parameters = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      properties: {
        kind: { const: 'sales' },
        when: { type: ['string', 'null'], format: 'date-time' },
        count: { type: 'integer', minimum: 1, maximum: 9, exclusiveMaximum: 10 },
        target: { oneOf: [{ type: 'string', minLength: 2 }, { type: 'null' }] },
        tags: { type: 'array', items: { enum: ['a', 'b'] }, maxItems: 3, uniqueItems: true },
      },
      required: ['kind'],
    };
    await connected({}, [{ name: 'book', description: 'Book', parameters }]);
    expect(mock.last.messages[0].setup.tools[0].functionDeclarations[0].parameters).toEqual({
      type: 'OBJECT',
      properties: {
        kind: { type: 'STRING', enum: ['sales'] },
        when: { type: 'STRING', nullable: true, format: 'date-time' },
        count: { type: 'INTEGER', minimum: 1, maximum: 9 },
        target: { type: 'STRING', nullable: true, minLength: '2' },
        tags: { type: 'ARRAY', items: { type: 'STRING', enum: ['a', 'b'] }, maxItems: '3' },
      },
      required: ['kind'],
    });
  });

  it('checks its key and model when constructed: a ConfigError naming GEMINI_API_KEY, or the retired model', () => {
    const saved = [process.env.GEMINI_API_KEY, process.env.GOOGLE_API_KEY];
    delete process.env.GEMINI_API_KEY;
    delete process.env.GOOGLE_API_KEY;
    try {
      expect(() => new GeminiLiveProvider()).toThrow(expect.objectContaining({ variable: 'GEMINI_API_KEY', code: 'CONFIG_INVALID' }));
      process.env.GOOGLE_API_KEY = 'g';
      expect(() => new GeminiLiveProvider()).not.toThrow();
      expect(() => new GeminiLiveProvider({ model: 'models/gemini-live-2.5-flash-preview' })).toThrow(ConfigError);
      expect(() => new GeminiLiveProvider({ model: 'gemini-live-2.5-flash-preview' })).toThrow(/shut down on 2025-12-09/);
    } finally {
      for (const [k, v] of [['GEMINI_API_KEY', saved[0]], ['GOOGLE_API_KEY', saved[1]]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('GeminiLiveProvider: audio and turns', () => {
  it('carries audio both ways byte for byte; voiceActivity is the caller’s turn; transcripts become final at turn end', async () => {
    const p = await connected();
    p.sendAudio(Uint8Array.from([1, 2, 3, 4]));
    const input = await mock.waitFor((m) => m.realtimeInput);
    expect(input.realtimeInput.audio.mimeType).toBe('audio/pcm;rate=16000');
    expect([...Buffer.from(input.realtimeInput.audio.data, 'base64')]).toEqual([1, 2, 3, 4]);
    const events: string[] = [];
    p.on('audio', (a) => events.push(`audio:${[...a.data].join(',')}:${a.responseId}`));
    p.on('speechStarted', () => events.push('speechStarted'));
    p.on('speechStopped', () => events.push('speechStopped'));
    p.on('transcript', (t) => t.final && events.push(`${t.role}:${t.text}`));
    p.on('responseDone', (d) => events.push(`done:${d.responseId}:${d.status}`));
    mock.send({ voiceActivity: { voiceActivityType: 'ACTIVITY_START' } });
    mock.send({ serverContent: { inputTranscription: { text: 'Quero falar ' } } });
    mock.send({ serverContent: { inputTranscription: { text: 'com a Maria' } } });
    mock.send({ voiceActivity: { voiceActivityType: 'ACTIVITY_END' } });
    mock.send(audio([9, 8]));
    mock.send({ serverContent: { outputTranscription: { text: 'Vou transferir.' } } });
    mock.send({ serverContent: { generationComplete: true } });
    mock.send({ serverContent: { turnComplete: true }, usageMetadata: { promptTokenCount: 515, responseTokenCount: 38, totalTokenCount: 553, responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 30 }] } });
    const done = new Promise<ResponseDoneInfo>((r) => p.once('responseDone', r));
    expect(await done).toEqual({ responseId: 'turn_1', status: 'completed', usage: { inputTokens: 515, outputTokens: 38, totalTokens: 553, outputAudioTokens: 30 } });
    expect(events).toEqual(['speechStarted', 'speechStopped', 'audio:9,8:turn_1', 'user:Quero falar com a Maria', 'assistant:Vou transferir.', 'done:turn_1:completed']);
  });

  it('interrupted then turnComplete is one turn: one responseDone, and the next answer is the next turn', async () => {
    const p = await connected();
    const events: string[] = [];
    p.on('audio', (a) => events.push(`audio:${a.responseId}`));
    p.on('speechStarted', () => events.push('speechStarted'));
    p.on('responseDone', (d) => events.push(`done:${d.responseId}:${d.status}`));
    mock.send(audio([1]));
    mock.send({ serverContent: { interrupted: true } }); // no voiceActivity: the interruption is the barge-in signal
    mock.send({ serverContent: { turnComplete: true } });
    mock.send(audio([2]));
    mock.send({ serverContent: { turnComplete: true } });
    mock.send({ serverContent: { turnComplete: true } }); // a turn with no answer in it: no responseDone
    await received(p, 7);
    expect(events).toEqual(['audio:turn_1', 'speechStarted', 'done:turn_1:interrupted', 'audio:turn_2', 'done:turn_2:completed']);
  });

  it('an interrupted turn whose turnComplete never comes still ends when the next answer starts', async () => {
    const p = await connected();
    const done: string[] = [];
    const heard: string[] = [];
    p.on('responseDone', (d) => done.push(`${d.responseId}:${d.status}`));
    p.on('audio', (a) => heard.push(a.responseId!));
    mock.send({ voiceActivity: { voiceActivityType: 'ACTIVITY_START' } });
    mock.send(audio([1]));
    mock.send({ serverContent: { interrupted: true } });
    mock.send(audio([2]));
    await received(p, 5);
    expect(done).toEqual(['turn_1:interrupted']);
    expect(heard).toEqual(['turn_1', 'turn_2']);
  });
});

describe('GeminiLiveProvider: tools', () => {
  it('round trip: the call, then its output under "output" (errors under "error") with the function name echoed', async () => {
    const p = await connected();
    const call = new Promise<ProviderToolCall>((r) => p.once('toolCall', r));
    mock.send({ toolCall: { functionCalls: [{ id: 'fc1', name: 'transfer_call', args: { destination: '1001' } }] } });
    expect(await call).toEqual({ id: 'fc1', name: 'transfer_call', args: { destination: '1001' }, responseId: 'turn_1' });
    p.sendToolResult('fc1', { transferred: '1001' });
    const response = await mock.waitFor((m) => m.toolResponse);
    expect(response.toolResponse.functionResponses).toEqual([{ id: 'fc1', name: 'transfer_call', response: { output: { transferred: '1001' } } }]);
    mock.send({ toolCall: { functionCalls: [{ id: 'fc2', name: 'transfer_call', args: {} }] } });
    await received(p, 3);
    p.sendToolResult('fc2', { error: 'missing argument "destination"' });
    const failed = await mock.waitFor((m) => m.toolResponse?.functionResponses[0].id === 'fc2');
    expect(failed.toolResponse.functionResponses[0].response).toEqual({ error: 'missing argument "destination"' });
  });

  it('a call Gemini withdraws (toolCallCancellation) is reported and its late result is not sent', async () => {
    const p = await connected();
    const cancelled = new Promise<{ ids: readonly string[] }>((r) => p.once('toolCallCancelled', r));
    mock.send({ toolCall: { functionCalls: [{ id: 'fc1', name: 'transfer_call', args: { destination: '1001' } }] } });
    mock.send({ toolCallCancellation: { ids: ['fc1'] } });
    expect(await cancelled).toEqual({ ids: ['fc1'] });
    p.sendToolResult('fc1', { transferred: '1001' });
    p.sendText('marker');
    await mock.waitFor((m) => m.clientContent);
    expect(mock.last.messages.filter((m) => m.toolResponse)).toEqual([]);
  });
});

describe('GeminiLiveProvider: mid-call control', () => {
  it('requestResponse asks for an answer (with instructions: a user turn); say prompts the words; pauseInput ends the audio stream; no updateSession', async () => {
    const p = await connected();
    p.requestResponse();
    expect((await mock.waitFor((m) => m.clientContent)).clientContent).toEqual({ turnComplete: true });
    p.requestResponse({ instructions: 'Ask if they are still there.' });
    expect((await mock.waitFor((m) => m.clientContent?.turns)).clientContent).toEqual({ turns: [{ role: 'user', parts: [{ text: 'Ask if they are still there.' }] }], turnComplete: true });
    p.say('Your reference is 42.');
    expect((await mock.waitFor((m) => m.clientContent?.turns?.[0].parts[0].text.includes('42'))).clientContent.turns[0].parts[0].text).toContain('"Your reference is 42."');
    p.pauseInput();
    expect((await mock.waitFor((m) => m.realtimeInput?.audioStreamEnd)).realtimeInput).toEqual({ audioStreamEnd: true });
    await expect(p.updateSession({ instructions: 'x' })).rejects.toBeInstanceOf(ProviderUnsupportedError);
    expect(p.capabilities).toMatchObject({ sessionUpdate: false, say: 'prompted', replyInstructions: 'prompted' });
  });
});

describe('GeminiLiveProvider: long calls (goAway)', () => {
  it('reconnects at once with the latest resumable handle; the session sees no close', async () => {
    const p = await connected();
    let closed = false;
    p.on('close', () => (closed = true));
    mock.send({ sessionResumptionUpdate: { newHandle: 'h-41', resumable: true } });
    mock.send({ sessionResumptionUpdate: { newHandle: '', resumable: false } }); // mid-generation: not resumable now
    mock.send({ sessionResumptionUpdate: { newHandle: 'h-42', resumable: true } });
    mock.send({ goAway: { timeLeft: '5s' } });
    const second = await mock.connection(2);
    const resumed = await mock.waitFor((m) => m.setup, () => second);
    expect(resumed.setup.sessionResumption).toEqual({ handle: 'h-42' });
    while (p.resumptions === 0) await new Promise((r) => setImmediate(r));
    p.sendAudio(Uint8Array.from([7]));
    expect((await mock.waitFor((m) => m.realtimeInput, () => second)).realtimeInput.audio.data).toBe(Buffer.from([7]).toString('base64'));
    expect(closed).toBe(false);
  });

  it('goAway while not resumable: waits for the next resumable handle, then reconnects with it', async () => {
    const p = await connected();
    mock.send({ sessionResumptionUpdate: { newHandle: 'h-1', resumable: true } });
    mock.send({ sessionResumptionUpdate: { resumable: false } });
    mock.send({ goAway: { timeLeft: '30s' } });
    await received(p, 4);
    expect(mock.connections).toHaveLength(1);
    mock.send({ sessionResumptionUpdate: { newHandle: 'h-2', resumable: true } });
    const second = await mock.connection(2);
    expect((await mock.waitFor((m) => m.setup, () => second)).setup.sessionResumption).toEqual({ handle: 'h-2' });
  });

  it('goAway before any handle: reconnects before the deadline without one and says the conversation is lost', async () => {
    const p = await connected();
    const errors: ProviderError[] = [];
    p.on('error', (e) => errors.push(e));
    mock.send({ goAway: { timeLeft: '0.6s' } });
    const second = await mock.connection(2);
    expect((await mock.waitFor((m) => m.setup, () => second)).setup.sessionResumption).toEqual({});
    expect(errors.map((e) => e.providerCode)).toEqual(['context_lost']);
  });

  it('the connection ending before a resumable handle comes: resumes at once with the last one', async () => {
    const p = await connected();
    let closed = false;
    p.on('close', () => (closed = true));
    mock.send({ sessionResumptionUpdate: { newHandle: 'h-7', resumable: true } });
    mock.send({ sessionResumptionUpdate: { resumable: false } });
    mock.send({ goAway: { timeLeft: '60s' } });
    await received(p, 4);
    mock.connections[0]!.ws.close(1000);
    const second = await mock.connection(2);
    expect((await mock.waitFor((m) => m.setup, () => second)).setup.sessionResumption).toEqual({ handle: 'h-7' });
    expect(closed).toBe(false);
  });
});

describe('GeminiLiveProvider: failures', () => {
  it('a server close with an error code is a close with a ProviderError; garbage and unknown messages are counted', async () => {
    const p = await connected();
    mock.send('not json');
    mock.send({ someFutureMessage: {} });
    await received(p, 3);
    const closed = new Promise<any>((r) => p.once('close', r));
    mock.last.ws.close(1011, 'internal error');
    const info = await closed;
    expect(info.error).toBeInstanceOf(ProviderError);
    expect(info.error.providerCode).toBe('1011');
    expect(p.ignoredMessages).toBe(2);
  });

  sessionEndTests(() => connected(), () => mock.last.ws);

  it('a peer that stops answering pings is dropped: a close with a ProviderError', async () => {
    await mock.close();
    mock = new GeminiMockServer({ autoPong: false });
    const p = await connected({ pingIntervalMs: 30 });
    const info = await nextClose(p);
    expect(info.error).toBeInstanceOf(ProviderError);
  });

  it('setup refused (close 1007, as Google does for a bad setup): connect rejects with the code', async () => {
    mock.answerSetup = false;
    provider = new GeminiLiveProvider({ apiKey: 'g', url: await mock.url() });
    const connecting = provider.connect({ instructions: '' });
    const conn = await mock.connection(1);
    await mock.waitFor((m) => m.setup);
    conn.ws.close(1007, 'Invalid JSON payload received.');
    await expect(connecting).rejects.toMatchObject({ providerCode: '1007' });
    provider = undefined;
  });

  it('counts messages and bytes both ways', async () => {
    const p = await connected();
    expect(p.stats.messagesSent).toBe(1);
    expect(p.stats.messagesReceived).toBe(1);
    p.sendAudio(new Uint8Array(640));
    const m = await mock.waitFor((x) => x.realtimeInput);
    expect(p.stats.messagesSent).toBe(2);
    expect(p.stats.bytesSent).toBe(Buffer.byteLength(JSON.stringify(mock.last.messages[0])) + Buffer.byteLength(JSON.stringify(m)));
  });
});
