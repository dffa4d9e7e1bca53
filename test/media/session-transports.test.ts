import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OutboundServer, createOutboundServer } from '../../src/esl/outbound-server.js';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import type { CallTransportOptions } from '../../src/media/call-media.js';
import { getMediaClock } from '../../src/media/media-clock.js';
import { PortAllocator } from '../../src/media/port-allocator.js';
import { WebSocketMediaServer } from '../../src/media/ws-media-server.js';
import { ScriptedProvider } from '../../src/realtime/providers/scripted.js';
import { RealtimeSession, type RealtimeSessionOptions } from '../../src/realtime/session.js';
import { transferCallTool } from '../../src/realtime/tools.js';
import { FreeSwitchSimulator, SimulatedAudioStreamModules } from '../../src/testing/index.js';
import { freeUdpRange } from '../helpers/udp.js';

/** What the caller says: silence, then `speechMs` of voice at `atMs`, then silence. */
function callerSpeech(atMs: number, speechMs: number, totalMs = atMs + speechMs + 2000): Int16Array {
  return Int16Array.from({ length: (totalMs * 8000) / 1000 }, (_, i) => {
    const ms = (i * 1000) / 8000;
    return ms >= atMs && ms < atMs + speechMs ? Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)) : 0;
  });
}

let sim: FreeSwitchSimulator;
let modules: SimulatedAudioStreamModules;
let server: OutboundServer;
let media: WebSocketMediaServer;
let ports: PortAllocator;

beforeEach(async () => {
  modules = new SimulatedAudioStreamModules();
  sim = new FreeSwitchSimulator({ api: modules.api, playback: modules.playback() });
  modules.attach(sim);
  await sim.start();
  server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 10 });
  await server.listen();
  media = new WebSocketMediaServer({ host: '127.0.0.1', port: 0 });
  await media.listen();
  const min = await freeUdpRange(8);
  ports = new PortAllocator({ min, max: min + 3, bindAddress: '127.0.0.1' });
});

afterEach(async () => {
  modules.cleanup();
  await media.close();
  await server.close();
  await sim.stop();
});

type Mode = 'rtp' | 'websocket';

/** What the caller heard of the assistant so far: unicast datagrams, or played files' samples. */
function heardMs(mode: Mode, uuid: string): number {
  if (mode === 'rtp') return (sim.unicast(uuid)?.received.length ?? 0) * 20;
  return modules.playbacksOf(uuid).reduce((ms, p) => ms + (p.how === 'done' ? p.durationMs : (p.endedAt ?? performance.now()) - p.startedAt), 0);
}

function mediaOptions(mode: Mode): CallTransportOptions {
  return mode === 'rtp'
    ? { mode, ports, freeswitchPort: (p) => p + 4 }
    : { mode, websocket: { server: media, files: { minChunkMs: 100, chunkMs: 400 } } };
}

async function session(mode: Mode, callerAudio: Int16Array, provider: ScriptedProvider, options: Partial<RealtimeSessionOptions> = {}) {
  const uuid = randomUUID();
  modules.setCallerAudio(uuid, callerAudio);
  const arrived = new Promise<OutboundCall>((resolve) => server.once('call', resolve));
  sim.callSocket({ port: server.address()!.port }, { codec: 'PCMU', callerAudio, uuid });
  const call = await arrived;
  const s = new RealtimeSession({ call, provider, instructions: 'You are a secretary.', media: mediaOptions(mode), ...options });
  await s.start();
  return { session: s, call, uuid };
}

const ended = (s: RealtimeSession): Promise<{ reason: string }> => new Promise((resolve) => s.once('ended', resolve));

