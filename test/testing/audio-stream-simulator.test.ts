import type { IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { AsyncESLClient } from '../../src/esl/client.js';
import { FreeSwitchSimulator, SimulatedAudioStreamModules, type SimulatedEvent } from '../../src/testing/index.js';

/** A bare `ws` server like the one the recordings were made against (`perMessageDeflate: false`). */
interface Peer {
  wss: WebSocketServer;
  port: number;
  connections: { socket: WebSocket; request: IncomingMessage; messages: { type: 'text' | 'binary'; data: Buffer }[]; close?: { code: number; reason: string } }[];
}

let sim: FreeSwitchSimulator;
let modules: SimulatedAudioStreamModules;
let client: AsyncESLClient;
let peer: Peer;
let events: SimulatedEvent[];

beforeEach(async () => {
  modules = new SimulatedAudioStreamModules({ joinEvery: 10 });
  sim = new FreeSwitchSimulator({ api: modules.api, playback: modules.playback() });
  modules.attach(sim);
  events = [];
  sim.on('event', (e) => events.push(e));
  const { port } = await sim.start();
  client = new AsyncESLClient({ host: '127.0.0.1', port, password: 'ClueCon', maxReconnectAttempts: 0 });
  await client.connect();
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, handleProtocols: (p) => (p.has('audio.drachtio.org') ? 'audio.drachtio.org' : false) });
  await new Promise((r) => wss.once('listening', r));
  peer = { wss, port: (wss.address() as { port: number }).port, connections: [] };
  wss.on('connection', (socket, request) => {
    const c: Peer['connections'][number] = { socket, request, messages: [] };
    peer.connections.push(c);
    socket.on('message', (data, isBinary) => c.messages.push({ type: isBinary ? 'binary' : 'text', data: data as Buffer }));
    socket.on('close', (code, reason) => (c.close = { code, reason: reason.toString() }));
  });
});

afterEach(async () => {
  modules.cleanup();
  await client.close();
  await new Promise((r) => peer.wss.close(r));
  await sim.stop();
});

/** `originate loopback/9000/default &park()`, as the recordings' calls were made; resolves with the a-leg's uuid. */
async function parkedCall(): Promise<string> {
  const reply = await client.api('originate {origination_caller_id_number=wsmod}loopback/9000/default &park()');
  return reply.text.replace(/^\+OK /, '').trim();
}

function customs(uuid: string): { subclass: string; body: string | undefined }[] {
  return events
    .filter((e) => e.name === 'CUSTOM' && e.headers.some(([k, v]) => k === 'Unique-ID' && v === uuid))
    .map((e) => ({ subclass: e.subclass!, body: e.body }));
}

const metadata = (module: string): string => `{"callId":"fixture-call","from":"wsmod","to":"9000","module":"${module}"}`;

