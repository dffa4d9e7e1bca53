import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderToolCall, ProviderTranscript, ResponseDoneInfo, ToolDefinition } from '../../src/realtime/provider.js';
import { DEFAULT_GEMINI_LIVE_MODEL, GEMINI_LIVE_MODELS, GEMINI_LIVE_MODELS_CHECKED, RETIRED_GEMINI_LIVE_MODELS } from '../../src/realtime/providers/gemini-models.js';
import { GeminiLiveProvider } from '../../src/realtime/providers/gemini.js';
import { geminiRecording } from '../helpers/vendor-recordings.js';
import { GeminiMockServer } from './gemini-mock-server.js';

// Google's own recorded Live API sessions (test/fixtures/gemini, from googleapis/js-genai),
// replayed: the server messages after the recording's n-th client message answer our n-th.

let mock: GeminiMockServer;
let provider: GeminiLiveProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
  await mock.close();
});

async function replaying(name: string, tools: ToolDefinition[] = []): Promise<GeminiLiveProvider> {
  mock = new GeminiMockServer();
  mock.replay(geminiRecording(name));
  provider = new GeminiLiveProvider({ apiKey: 'k', url: await mock.url() });
  await provider.connect({ instructions: 'x', tools });
  return provider;
}

async function received(p: GeminiLiveProvider, n: number): Promise<void> {
  while (p.stats.messagesReceived < n) await new Promise((r) => setImmediate(r));
}

const serverMessages = (name: string) => geminiRecording(name).filter((m) => m.dir === 'server');
const clientMessages = (name: string) => geminiRecording(name).filter((m) => m.dir === 'client');

describe('Gemini Live, against Google’s recorded sessions', () => {
  const recordings = readdirSync(fileURLToPath(new URL('../fixtures/gemini/', import.meta.url)))
    .filter((f) => f.endsWith('.websocket.log'))
    .map((f) => f.replace('.websocket.log', ''));

  it('every recorded server message is understood; none is counted unknown', async () => {
    expect(recordings.length).toBeGreaterThanOrEqual(10);
    mock = new GeminiMockServer();
    provider = new GeminiLiveProvider({ apiKey: 'k', url: await mock.url() });
    await provider.connect({ instructions: 'x' });
    const all = recordings.flatMap((r) => serverMessages(r).slice(1)); // after each setupComplete
    for (const m of all) mock.send(m.json);
    await received(provider, 1 + all.length);
    expect(provider.stats.messagesIgnored).toBe(0);
  });

  it('Vertex send_text: our text turn is the recorded one, and the recorded audio comes out byte for byte', async () => {
    const name = 'live_Vertex_should_send_text_in_async_session';
    const p = await replaying(name);
    const chunks: Buffer[] = [];
    p.on('audio', (a) => chunks.push(Buffer.from(a.data)));
    p.sendText('Hello what should we talk about?');
    await received(p, serverMessages(name).length);
    expect(mock.last.messages[1]).toEqual(clientMessages(name)[1]!.json);
    const recorded = serverMessages(name).slice(1).map((m) => Buffer.from(m.json.serverContent.modelTurn.parts[0].inlineData.data, 'base64'));
    expect(recorded.length).toBe(2);
    expect(chunks).toEqual(recorded);
  });

  it('the recorded end of a turn (turnComplete with usageMetadata) ends the answer with its usage', async () => {
    const p = await replaying('live_Vertex_should_send_text_in_async_session');
    const done = new Promise<ResponseDoneInfo>((r) => p.once('responseDone', r));
    p.sendText('Hello what should we talk about?');
    await received(p, 3);
    // The Vertex recording stops before its turn ends; the ML Dev one records the end.
    const end = serverMessages('live_ML_Dev_should_send_text_in_async_session').slice(1);
    for (const m of end) mock.send(m.json);
    expect(await done).toEqual({ responseId: 'turn_1', status: 'completed', usage: { inputTokens: 515, outputTokens: 38, totalTokens: 553 } });
  });

  it('tool call: our declaration of the recorded function is the recorded one; the call comes out with its id', async () => {
    const name = 'live_ML_Dev_should_send_tool_response';
    const recordedDeclaration = clientMessages(name)[0]!.json.setup.tools[0].functionDeclarations[0];
    const tool = {
      name: 'get_current_weather',
      description: 'Get the current weather in a given location',
      parameters: {
        type: 'object',
        properties: { location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
        required: ['location'],
        additionalProperties: false,
      },
    };
    const p = await replaying(name, [tool]);
    const ours = mock.last.messages[0].setup.tools[0].functionDeclarations[0];
    expect({ ...ours, behavior: undefined }).toEqual({ ...recordedDeclaration, behavior: undefined });
    const call = new Promise<ProviderToolCall>((r) => p.once('toolCall', r));
    p.sendText('what is the weather in Redmond Washington');
    expect(await call).toEqual({ id: 'function-call-5831923424298605773', name: 'get_current_weather', args: { location: 'Redmond, WA' }, responseId: 'turn_1' });
    expect(mock.last.messages[1]).toEqual(clientMessages(name)[1]!.json);
    p.sendToolResult('function-call-5831923424298605773', { temperature: 12, unit: 'celsius' });
    const response = await mock.waitFor((m) => m.toolResponse);
    expect(response.toolResponse.functionResponses).toEqual([{ id: 'function-call-5831923424298605773', name: 'get_current_weather', response: { output: { temperature: 12, unit: 'celsius' } } }]);
    // The shape Google's SDK sent for a tool response, with the id the Developer API requires.
    const recorded = clientMessages('live_ML_Dev_should_send_tool_response_with_function_responses')[1]!.json.toolResponse.functionResponses[0];
    expect(Object.keys(recorded).sort()).toEqual(['id', 'name', 'response']);
  });

  it('recorded output transcription: partial assistant transcripts, empty ones skipped', async () => {
    const p = await replaying('live_Vertex_should_receive_transcription_in_async_session_with_transcription_enabled');
    const seen: ProviderTranscript[] = [];
    p.on('transcript', (t) => seen.push(t));
    p.sendText('Hello what should we talk about?');
    await received(p, 3);
    expect(seen).toEqual([{ role: 'assistant', text: 'We', final: false }]);
  });
});

describe('Gemini Live model names', () => {
  it(`the default is served, as of ${GEMINI_LIVE_MODELS_CHECKED}, and not retired`, () => {
    expect(GEMINI_LIVE_MODELS.map((m) => m.name)).toContain(DEFAULT_GEMINI_LIVE_MODEL);
    expect(RETIRED_GEMINI_LIVE_MODELS[DEFAULT_GEMINI_LIVE_MODEL]).toBeUndefined();
    expect(GEMINI_LIVE_MODELS.find((m) => m.name === DEFAULT_GEMINI_LIVE_MODEL)?.stage).toBe('stable');
    expect(new GeminiLiveProvider({ apiKey: 'k' }).model).toBe(DEFAULT_GEMINI_LIVE_MODEL);
  });

  it('no model is both served and retired; every retired model names a served replacement', () => {
    for (const [name, retired] of Object.entries(RETIRED_GEMINI_LIVE_MODELS)) {
      expect(GEMINI_LIVE_MODELS.map((m) => m.name)).not.toContain(name);
      expect(GEMINI_LIVE_MODELS.map((m) => m.name)).toContain(retired.replacement);
    }
    // The model Google's recordings were made with is one of the retired.
    expect(RETIRED_GEMINI_LIVE_MODELS['gemini-live-2.5-flash-preview']?.shutdown).toBe('2025-12-09');
  });
});
