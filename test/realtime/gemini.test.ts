import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { ProviderError } from '../../src/errors.js';
import { AudioFormats } from '../../src/realtime/audio-format.js';
import { GeminiLiveProvider } from '../../src/realtime/providers/gemini.js';

/** A local stand-in for the Live API: every connection's messages, and a way to answer. */
class GeminiMock {
  readonly connections: { ws: WebSocket; url: string; messages: any[] }[] = [];
  private readonly wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  private waiters: (() => void)[] = [];

  constructor() {
    this.wss.on('connection', (ws, req) => {
      const conn = { ws, url: req.url ?? '', messages: [] as any[] };
      this.connections.push(conn);
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString());
        conn.messages.push(m);
        if (m.setup) ws.send(Buffer.from(JSON.stringify({ setupComplete: {} }))); // binary frames, as Google sends
        for (const w of this.waiters.splice(0)) w();
      });
    });
  }

  async url(): Promise<string> {
    if (!this.wss.address()) await new Promise((r) => this.wss.once('listening', r));
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/ws`;
  }

  get last() {
    return this.connections[this.connections.length - 1]!;
  }

  send(m: object | string, conn = this.last): void {
    conn.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  async waitFor(pred: (m: any) => boolean, conn = () => this.last): Promise<any> {
    for (;;) {
      const hit = this.connections.length ? conn().messages.find(pred) : undefined;
      if (hit) return hit;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}

let mock: GeminiMock;
let provider: GeminiLiveProvider;
beforeEach(() => {
  mock = new GeminiMock();
});
afterEach(async () => {
  await provider?.close();
  await mock.close();
});

async function connected(): Promise<GeminiLiveProvider> {
  provider = new GeminiLiveProvider({ apiKey: 'g-key', url: await mock.url() });
  await provider.connect({
    instructions: 'Be the secretary.',
    voice: 'Puck',
    language: 'pt-BR',
    tools: [{ name: 'transfer_call', description: 'Transfer', parameters: { type: 'object', properties: { destination: { type: 'string' } } } }],
  });
  return provider;
}

describe('GeminiLiveProvider against a local Live API server', () => {
  it('sends setup (model, audio, voice, language, tools, transcription, resumption) and works in 16k/24k PCM', async () => {
    const p = await connected();
    expect(mock.last.url).toBe('/ws?key=g-key');
    const { setup } = mock.last.messages[0];
    expect(setup.model).toBe('models/gemini-live-2.5-flash-preview');
    expect(setup.generationConfig).toEqual({ responseModalities: ['AUDIO'], speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Puck' } }, languageCode: 'pt-BR' } });
    expect(setup.tools[0].functionDeclarations[0].name).toBe('transfer_call');
    expect(setup.sessionResumption).toEqual({});
    expect([p.inputFormat, p.outputFormat]).toEqual([AudioFormats.PCM16_16K, AudioFormats.PCM16_24K]);
  });

  it('carries audio both ways byte for byte; an interruption is a speech start; transcripts become final at turn end', async () => {
    const p = await connected();
    p.sendAudio(Uint8Array.from([1, 2, 3, 4]));
    const input = await mock.waitFor((m) => m.realtimeInput);
    expect(input.realtimeInput.audio.mimeType).toBe('audio/pcm;rate=16000');
    expect([...Buffer.from(input.realtimeInput.audio.data, 'base64')]).toEqual([1, 2, 3, 4]);
    const events: string[] = [];
    p.on('audio', (a) => events.push(`audio:${[...a.data].join(',')}:${a.responseId}`));
    p.on('speechStarted', () => events.push('speechStarted'));
    p.on('transcript', (t) => t.final && events.push(`${t.role}:${t.text}`));
    const done = new Promise<void>((r) => p.on('responseDone', (d) => d.status === 'completed' && r()));
    mock.send({ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: Buffer.from([9, 8]).toString('base64') } }] } } });
    mock.send({ serverContent: { interrupted: true } });
    mock.send({ serverContent: { inputTranscription: { text: 'Quero falar ' } } });
    mock.send({ serverContent: { inputTranscription: { text: 'com a Maria' } } });
    mock.send({ serverContent: { outputTranscription: { text: 'Vou transferir.' } } });
    mock.send({ serverContent: { turnComplete: true } });
    await done;
    expect(events).toEqual(['audio:9,8:turn_1', 'speechStarted', 'user:Quero falar com a Maria', 'assistant:Vou transferir.']);
  });

  it('tool call round trip with the function name echoed', async () => {
    const p = await connected();
    const call = new Promise<any>((r) => p.once('toolCall', r));
    mock.send({ toolCall: { functionCalls: [{ id: 'fc1', name: 'transfer_call', args: { destination: '1001' } }] } });
    expect(await call).toMatchObject({ id: 'fc1', name: 'transfer_call', args: { destination: '1001' } });
    p.sendToolResult('fc1', { transferred: '1001' });
    const response = await mock.waitFor((m) => m.toolResponse);
    expect(response.toolResponse.functionResponses).toEqual([{ id: 'fc1', name: 'transfer_call', response: { result: { transferred: '1001' } } }]);
    p.sendText('Cumprimente o cliente.');
    expect((await mock.waitFor((m) => m.clientContent)).clientContent).toEqual({ turns: [{ role: 'user', parts: [{ text: 'Cumprimente o cliente.' }] }], turnComplete: true });
  });

  it('goAway: reconnects with the latest resumption handle, the session sees no close', async () => {
    const p = await connected();
    let closed = false;
    p.on('close', () => (closed = true));
    mock.send({ sessionResumptionUpdate: { newHandle: 'h-42', resumable: true } });
    mock.send({ goAway: { timeLeft: '5s' } });
    const resumed = await mock.waitFor((m) => m.setup, () => mock.connections[1] ?? { ws: undefined as never, url: '', messages: [] });
    expect(resumed.setup.sessionResumption).toEqual({ handle: 'h-42' });
    while (p.resumptions === 0) await new Promise((r) => setImmediate(r));
    p.sendAudio(Uint8Array.from([7]));
    expect((await mock.waitFor((m) => m.realtimeInput, () => mock.connections[1]!)).realtimeInput.audio.data).toBe(Buffer.from([7]).toString('base64'));
    expect(closed).toBe(false);
  });

  it('a server close with an error code is a close with a ProviderError; garbage is ignored', async () => {
    const p = await connected();
    mock.send('not json');
    const closed = new Promise<any>((r) => p.once('close', r));
    mock.last.ws.close(1011, 'internal error');
    const info = await closed;
    expect(info.error).toBeInstanceOf(ProviderError);
    expect(info.error.providerCode).toBe('1011');
    expect(p.ignoredMessages).toBe(1);
  });

  it('needs an API key', async () => {
    const saved = [process.env.GEMINI_API_KEY, process.env.GOOGLE_API_KEY];
    delete process.env.GEMINI_API_KEY;
    delete process.env.GOOGLE_API_KEY;
    await expect(new GeminiLiveProvider({ url: await mock.url() }).connect({ instructions: '' })).rejects.toThrow(/GEMINI_API_KEY/);
    if (saved[0] !== undefined) process.env.GEMINI_API_KEY = saved[0];
    if (saved[1] !== undefined) process.env.GOOGLE_API_KEY = saved[1];
  });
});