describe('the simulated modules stream a call as the recordings show', () => {
  it('mod_audio_fork: subprotocol, metadata first, 20 ms frames with filler first and joined frames now and then, stop text last, close 1000 with no reason', async () => {
    const uuid = await parkedCall();
    const start = await client.api(`uuid_audio_fork ${uuid} start ws://127.0.0.1:${peer.port}/fork mono 8k ${metadata('mod_audio_fork')}`);
    expect(start.text).toBe('+OK Success');
    const stream = await modules.waitForStream(uuid);
    await stream.until(() => stream.framesSent >= 25);
    const c = peer.connections[0]!;
    expect(c.socket.protocol).toBe('audio.drachtio.org');
    expect(c.request.headers['sec-websocket-protocol']).toBe('audio.drachtio.org');
    expect(c.messages[0]).toEqual({ type: 'text', data: Buffer.from(metadata('mod_audio_fork')) });
    const binary = c.messages.filter((m) => m.type === 'binary').map((m) => m.data);
    expect(binary.every((b) => b.length % 320 === 0)).toBe(true);
    expect(binary[0]!.every((b) => b === 0xff)).toBe(true);
    expect(binary.some((b) => b.length === 640)).toBe(true);
    expect(customs(uuid)).toEqual([{ subclass: 'mod_audio_fork::connect', body: undefined }]);
    expect((await client.api(`uuid_audio_fork ${uuid} send_text {"event":"dtmf","digit":"5"}`)).text).toBe('+OK Success');
    const closed = new Promise((r) => c.socket.once('close', r));
    expect((await client.api(`uuid_audio_fork ${uuid} stop {"event":"stop","reason":"done"}`)).text).toBe('+OK Success');
    await closed;
    expect(c.messages.filter((m) => m.type === 'text').map((m) => m.data.toString())).toEqual([
      metadata('mod_audio_fork'),
      '{"event":"dtmf","digit":"5"}',
      '{"event":"stop","reason":"done"}',
    ]);
    expect(c.messages.at(-1)!.data.toString()).toBe('{"event":"stop","reason":"done"}');
    expect(c.close).toEqual({ code: 1000, reason: '' });
  });

  it('mod_audio_stream: permessage-deflate offered, a frame before the metadata, 640-byte frames at 16k, close 1000 "Normal closure"', async () => {
    const uuid = await parkedCall();
    await client.api(`uuid_audio_stream ${uuid} start ws://127.0.0.1:${peer.port}/stream mono 16k ${metadata('mod_audio_stream')}`);
    const stream = await modules.waitForStream(uuid);
    await stream.until(() => stream.framesSent >= 10);
    const c = peer.connections[0]!;
    expect(c.request.headers['sec-websocket-extensions']).toMatch(/^permessage-deflate/);
    expect(c.messages[0]!.type).toBe('binary');
    expect(c.messages[1]).toEqual({ type: 'text', data: Buffer.from(metadata('mod_audio_stream')) });
    expect(c.messages.filter((m) => m.type === 'binary').every((m) => m.data.length === 640)).toBe(true);
    expect(customs(uuid)).toEqual([{ subclass: 'mod_audio_stream::connect', body: '{"status":"connected"}' }]);
    const closed = new Promise((r) => c.socket.once('close', r));
    await client.api(`uuid_kill ${uuid}`);
    await closed;
    expect(c.close).toEqual({ code: 1000, reason: 'Normal closure' });
  });

  it('mod_audio_stream: streamAudio → a file and mod_audio_stream::play; other JSON → mod_audio_stream::json; binary ignored', async () => {
    const uuid = await parkedCall();
    await client.api(`uuid_audio_stream ${uuid} start ws://127.0.0.1:${peer.port}/stream mono 8k`);
    const stream = await modules.waitForStream(uuid);
    await stream.until(() => stream.connected);
    const c = peer.connections[0]!;
    c.socket.send('{"type":"transcript","data":{"text":"hello from the server","final":true}}');
    c.socket.send(JSON.stringify({ type: 'streamAudio', data: { audioDataType: 'raw', sampleRate: 8000, audioData: Buffer.alloc(1600).toString('base64') } }));
    c.socket.send(Buffer.alloc(320), { binary: true });
    await stream.until(() => customs(uuid).length >= 3);
    expect(customs(uuid).slice(1)).toEqual([
      { subclass: 'mod_audio_stream::json', body: '{"type":"transcript","data":{"text":"hello from the server","final":true}}' },
      { subclass: 'mod_audio_stream::play', body: `{"audioDataType":"raw","sampleRate":8000,"file":"${modules.tempDirectory}/${uuid}_0.tmp.r8"}` },
    ]);
  });

  it('mod_audio_fork: playAudio → play_audio with the file; killAudio → kill_audio and the playback breaks', async () => {
    const uuid = await parkedCall();
    await client.api(`uuid_audio_fork ${uuid} start ws://127.0.0.1:${peer.port}/fork mono 8k ${metadata('mod_audio_fork')}`);
    const stream = await modules.waitForStream(uuid);
    await stream.until(() => stream.connected);
    const c = peer.connections[0]!;
    c.socket.send(JSON.stringify({ type: 'playAudio', data: { audioContentType: 'raw', sampleRate: 8000, audioContent: Buffer.alloc(16000).toString('base64'), textContent: 'Hi there!' } }));
    await stream.until(() => customs(uuid).some((e) => e.subclass === 'mod_audio_fork::play_audio'));
    const play = customs(uuid).find((e) => e.subclass === 'mod_audio_fork::play_audio')!;
    const body = JSON.parse(play.body!) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['audioContentType', 'sampleRate', 'textContent', 'file']);
    expect((await client.api(`uuid_broadcast ${uuid} ${body.file as string} aleg`)).text).toBe('+OK Message sent');
    await stream.until(() => modules.playbacksOf(uuid).length === 1);
    c.socket.send('{"type":"killAudio"}');
    await stream.until(() => modules.playbacksOf(uuid)[0]!.how !== undefined);
    expect(modules.playbacksOf(uuid)[0]).toMatchObject({ how: 'break', durationMs: 1000 });
    expect(customs(uuid).map((e) => e.subclass)).toContain('mod_audio_fork::kill_audio');
    // As recorded: PLAYBACK_START / PLAYBACK_STOP of the module's file around the kill.
    const playback = events.filter((e) => e.name.startsWith('PLAYBACK_') && e.headers.some(([k, v]) => k === 'Playback-File-Path' && v === body.file));
    expect(playback.map((e) => e.name)).toEqual(['PLAYBACK_START', 'PLAYBACK_STOP']);
  });

  it('the server closes: mod_audio_stream::disconnect with the code and reason; stop still answers +OK', async () => {
    const uuid = await parkedCall();
    await client.api(`uuid_audio_stream ${uuid} start ws://127.0.0.1:${peer.port}/stream mono 8k`);
    const stream = await modules.waitForStream(uuid);
    await stream.until(() => stream.connected);
    peer.connections[0]!.socket.close(1000, 'bye');
    await stream.until(() => customs(uuid).some((e) => e.subclass === 'mod_audio_stream::disconnect'));
    expect(customs(uuid).at(-1)).toEqual({ subclass: 'mod_audio_stream::disconnect', body: '{"status":"disconnected","message":{"code":1000,"reason":"bye"}}' });
    expect((await client.api(`uuid_audio_stream ${uuid} stop`)).text).toBe('+OK Success');
  });

  it('API errors as the modules answer them', async () => {
    const uuid = await parkedCall();
    expect((await client.api('uuid_audio_stream')).text).toMatch(/^-USAGE: <uuid> \[start/);
    expect((await client.api(`uuid_audio_stream ${uuid} start`)).text).toMatch(/^-USAGE/);
    expect((await client.api(`uuid_audio_stream 00000000-0000-0000-0000-000000000000 start ws://h/x mono 8k`)).text).toBe('-ERR Operation Failed');
    expect((await client.api(`uuid_audio_stream ${uuid} start http://h/x mono 8k`)).text).toBe('-ERR Operation Failed');
    expect((await client.api(`uuid_audio_fork ${uuid} stop`)).text).toBe('-ERR Operation Failed');
  });
});
