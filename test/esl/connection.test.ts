import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EslConnectionError, EslProtocolError, EslTimeoutError } from '../../src/errors.js';
import { apiCommand } from '../../src/esl/commands.js';
import { type ConnectionHandler, EslConnection } from '../../src/esl/connection.js';
import type { EslEvent } from '../../src/esl/event.js';
import { RawPeer } from '../helpers/raw-peer.js';

let peer: RawPeer;
let conn: EslConnection;
let events: EslEvent[];
let closed: Promise<Error | undefined>;
const extra: Partial<ConnectionHandler> = {};

beforeEach(async () => {
  peer = new RawPeer();
  await peer.listen();
  events = [];
  let onClose!: (e: Error | undefined) => void;
  closed = new Promise((r) => (onClose = r));
  conn = new EslConnection(
    await peer.pair(),
    { onEvent: (e) => events.push(e), onClose: (e) => onClose(e), onUnknownFrame: (f) => extra.onUnknownFrame?.(f) },
    { readTimeout: 0 },
  );
});

afterEach(async () => {
  conn.destroy();
  await peer.close();
  delete extra.onUnknownFrame;
});

describe('EslConnection reply matching', () => {
  it('answers pipelined commands in FIFO order', async () => {
    const replies = Promise.all([1, 2, 3].map((n) => conn.send(apiCommand(`echo ${n}`))));
    await peer.received(3);
    peer.api('1');
    peer.api('2');
    peer.api('3');
    expect((await replies).map((r) => r.text)).toEqual(['1', '2', '3']);
  });

  it('never hands a late reply to the next command after a timeout (modesl/esl bug)', async () => {
    const first = conn.send(apiCommand('slow'), { timeout: 20 });
    await expect(first).rejects.toBeInstanceOf(EslTimeoutError);
    const second = conn.send(apiCommand('fast'));
    await peer.received(2);
    peer.api('reply to slow');
    peer.api('reply to fast');
    expect((await second).text).toBe('reply to fast');
    expect(conn.stats.lateReplies).toBe(1);
  });

  it('keeps the order after an aborted command too', async () => {
    const ac = new AbortController();
    const first = conn.send(apiCommand('a'), { signal: ac.signal });
    const second = conn.send(apiCommand('b'));
    ac.abort(new Error('caller gave up'));
    await expect(first).rejects.toThrow('caller gave up');
    await peer.received(2);
    peer.api('A');
    peer.api('B');
    expect((await second).text).toBe('B');
  });

  it('rejects an already-aborted signal without writing', async () => {
    const ac = new AbortController();
    ac.abort(new Error('no'));
    await expect(conn.send(apiCommand('x'), { signal: ac.signal })).rejects.toThrow('no');
    expect(conn.pendingCount).toBe(0);
  });

  it('rejects every pending command with EslConnectionError at once when the socket drops', async () => {
    const pending = [conn.send(apiCommand('a')), conn.send(apiCommand('b'))];
    await peer.received(2);
    peer.drop();
    for (const p of pending) await expect(p).rejects.toBeInstanceOf(EslConnectionError);
    await closed;
    await expect(conn.send(apiCommand('c'))).rejects.toMatchObject({ code: 'ESL_NOT_CONNECTED' });
  });

  it('discards a reply nobody asked for, and counts it', async () => {
    peer.reply('+OK surprise');
    await vi.waitFor(() => expect(conn.stats.unexpectedReplies).toBe(1));
    const r = conn.send(apiCommand('x'));
    await peer.received(1);
    peer.api('mine');
    expect((await r).text).toBe('mine');
    expect(conn.stats.unexpectedReplies).toBe(1);
  });
});

describe('EslConnection robustness', () => {
  it('ignores and counts unknown content types without tearing the connection down', async () => {
    const seen: string[] = [];
    extra.onUnknownFrame = (f) => seen.push(f.contentType ?? '');
    peer.write('Content-Type: text/cert-reload\nContent-Length: 3\n\nabc');
    const r = conn.send(apiCommand('x'));
    await peer.received(1);
    peer.api('ok');
    expect((await r).text).toBe('ok');
    expect(seen).toEqual(['text/cert-reload']);
    expect(conn.stats.unknownFrames).toBe(1);
  });

  it('drops and counts an undecodable JSON event, then goes on', async () => {
    peer.write('Content-Length: 5\nContent-Type: text/event-json\n\n{"a":');
    peer.write('Content-Length: 26\nContent-Type: text/event-json\n\n{"Event-Name":"HEARTBEAT"}');
    const r = conn.send(apiCommand('x'));
    await peer.received(1);
    peer.api('ok');
    await r;
    expect(events.map((e) => e.name)).toEqual(['HEARTBEAT']);
    expect(conn.stats.malformedEvents).toBe(1);
  });

  it('delivers a JSON event nested 100 000 deep without its deep header, counts it, and reads it without RangeError', async () => {
    const n = 100_000;
    const json = `{"Event-Name":"CUSTOM","Event-Subclass":"app::deep","Unique-ID":"u1","deep":${'['.repeat(n)}${']'.repeat(n)},"multi":["a","b"],"_body":"hi"}`;
    peer.write(`Content-Length: ${Buffer.byteLength(json)}\nContent-Type: text/event-json\n\n${json}`);
    const r = conn.send(apiCommand('x'));
    await peer.received(1);
    peer.api('ok');
    await r;
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e.get('deep')).toBeUndefined();
    expect(e.get('DEEP')).toBeUndefined();
    expect(e.get('multi')).toBe('ARRAY::a|:b');
    expect(e.headers.size).toBe(4);
    expect(e.toJSON()).toEqual({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'app::deep', 'Unique-ID': 'u1', multi: 'ARRAY::a|:b', _body: 'hi' });
    expect([...e.headers.entries()].map(([k]) => k)).not.toContain('deep');
    expect(conn.stats).toMatchObject({ nestingCut: 1, malformedEvents: 0, handlerErrors: 0, eventsReceived: 1 });
  });

  it('closes with an EslProtocolError on a bad Content-Length, rejecting pending commands', async () => {
    const r = conn.send(apiCommand('x'));
    await peer.received(1);
    peer.write('Content-Type: api/response\nContent-Length: lots\n\n');
    await expect(r).rejects.toBeInstanceOf(EslConnectionError);
    expect(await closed).toBeInstanceOf(EslProtocolError);
  });
});

describe('EslReply text', async () => {
  const { FrameParser } = await import('../../src/esl/frame-parser.js');
  const { EslReply } = await import('../../src/esl/reply.js');
  const reply = (bytes: string): InstanceType<typeof EslReply> => {
    let out: InstanceType<typeof EslReply> | undefined;
    new FrameParser((f) => (out = new EslReply(f))).push(Buffer.from(bytes));
    return out!;
  };

  it('keeps a command/reply Reply-Text verbatim, even with a percent sign', () => {
    expect(reply('Content-Type: command/reply\nReply-Text: -ERR 100%25 full\n\n').text).toBe('-ERR 100%25 full');
    expect(reply('Content-Type: command/reply\nReply-Text: +OK Job-UUID: 1\nJob-UUID: 1\n\n').text).toBe('+OK Job-UUID: 1');
  });

  it('decodes the connect reply, whose headers are an encoded event', () => {
    const r = reply('Event-Name: CHANNEL_DATA\nUnique-ID: u1\nContent-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\nControl: full\n\n');
    expect(r.text).toBe('+OK');
    expect(r.ok).toBe(true);
  });
});
