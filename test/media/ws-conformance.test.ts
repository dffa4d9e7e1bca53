import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnswerSink } from '../../src/media/answer-sink.js';
import { KILL_AUDIO_MESSAGE, markMessage, playFileMessage } from '../../src/media/audio-stream-modules.js';
import { BinaryAnswerStream } from '../../src/media/binary-answer.js';
import { WebSocketMediaServer } from '../../src/media/ws-media-server.js';
import type { WebSocketAudioStream } from '../../src/media/ws-media-stream.js';
import { WebSocketMediaTransport } from '../../src/media/ws-media-transport.js';
import { type WsRecording, replayWsRecording } from '../../src/testing/index.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

type Recording = WsRecording & {
  audio: { sampleRate: number };
  call: { stopMode?: string };
  serverScript: string[];
};

const WS_DIR = join(FIXTURES_DIR, 'ws');
const files = readdirSync(WS_DIR).filter((f) => f.endsWith('.json')).sort();
const load = (f: string): Recording => JSON.parse(readFileSync(join(WS_DIR, f), 'utf8')) as Recording;
const bytes = (m: { b64?: string }): Buffer => Buffer.from(m.b64 ?? '', 'base64');

/** What the recording's module sent: binary payloads and texts, in order. */
function fromFreeSwitch(r: Recording): { audio: Buffer[]; texts: string[] } {
  const mine = r.messages.filter((m) => m.dir === 'fs->server');
  return { audio: mine.filter((m) => m.type === 'binary').map(bytes), texts: mine.filter((m) => m.type === 'text').map((m) => m.text!) };
}

let server: WebSocketMediaServer;
beforeEach(async () => {
  server = new WebSocketMediaServer({ host: '127.0.0.1', port: 0 });
  await server.listen();
});
afterEach(async () => {
  await server.close();
});

/** An answer path that is never written to (the caller side is under test). */
function idleSink(stream: WebSocketAudioStream, rate: number): AnswerSink {
  return new BinaryAnswerStream({ stream, sampleRate: rate });
}

describe.each(files)('recorded traffic %s replayed byte for byte against our server', (file) => {
  it('is accepted, bound by its metadata, and every byte reaches the call in order', async () => {
    const r = load(file);
    const speed = 4;
    // The recordings' paths (/stream, /fork) carry no uuid: the metadata's callId binds them.
    const claimed = server.claim('fixture-call', { timeoutMs: 5000 });
    const received = { audio: [] as Buffer[], texts: [] as string[] };
    let transport: WebSocketMediaTransport | undefined;
    const closed = new Promise<{ code: number; reason: string; byUs: boolean }>((resolve) => {
      void claimed.then((stream) => {
        stream.on('audio', (b) => received.audio.push(b));
        stream.on('text', (t) => received.texts.push(t));
        stream.once('close', resolve);
        transport = new WebSocketMediaTransport({ stream, sampleRate: r.audio.sampleRate as 8000 | 16000, answer: idleSink(stream, 8000), noAudioTimeoutMs: 0 });
        if (r.call.stopMode === 'server') setTimeout(() => stream.close(1000, 'bye'), 1800 / speed);
      });
    });
    const replay = await replayWsRecording(r, server.address()!, { speed });
    const stream = await claimed;
    const close = await closed;

    // The upgrade answer is the recorded one, line for line (same Sec-WebSocket-Accept, the
    // subprotocol echoed for mod_audio_fork, permessage-deflate declined for mod_audio_stream).
    expect(replay.response).toEqual(r.handshake.response);
    expect(stream.module).toBe(r.handshake.subprotocol ? 'mod_audio_fork' : 'mod_audio_stream');

    const sent = fromFreeSwitch(r);
    expect(received.audio.length).toBe(sent.audio.length);
    expect(Buffer.concat(received.audio).equals(Buffer.concat(sent.audio))).toBe(true);
    expect(received.texts).toEqual(sent.texts);
    expect(stream.metadata).toEqual(JSON.parse(sent.texts[0]!));
    expect(stream.stats).toMatchObject({ malformedJson: 0, heldDropped: 0 });

    if (r.call.stopMode === 'server') {
      expect(replay.close).toEqual({ code: 1000, reason: 'bye' });
      expect(close).toMatchObject({ code: 1000, byUs: true });
    } else {
      expect(close).toEqual({ code: r.close.code, reason: r.close.reason, byUs: false });
    }

    // The transport cut the same frames out of it: filler and joined messages counted as the recording has them.
    const frameBytes = r.audio.sampleRate / 50 * 2;
    const all = Buffer.concat(sent.audio);
    let filler = 0;
    for (let i = 0; i + frameBytes <= all.length; i += frameBytes) if (all.subarray(i, i + frameBytes).every((b) => b === 0xff)) filler++;
    const stats = transport!.stats().receiver;
    expect(stats.frames).toBe(Math.floor(all.length / frameBytes));
    expect(stats.fillerFrames).toBe(filler);
    expect(stats.joinedMessages).toBe(sent.audio.filter((b) => b.length >= 2 * frameBytes).length);
    transport!.close();
  });
});

