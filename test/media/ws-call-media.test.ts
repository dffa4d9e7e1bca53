import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { MediaStreamError } from '../../src/errors.js';
import { AudioFormats } from '../../src/media/audio-format.js';
// Through the package's entry point, which wires AUDIO_MODE (and the other variables) into the defaults.
import { startCallMediaFor } from '../../src/index.js';
import { pcmFromLE, pcmToLE } from '../../src/media/pcm.js';
import type { WebSocketMediaTransport } from '../../src/media/ws-media-transport.js';
import { useWsHarness } from '../helpers/ws-harness.js';

const h = useWsHarness();

/** An `api/response` frame with `body`. */
function apiResponse(body: string): string {
  return `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;
}

/** 440 Hz at 8 kHz, `ms` long. */
function tone(ms: number, hz = 440, rate = 8000): Int16Array {
  return Int16Array.from({ length: (rate * ms) / 1000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)));
}

async function call(callerAudio?: Int16Array, variables?: Record<string, string>): Promise<{ call: OutboundCall; uuid: string }> {
  const uuid = randomUUID();
  if (callerAudio) h.modules.setCallerAudio(uuid, callerAudio);
  const arrived = new Promise<OutboundCall>((resolve) => h.server.once('call', resolve));
  h.sim.callSocket({ port: h.server.address()!.port }, { codec: 'PCMU', uuid, variables });
  return { call: await arrived, uuid };
}

/** The first `n` non-silent frames of caller audio. */
function voiced(transport: WebSocketMediaTransport, n: number): Promise<Uint8Array[]> {
  return new Promise((resolve) => {
    const frames: Uint8Array[] = [];
    transport.on('audio', (f) => {
      if (frames.length === 0 && pcmFromLE(f).every((s) => s === 0)) return;
      if (frames.length < n) frames.push(f);
      if (frames.length === n) resolve(frames);
    });
  });
}

describe('startCallMediaFor: websocket through the simulated modules', () => {
  it.each(['mod_audio_stream', 'mod_audio_fork'] as const)('%s: the caller arrives as 20 ms PCM frames, exactly as spoken', async (module) => {
    const voice = tone(1000);
    const { call: c, uuid } = await call(voice);
    // A deep jitter buffer: the claim is about the bytes, not the timing of a loaded machine.
    const media = await startCallMediaFor(c, { mode: 'websocket', jitter: { minMs: 100, targetMs: 200, maxMs: 400 }, websocket: { server: h.media, module, noAudioTimeoutMs: 0 } });
    expect(media.kind).toBe('websocket');
    const command = await h.sim.waitForCommand((x) => x.line.startsWith(`api uuid_audio_${module === 'mod_audio_stream' ? 'stream' : 'fork'}`));
    const path = module === 'mod_audio_stream' ? 'stream' : 'fork';
    const bug = module === 'mod_audio_fork' ? ' audio_fork' : '';
    expect(command.line).toBe(`api uuid_audio_${path} ${uuid} start ws://127.0.0.1:${h.media.address()!.port}/${path}/${uuid} mono 8k${bug} {"uuid":"${uuid}"}`);
    const transport = media.transport as WebSocketMediaTransport;
    expect(transport.stream.module).toBe(module);
    const frames = await voiced(transport, 40);
    expect(transport.stream.metadata).toEqual({ uuid });
    expect(frames.every((f) => f.length === 320)).toBe(true);
    const heard = Int16Array.from(frames.flatMap((f) => Array.from(pcmFromLE(f))));
    expect(heard).toEqual(voice.subarray(0, heard.length));
    const stats = transport.stats();
    expect(stats.receiver.fillerFrames).toBeGreaterThan(0);
    expect(stats.stream.malformedJson).toBe(0);
    if (module === 'mod_audio_fork') {
      await h.modules.stream(uuid)!.until(() => transport.stats().receiver.joinedMessages > 0, 3000);
    }
  });

  it('16 kHz stream to a 24 kHz consumer: resampled, 960-byte frames', async () => {
    const { call: c } = await call(tone(500));
    const media = await startCallMediaFor(c, { mode: 'websocket', output: AudioFormats.PCM16_24K, websocket: { server: h.media, sampleRate: 16000 } });
    const frames = await voiced(media.transport as WebSocketMediaTransport, 10);
    expect(frames.every((f) => f.length === 960)).toBe(true);
  });

  it('µ-law consumer: the L16 stream is encoded to 160-byte G.711 frames', async () => {
    const { call: c } = await call(tone(500));
    const media = await startCallMediaFor(c, { mode: 'websocket', output: AudioFormats.MULAW_8K, input: AudioFormats.MULAW_8K, websocket: { server: h.media } });
    const frame = await new Promise<Uint8Array>((resolve) => media.transport.once('audio', resolve));
    expect(frame.length).toBe(160);
  });

  it.each(['mod_audio_stream', 'mod_audio_fork'] as const)('%s: answer audio goes back as files the module writes, played in order, then drained', async (module) => {
    const { call: c, uuid } = await call();
    const media = await startCallMediaFor(c, { mode: 'websocket', websocket: { server: h.media, module, files: { chunkMs: 400 } } });
    const answer = tone(1500, 440);
    const started = new Promise<void>((resolve) => media.transport.once('talkspurtStart', resolve));
    const drained = new Promise<void>((resolve) => media.transport.once('drained', resolve));
    media.transport.write(pcmToLE(answer));
    media.transport.endOfAnswer();
    await started;
    expect(media.transport.queuedMs).toBeGreaterThan(0);
    await drained;
    const played = h.modules.playbacksOf(uuid);
    expect(played.length).toBeGreaterThan(1);
    expect(played.every((p) => p.how === 'done' && p.path.startsWith(h.modules.tempDirectory))).toBe(true);
    expect(Int16Array.from(played.flatMap((p) => Array.from(p.samples)))).toEqual(answer);
    expect(media.transport.playedMs).toBeCloseTo(1500, 0);
    expect(media.transport.queuedMs).toBe(0);
    const sent = h.modules.stream(uuid)!.received.filter((m) => m.type === 'text').map((m) => JSON.parse(m.data as string) as { type: string });
    expect(new Set(sent.map((m) => m.type))).toEqual(new Set([module === 'mod_audio_stream' ? 'streamAudio' : 'playAudio']));
  });

  it('files in a directory of ours: written, played in order, deleted once played', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'answers-'));
    try {
      const { call: c, uuid } = await call();
      const media = await startCallMediaFor(c, { mode: 'websocket', websocket: { server: h.media, files: { directory: dir, chunkMs: 300 } } });
      const answer = tone(900, 660);
      const drained = new Promise<void>((resolve) => media.transport.once('drained', resolve));
      media.transport.write(pcmToLE(answer));
      media.transport.endOfAnswer();
      await drained;
      const played = h.modules.playbacksOf(uuid);
      expect(played.every((p) => p.path.startsWith(dir))).toBe(true);
      expect(Int16Array.from(played.flatMap((p) => Array.from(p.samples)))).toEqual(answer);
      await new Promise((r) => setImmediate(r));
      for (const p of played) expect(existsSync(p.path)).toBe(false);
      // Nothing went over the socket: the module never saw the audio.
      expect(h.modules.stream(uuid)!.received).toHaveLength(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('barge-in on files: uuid_break all stops the file playing and drops the queued ones', async () => {
    const { call: c, uuid } = await call();
    const media = await startCallMediaFor(c, { mode: 'websocket', websocket: { server: h.media, files: { chunkMs: 400 } } });
    media.transport.write(pcmToLE(tone(3000)));
    media.transport.endOfAnswer();
    await new Promise<void>((resolve) => media.transport.once('talkspurtStart', resolve));
    const { droppedMs } = media.transport.flush();
    expect(droppedMs).toBeGreaterThan(2000);
    expect(media.transport.queuedMs).toBe(0);
    await h.sim.waitForCommand((x) => x.line === `api uuid_break ${uuid} all`);
    const played = h.modules.playbacksOf(uuid);
    await h.modules.stream(uuid)!.until(() => played[0]!.how !== undefined);
    expect(played[0]!.how).toBe('break');
    expect(h.modules.playbacksOf(uuid).length).toBe(1);
    // The files FreeSWITCH dropped are not counted as running (they will never complete).
    await h.modules.stream(uuid)!.until(() => !c.runningApplications.includes('playback'));
    // Nothing else either: the park sent with the stream completed at once (an async socket
    // already parks the channel, as on FreeSWITCH).
    expect(c.runningApplications).toEqual([]);
  });

  it('jambonz bidirectional: binary L16 paced at 20 ms, heard by the caller; killAudio on barge-in; marks come back', async () => {
    const { call: c, uuid } = await call();
    const media = await startCallMediaFor(c, { mode: 'websocket', input: AudioFormats.PCM16_16K, websocket: { server: h.media, module: 'mod_audio_fork', bidirectional: true } });
    const command = await h.sim.waitForCommand((x) => x.line.startsWith('api uuid_audio_fork'));
    expect(command.line).toMatch(/ mono 8k audio_fork \{"uuid":"[^"]+"\} true true 16000$/);
    await h.sim.waitForCommand((x) => x.line === `api uuid_broadcast ${uuid} silence_stream://-1 aleg`);
    const transport = media.transport as WebSocketMediaTransport;
    const stream = h.modules.stream(uuid)!;
    transport.write(pcmToLE(tone(400, 440, 16000)));
    transport.mark('after-tone');
    const mark = new Promise((resolve) => transport.once('mark', resolve));
    transport.endOfAnswer();
    await new Promise<void>((resolve) => transport.once('drained', resolve));
    expect(stream.received.filter((m) => m.type === 'binary').every((m) => (m.data as Buffer).length === 640)).toBe(true);
    await stream.until(() => stream.heard.reduce((n, x) => n + x.length, 0) >= 3000, 3000);
    expect(await mark).toBeDefined();
    const before = stream.received.length;
    transport.write(pcmToLE(tone(2000, 660, 16000)));
    await stream.until(() => stream.received.length >= before + 5);
    const { droppedMs } = transport.flush();
    expect(droppedMs).toBeGreaterThan(1500);
    await stream.until(() => stream.received.some((m) => m.data === '{"type":"killAudio"}'));
    // killAudio broke the silence carrier: it is started again.
    await h.sim.waitForCommand((x) => x.line === `api uuid_broadcast ${uuid} silence_stream://-1 aleg` && h.sim.commands.filter((y) => y.line === x.line).length > 1);
  });

  it('refused start: a typed error, nothing left behind', async () => {
    const { call: c } = await call();
    h.sim.onCommand((x) => (x.line.startsWith('api uuid_audio_stream') && x.line.includes(' start ') ? { respond: apiResponse('-ERR Operation Failed\n') } : undefined));
    const error = await startCallMediaFor(c, { mode: 'websocket', websocket: { server: h.media } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaStreamError);
    expect(error).toMatchObject({ code: 'MEDIA_STREAM_FAILED', reason: 'refused', module: 'mod_audio_stream' });
    expect(h.media.stats().open).toBe(0);
  });

  it.each(['mod_audio_stream', 'mod_audio_fork'] as const)('%s: connect failure reported by the module is a typed error (connect-failed)', async (module) => {
    const { call: c, uuid } = await call();
    const error = await startCallMediaFor(c, { mode: 'websocket', websocket: { server: h.media, module, url: 'ws://127.0.0.1:1/nowhere' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaStreamError);
    expect(error).toMatchObject({ reason: 'connect-failed', uuid, module });
    expect((error as Error).message).toMatch(/could not connect to ws:\/\/127\.0\.0\.1:1\/nowhere/);
  });

  it('no stream within the timeout: a typed error (timeout), and the media bug is removed', async () => {
    const { call: c, uuid } = await call();
    h.sim.onCommand((x) => (x.line.startsWith('api uuid_audio_stream') && x.line.includes(' start ') ? { respond: apiResponse('+OK Success\n') } : undefined));
    const error = await startCallMediaFor(c, { mode: 'websocket', websocket: { server: h.media, connectTimeoutMs: 300 } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'timeout' });
    await h.sim.waitForCommand((x) => x.line === `api uuid_audio_stream ${uuid} stop`);
  });

  it('esl mode carries no audio: a MediaError', async () => {
    const { call: c } = await call();
    await expect(startCallMediaFor(c, { mode: 'esl' })).rejects.toThrow(/no media path/);
  });

  it('hangup: the module closes the stream, the transport is released, no loss reported', async () => {
    const { call: c, uuid } = await call(tone(3000));
    const media = await startCallMediaFor(c, { mode: 'websocket', websocket: { server: h.media } });
    let lost = false;
    media.transport.on('lost', () => (lost = true));
    await new Promise((resolve) => media.transport.once('audio', resolve));
    const stream = h.modules.stream(uuid)!;
    const serverSide = new Promise((resolve) => (media.transport as WebSocketMediaTransport).stream.once('close', resolve));
    h.sim.hangup(uuid);
    await stream.until(() => stream.closed !== undefined);
    await serverSide;
    expect(stream.closed).toEqual({ code: 1000, reason: 'Normal closure', by: 'module' });
    await c.ended();
    // Closed by the hangup itself, before the grace after which a close would count as a loss.
    expect((media.transport as WebSocketMediaTransport).isClosed).toBe(true);
    expect(lost).toBe(false);
    expect(h.media.stats().open).toBe(0);
  });

  it('AUDIO_MODE picks the transport when no mode is given', async () => {
    vi.stubEnv('AUDIO_MODE', 'websocket');
    const { call: c } = await call();
    expect((await startCallMediaFor(c, { websocket: { server: h.media } })).kind).toBe('websocket');
  });

  it('dual: the dialplan\'s voice_ai_media variable chooses; unset and no stream connected, rtp', async () => {
    const { call: ws } = await call(undefined, { voice_ai_media: 'websocket' });
    expect((await startCallMediaFor(ws, { mode: 'dual', websocket: { server: h.media } })).kind).toBe('websocket');
    const { call: rtp } = await call();
    const { PortAllocator } = await import('../../src/media/port-allocator.js');
    const { freeUdpRange } = await import('../helpers/udp.js');
    const min = await freeUdpRange(2);
    const media = await startCallMediaFor(rtp, { mode: 'dual', websocket: { server: h.media }, ports: new PortAllocator({ min, max: min, bindAddress: '127.0.0.1' }), freeswitchPort: min + 1 });
    expect(media.kind).toBe('rtp');
    const { call: bad } = await call(undefined, { voice_ai_media: 'carrier-pigeon' });
    await expect(startCallMediaFor(bad, { mode: 'dual', websocket: { server: h.media } })).rejects.toThrow(/voice_ai_media/);
  });
});

afterEach(() => {
  vi.unstubAllEnvs();
});