describe.each(['rtp', 'websocket'] as const)('RealtimeSession over %s', (mode) => {
  it('greets, answers the caller, and a transfer tool call reaches FreeSWITCH', async () => {
    const provider = new ScriptedProvider({
      greeting: 'Hello',
      turns: [{ say: 'Transferring you', tool: { name: 'transfer_call', args: { destination: '1001' } } }],
    });
    const { session: s, uuid } = await session(mode, callerSpeech(800, 600), provider, { greeting: 'greet', tools: [transferCallTool()] });
    expect(s.media!.kind).toBe(mode);
    const done = ended(s);
    const transfer = await sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'), 8000);
    expect(transfer.line).toBe(`api uuid_transfer ${uuid} 1001 XML default`);
    expect((await done).reason).toBe('transferred');
    expect(heardMs(mode, uuid)).toBeGreaterThan(200);
    expect(s.metrics.timeToFirstAudioMs).toBeGreaterThan(0);
    expect(s.metrics.transcript.map((t) => t.text)).toEqual(['Hello', 'Transferring you']);
    if (mode === 'websocket') await sim.waitForCommand((c) => c.line === `api uuid_audio_stream ${uuid} stop`);
  });

  it('barge-in: queued audio is dropped, the provider learns what was heard, and the next answer plays', async () => {
    const provider = new ScriptedProvider({ greeting: 'x'.repeat(80), turns: [{ say: 'Sure, how can I help?' }], maxUtteranceMs: 4000 });
    const { session: s, uuid } = await session(mode, callerSpeech(900, 500), provider, { greeting: 'greet', bargeIn: { protectGreetingMs: 0 } });
    const barge = await new Promise<{ playedMs: number; droppedMs: number }>((resolve) => s.once('bargeIn', resolve));
    expect(barge.playedMs).toBeGreaterThan(0);
    expect(barge.droppedMs).toBeGreaterThan(1000);
    expect(provider.lastInterruption).toEqual({ responseId: 'resp_1', playedMs: barge.playedMs });
    expect(s.media!.queuedMs).toBe(0);
    const atBarge = heardMs(mode, uuid);
    const answer = await new Promise<string>((resolve) => s.on('transcript', (t) => resolve(t.text)));
    expect(answer).toBe('Sure, how can I help?');
    await new Promise<void>((resolve) => s.media!.once('drained', () => resolve()));
    expect(heardMs(mode, uuid)).toBeGreaterThan(atBarge + 300);
    await s.end();
  });

  it('falls back when the provider dies: transfer to the operator', async () => {
    const provider = new ScriptedProvider({ greeting: 'Hi' });
    const { session: s, uuid } = await session(mode, callerSpeech(5000, 100), provider, { fallback: { transfer: '9000' } });
    const done = ended(s);
    provider.emit('close', { code: 1011, reason: 'server error' });
    expect((await done).reason).toBe('provider-failed');
    expect((await sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'))).line).toBe(`api uuid_transfer ${uuid} 9000 XML default`);
  });

  it('tears everything down on hangup: no port, no stream, no clock subscriber', async () => {
    const provider = new ScriptedProvider({ greeting: 'Hi' });
    const { session: s, uuid } = await session(mode, callerSpeech(5000, 100), provider, { greeting: 'g' });
    const done = ended(s);
    sim.hangup(uuid);
    expect((await done).reason).toBe('hangup');
    expect(ports.inUse).toBe(0);
    expect(getMediaClock().size).toBe(0);
    if (mode === 'websocket') {
      const stream = modules.stream(uuid)!;
      await stream.until(() => stream.closed !== undefined);
      expect(stream.closed).toMatchObject({ code: 1000, by: 'module' });
    }
  });
});

describe('RealtimeSession over websocket: the stream dies mid-call', () => {
  it('the session ends with media-failed, the call goes to the fallback, and the media bug is removed', async () => {
    const provider = new ScriptedProvider({ greeting: 'Hi' });
    const { session: s, uuid } = await session('websocket', callerSpeech(5000, 100), provider, { fallback: { transfer: 'operator' } });
    const done = ended(s);
    const failure = new Promise<Error>((resolve) => s.once('error', resolve));
    modules.stream(uuid)!.terminate();
    expect((await done).reason).toBe('media-failed');
    expect(await failure).toMatchObject({ code: 'MEDIA_STREAM_FAILED', reason: 'closed', uuid });
    await sim.waitForCommand((c) => c.line === `api uuid_audio_stream ${uuid} stop`);
    expect((await sim.waitForCommand((c) => c.line.startsWith('api uuid_transfer'))).line).toBe(`api uuid_transfer ${uuid} operator XML default`);
    expect(getMediaClock().size).toBe(0);
  });
});
