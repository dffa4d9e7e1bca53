import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { MediaStreamError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { BinaryAnswerStream } from '../../src/media/binary-answer.js';
import { pcmFromLE } from '../../src/media/pcm.js';
import { WebSocketMediaServer, type WebSocketMediaServerOptions } from '../../src/media/ws-media-server.js';
// Through the package's entry point, which wires VOICE_AI_REALTIME_PORT into the defaults.
import { getWebSocketMediaServer } from '../../src/index.js';
import type { WebSocketAudioStream } from '../../src/media/ws-media-stream.js';
import { WebSocketMediaTransport } from '../../src/media/ws-media-transport.js';

let server: WebSocketMediaServer;
const clients: WebSocket[] = [];

async function start(options: WebSocketMediaServerOptions = {}): Promise<void> {
  server = new WebSocketMediaServer({ host: '127.0.0.1', port: 0, bindTimeoutMs: 300, logger: silentLogger, ...options });
  await server.listen();
}

/** A module connecting to `path` (mod_audio_fork's subprotocol with `fork`). */
async function connect(path: string, options: { fork?: boolean; deflate?: boolean } = {}): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.address()!.port}${path}`, options.fork ? ['audio.drachtio.org'] : [], { perMessageDeflate: options.deflate ?? false });
  clients.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

function closeOf(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

function transportOn(stream: WebSocketAudioStream, extra: Partial<ConstructorParameters<typeof WebSocketMediaTransport>[0]> = {}): WebSocketMediaTransport {
  return new WebSocketMediaTransport({ stream, sampleRate: 8000, answer: new BinaryAnswerStream({ stream, sampleRate: 8000 }), noAudioTimeoutMs: 0, ...extra });
}

const frame = (value: number, bytes = 320): Buffer => {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i + 1 < bytes; i += 2) b.writeInt16LE(value, i);
  return b;
};

beforeEach(() => start());
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await server.close();
});

describe('WebSocketMediaServer: binding streams to calls', () => {
  it('binds by the uuid in the path and hands the stream to the call that claims it', async () => {
    const uuid = randomUUID();
    const claimed = server.claim(uuid, { timeoutMs: 2000 });
    await connect(`/stream/${uuid}`);
    const stream = await claimed;
    expect([stream.uuid, stream.module]).toEqual([uuid, 'mod_audio_stream']);
    expect(server.stats()).toMatchObject({ connections: 1, claimed: 1, open: 1 });
  });

  it('binds by the metadata when the path has no uuid, even when audio comes first (held, then delivered in order)', async () => {
    const uuid = randomUUID();
    const claimed = server.claim(uuid, { timeoutMs: 2000 });
    const ws = await connect('/stream');
    ws.send(frame(7), { binary: true });
    ws.send(JSON.stringify({ uuid, from: '1000' }));
    ws.send(frame(9), { binary: true });
    const stream = await claimed;
    const seen: number[] = [];
    stream.on('audio', (b) => seen.push(pcmFromLE(b)[0]!));
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    stream.attach();
    await new Promise<void>((resolve) => (seen.length >= 2 ? resolve() : stream.on('audio', () => seen.length >= 2 && resolve())));
    expect(seen).toEqual([7, 9]);
    expect(texts).toEqual([JSON.stringify({ uuid, from: '1000' })]);
    expect(stream.metadata).toEqual({ uuid, from: '1000' });
  });

  it('a dialplan-started stream that arrives before its call is kept and claimed later', async () => {
    const uuid = randomUUID();
    const bound = new Promise<void>((resolve) => server.once('stream', () => resolve()));
    await connect(`/fork/${uuid}`, { fork: true });
    await bound;
    expect(server.hasStream(uuid)).toBe(true);
    const stream = await server.claim(uuid);
    expect(stream.module).toBe('mod_audio_fork');
  });

  it('unknown uuid: refused after bindTimeoutMs (1008), counted, reported', async () => {
    const rejected = new Promise((resolve) => server.once('rejected', resolve));
    const uuid = randomUUID();
    const ws = await connect(`/stream/${uuid}`);
    expect(await closeOf(ws)).toEqual({ code: 1008, reason: 'no such call' });
    expect(await rejected).toMatchObject({ reason: 'unknown-call', uuid, path: `/stream/${uuid}` });
    expect(server.stats()).toMatchObject({ unknownCall: 1, claimed: 0 });
  });

  it('no uuid anywhere: metadata without one is refused at once; a client that sends nothing after bindTimeoutMs', async () => {
    const a = await connect('/stream');
    a.send('{"callId-less":"yes"}');
    expect(await closeOf(a)).toEqual({ code: 1008, reason: 'no call uuid in the path or the metadata' });
    const b = await connect('/stream');
    expect((await closeOf(b)).code).toBe(1008);
    expect(server.stats().unbound).toBe(2);
  });

  it('a second stream for a call that has one is refused (1008)', async () => {
    const uuid = randomUUID();
    const claimed = server.claim(uuid);
    await connect(`/stream/${uuid}`);
    await claimed;
    const second = await connect(`/stream/${uuid}`);
    expect(await closeOf(second)).toEqual({ code: 1008, reason: 'the call already has a stream' });
    expect(server.stats().duplicate).toBe(1);
  });

  it('permessage-deflate offered: declined, the stream flows uncompressed', async () => {
    const uuid = randomUUID();
    const claimed = server.claim(uuid);
    const ws = await connect(`/stream/${uuid}`, { deflate: true });
    expect(ws.extensions).toBe('');
    const stream = await claimed;
    const got = new Promise<Buffer>((resolve) => stream.once('audio', resolve));
    stream.attach();
    ws.send(frame(123), { binary: true });
    expect(pcmFromLE(await got)[0]).toBe(123);
  });

  it('mod_audio_fork: the audio.drachtio.org subprotocol is echoed', async () => {
    const uuid = randomUUID();
    const claimed = server.claim(uuid);
    const ws = await connect(`/fork/${uuid}`, { fork: true });
    expect(ws.protocol).toBe('audio.drachtio.org');
    expect((await claimed).module).toBe('mod_audio_fork');
  });

  it('a claim times out, or is aborted, with a MediaError', async () => {
    await expect(server.claim(randomUUID(), { timeoutMs: 50 })).rejects.toThrow(/no stream for call/);
    const abort = new AbortController();
    const pending = server.claim(randomUUID(), { signal: abort.signal });
    abort.abort(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
  });
});

describe('WebSocketMediaServer: bad input', () => {
  it('oversized frame: the stream is closed (1009) and counted; the call hears of the loss', async () => {
    await server.close();
    await start({ maxPayloadBytes: 4096 });
    const uuid = randomUUID();
    const claimed = server.claim(uuid);
    const ws = await connect(`/stream/${uuid}`);
    const transport = transportOn(await claimed, { lostGraceMs: 0 });
    const lost = new Promise<MediaStreamError>((resolve) => transport.once('lost', (e) => resolve(e as MediaStreamError)));
    const closed = closeOf(ws);
    ws.send(Buffer.alloc(8192), { binary: true });
    expect((await closed).code).toBe(1009);
    const error = await lost;
    expect(error).toBeInstanceOf(MediaStreamError);
    expect(error).toMatchObject({ reason: 'closed', uuid, code: 'MEDIA_STREAM_FAILED' });
    expect(server.stats().oversized).toBe(1);
    transport.close();
  });

  it('odd byte counts and joined frames: samples split across messages are put back together', async () => {
    const uuid = randomUUID();
    const claimed = server.claim(uuid);
    const ws = await connect(`/stream/${uuid}`);
    const transport = transportOn(await claimed, { jitter: { minMs: 20, targetMs: 20, maxMs: 400 } });
    const audio = Buffer.concat([frame(1000), frame(-2000), frame(3000)]);
    ws.send(audio.subarray(0, 321), { binary: true });
    ws.send(audio.subarray(321, 640 + 320), { binary: true });
    const heard: number[] = [];
    await new Promise<void>((resolve) =>
      transport.on('audio', (f) => {
        const s = pcmFromLE(f);
        if (s[0] !== 0) heard.push(s[0]!, s[159]!);
        if (heard.length >= 6) resolve();
      }),
    );
    expect(heard).toEqual([1000, 1000, -2000, -2000, 3000, 3000]);
    expect(transport.stats().receiver).toMatchObject({ frames: 3, oddMessages: 2, partialMessages: 1, joinedMessages: 1 });
    transport.close();
  });

  it('malformed JSON is counted and ignored; the stream goes on', async () => {
    const uuid = randomUUID();
    const claimed = server.claim(uuid);
    const ws = await connect(`/stream/${uuid}`);
    const stream = await claimed;
    const texts: unknown[] = [];
    stream.on('text', (_t, json) => texts.push(json));
    stream.attach();
    ws.send('{"uuid": broken');
    ws.send('{"event":"dtmf","digit":"5"}');
    await new Promise<void>((resolve) => stream.on('text', () => texts.length >= 2 && resolve()));
    expect(texts).toEqual([undefined, { event: 'dtmf', digit: '5' }]);
    expect(stream.stats.malformedJson).toBe(1);
    expect(stream.isOpen).toBe(true);
  });

  it('a module that never sends audio: silence is played to the consumer and one error says so', async () => {
    const uuid = randomUUID();
    const claimed = server.claim(uuid);
    await connect(`/stream/${uuid}`);
    const transport = transportOn(await claimed, { noAudioTimeoutMs: 100 });
    const error = new Promise<MediaStreamError>((resolve) => transport.once('error', (e) => resolve(e as MediaStreamError)));
    const frame0 = await new Promise<Uint8Array>((resolve) => transport.once('audio', resolve));
    expect(Buffer.from(frame0).equals(Buffer.alloc(320))).toBe(true);
    expect(await error).toMatchObject({ reason: 'no-audio', uuid });
    transport.close();
  });

  it('slow consumer, caller side: a burst beyond the jitter buffer is dropped and counted, memory stays bounded', async () => {
    const uuid = randomUUID();
    const claimed = server.claim(uuid);
    const ws = await connect(`/stream/${uuid}`);
    const transport = transportOn(await claimed, { jitter: { minMs: 20, targetMs: 40, maxMs: 100 } });
    ws.send(Buffer.concat(Array.from({ length: 200 }, (_, i) => frame(i + 1))), { binary: true });
    await new Promise<void>((resolve) => transport.on('audio', () => transport.stats().receiver.frames === 200 && resolve()));
    const { jitter } = transport.stats();
    expect(jitter.overflow).toBeGreaterThan(150);
    expect(jitter.received - jitter.overflow).toBeLessThanOrEqual(10);
    transport.close();
  });

  it('slow consumer, module side: a module that stops reading gets no more than maxSendBufferBytes queued; the rest is dropped and counted', async () => {
    await server.close();
    await start({ maxSendBufferBytes: 64 * 1024 });
    const uuid = randomUUID();
    const claimed = server.claim(uuid);
    const ws = await connect(`/stream/${uuid}`);
    const stream = await claimed;
    // The module's socket stops reading: the kernel buffers fill, then ws's own queue.
    (ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const big = 'x'.repeat(512 * 1024);
    let sent = 0;
    for (let i = 0; i < 64 && stream.stats.sendDropped === 0; i++) {
      if (stream.send(big)) sent++;
      await new Promise((r) => setImmediate(r));
    }
    expect(stream.stats.sendDropped).toBeGreaterThan(0);
    expect(stream.bufferedAmount).toBeLessThanOrEqual(64 * 1024 + big.length);
    expect(sent).toBeLessThan(64);
  });

  it('audio held for an unclaimed stream is bounded (oldest dropped, counted)', async () => {
    await server.close();
    await start({ maxHeldBytes: 3200, bindTimeoutMs: 2000 });
    const uuid = randomUUID();
    const bound = new Promise<void>((resolve) => server.once('stream', () => resolve()));
    const ws = await connect(`/stream/${uuid}`);
    for (let i = 0; i < 20; i++) ws.send(frame(i), { binary: true });
    ws.send('{"end":true}');
    await bound;
    const stream = await server.claim(uuid);
    // The text went last: once it is in, every frame is (held, since nothing attached yet).
    if (stream.stats.textMessages === 0) await new Promise((resolve) => stream.once('metadata', resolve));
    const seen: number[] = [];
    stream.on('audio', (b) => seen.push(pcmFromLE(b)[0]!));
    stream.attach();
    expect(seen).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(stream.stats.heldDropped).toBe(3200);
  });
});

describe('getWebSocketMediaServer', () => {
  it('listens on VOICE_AI_REALTIME_PORT, is shared, and is made again after a close', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    vi.stubEnv('VOICE_AI_REALTIME_PORT', String(port));
    try {
      const a = await getWebSocketMediaServer();
      expect(a.address()).toEqual({ host: '127.0.0.1', port });
      expect(await getWebSocketMediaServer()).toBe(a);
      await a.close();
      await expect(a.listen()).rejects.toThrow(/closed/);
      const b = await getWebSocketMediaServer();
      expect(b).not.toBe(a);
      await b.close();
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