describe('what we send matches what the recorded servers sent', () => {
  it.each(files.filter((f) => f.startsWith('audio-stream')))('%s: streamAudio is the recorded message, byte for byte', (file) => {
    const r = load(file);
    const recorded = r.messages.find((m) => m.dir === 'server->fs' && m.text?.includes('"streamAudio"'))!.text!;
    const { data } = JSON.parse(recorded) as { data: { audioData: string; sampleRate: number } };
    expect(playFileMessage('mod_audio_stream', Buffer.from(data.audioData, 'base64'), data.sampleRate)).toBe(recorded);
  });

  it.each(files.filter((f) => f.startsWith('audio-fork') && !f.includes('jambonz')))('%s: playAudio and killAudio as recorded', (file) => {
    const r = load(file);
    const texts = r.messages.filter((m) => m.dir === 'server->fs' && m.type === 'text').map((m) => m.text!);
    const play = JSON.parse(texts.find((t) => t.includes('"playAudio"'))!) as { data: { audioContent: string; sampleRate: number; textContent?: string } };
    const { textContent: _ignored, ...data } = play.data;
    expect(JSON.parse(playFileMessage('mod_audio_fork', Buffer.from(data.audioContent, 'base64'), data.sampleRate))).toEqual({ type: 'playAudio', data });
    expect(texts).toContain(KILL_AUDIO_MESSAGE);
  });

  it.each(files.filter((f) => f.includes('jambonz')))('%s: paced binary frames carry the recorded audio; marks and killAudio as recorded', async (file) => {
    const r = load(file);
    const serverTexts = r.messages.filter((m) => m.dir === 'server->fs' && m.type === 'text').map((m) => m.text!);
    expect(serverTexts).toEqual([markMessage('after-tone-1'), markMessage('after-tone-2'), KILL_AUDIO_MESSAGE]);
    const recordedFrames = r.messages.filter((m) => m.dir === 'server->fs' && m.type === 'binary').map(bytes);
    const tone1 = Buffer.concat(recordedFrames.slice(0, 50));
    const rate = r.audio.sampleRate;
    const claimed = server.claim('fixture-call', { timeoutMs: 5000 });
    const ours: Buffer[] = [];
    const replay = replayWsRecording(r, server.address()!, { speed: 1 }, (m) => {
      if (m.type === 'binary') ours.push(m.data as Buffer);
    });
    const stream = await claimed;
    const answer = new BinaryAnswerStream({ stream, sampleRate: rate });
    const transport = new WebSocketMediaTransport({ stream, sampleRate: rate as 8000 | 16000, input: { encoding: 'pcm16', sampleRate: rate as 8000 | 16000 }, answer, noAudioTimeoutMs: 0 });
    const drained = new Promise<void>((resolve) => transport.once('drained', () => resolve()));
    transport.write(tone1);
    transport.endOfAnswer();
    await drained;
    transport.mark('after-tone-1');
    transport.write(recordedFrames[50]!);
    transport.flush();
    await replay;
    // Paced: one 20 ms frame per message, the recorded bytes in order.
    expect(ours.slice(0, 50).every((f) => f.length === (rate / 50) * 2)).toBe(true);
    expect(Buffer.concat(ours.slice(0, 50)).equals(tone1)).toBe(true);
    expect(answer.killAudioSent).toBe(1);
    transport.close();
  });
});
