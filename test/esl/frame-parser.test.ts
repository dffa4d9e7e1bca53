import { describe, expect, it } from 'vitest';
import { EslProtocolError } from '../../src/errors.js';
import { type EslFrame, FrameParser } from '../../src/esl/frame-parser.js';
import { allRecvSteps } from '../helpers/fixtures.js';

interface Flat {
  type: string | undefined;
  headers: [string, string][];
  body: string | undefined;
}

function flatten(frame: EslFrame): Flat {
  return { type: frame.contentType, headers: [...frame.headers.entries()], body: frame.body?.toString('base64') };
}

function parseChunks(chunks: Buffer[], options?: ConstructorParameters<typeof FrameParser>[1]): { frames: Flat[]; error?: EslProtocolError; rest: number } {
  const frames: Flat[] = [];
  const parser = new FrameParser((f) => frames.push(flatten(f)), options);
  for (const c of chunks) {
    const error = parser.push(c);
    if (error) return { frames, error, rest: parser.bufferedBytes };
  }
  return { frames, rest: parser.bufferedBytes };
}

const steps = allRecvSteps();

describe('FrameParser on real FreeSWITCH captures', () => {
  it('finds every capture step', () => {
    expect(steps.length).toBeGreaterThan(60);
  });

  it('parses each recorded reply into exactly the recorded number of frames', () => {
    for (const step of steps) {
      const { frames, error, rest } = parseChunks([step.bytes]);
      expect(error, `${step.capture}#${step.index}`).toBeUndefined();
      expect(frames.length, `${step.capture}#${step.index}`).toBe(step.frames);
      expect(rest).toBe(0);
    }
  });

  it('gives the same frames when the stream is split at every offset (two chunks)', () => {
    let splits = 0;
    for (const step of steps) {
      const whole = parseChunks([step.bytes]).frames;
      const { bytes } = step;
      // Every offset for ordinary replies; for the long event bursts every offset near a frame
      // boundary or a blank line (where framing bugs live) and a stride elsewhere.
      const boundaries: number[] = [];
      for (let i = bytes.indexOf('\n\n'); i !== -1; i = bytes.indexOf('\n\n', i + 1)) boundaries.push(i);
      const near = (o: number): boolean => boundaries.some((b) => Math.abs(b - o) <= 3);
      for (let o = 1; o < bytes.length; o++) {
        if (bytes.length > 4096 && !near(o) && o % 61 !== 0) continue;
        const split = parseChunks([bytes.subarray(0, o), bytes.subarray(o)]);
        splits++;
        if (split.frames.length !== whole.length || split.error) {
          throw new Error(`${step.capture}#${step.index}: split at ${o} gave ${split.frames.length} frames`);
        }
        expect(split.frames).toEqual(whole);
      }
    }
    expect(splits).toBeGreaterThan(10_000);
  });

  it('gives the same frames fed one byte at a time', () => {
    for (const step of steps) {
      const whole = parseChunks([step.bytes]).frames;
      const bytes: Buffer[] = [];
      for (let i = 0; i < step.bytes.length; i++) bytes.push(step.bytes.subarray(i, i + 1));
      expect(parseChunks(bytes).frames).toEqual(whole);
    }
  });

  it('parses every capture of a connection concatenated into one chunk', () => {
    const all = Buffer.concat(steps.map((s) => s.bytes));
    const expected = steps.reduce((n, s) => n + s.frames, 0);
    expect(parseChunks([all]).frames.length).toBe(expected);
  });
});

describe('FrameParser framing rules', () => {
  it('does not merge two frames when the blank line is split across chunks (esl-lite bug)', () => {
    const a = Buffer.from('Content-Type: command/reply\nReply-Text: +OK accepted\n');
    const b = Buffer.from('\nContent-Type: command/reply\nReply-Text: +OK bye\n\n');
    const { frames } = parseChunks([a, b]);
    expect(frames.map((f) => f.headers)).toEqual([
      [['Content-Type', 'command/reply'], ['Reply-Text', '+OK accepted']],
      [['Content-Type', 'command/reply'], ['Reply-Text', '+OK bye']],
    ]);
  });

  it('delivers a frame that lies in one chunk as a view of that chunk (no copy)', () => {
    const chunk = Buffer.from('Content-Type: api/response\nContent-Length: 4\n\n+OK\n');
    let body: Buffer | undefined;
    new FrameParser((f) => (body = f.body)).push(chunk);
    expect(body?.toString()).toBe('+OK\n');
    expect(body?.buffer).toBe(chunk.buffer);
  });

  it('copies a body that spans chunks only once, whatever the chunking', () => {
    const frame = Buffer.from(`Content-Type: api/response\nContent-Length: 3000\n\n${'x'.repeat(3000)}`);
    const chunks: Buffer[] = [];
    for (let i = 0; i < frame.length; i += 7) chunks.push(frame.subarray(i, i + 7));
    const { frames } = parseChunks(chunks);
    expect(frames).toHaveLength(1);
    expect(Buffer.from(frames[0]!.body!, 'base64').toString()).toBe('x'.repeat(3000));
  });

  it('skips blank lines between frames, as FreeSWITCH does', () => {
    const { frames } = parseChunks([Buffer.from('\n\nContent-Type: auth/request\n\n\nContent-Type: auth/request\n\n')]);
    expect(frames).toHaveLength(2);
  });

  it('treats a frame without Content-Type as a frame of unknown type (outbound connect has it last)', () => {
    const { frames } = parseChunks([Buffer.from('Event-Name: CHANNEL_DATA\nUnique-ID: x\nContent-Type: command/reply\n\nX-Other: 1\n\n')]);
    expect(frames.map((f) => f.type)).toEqual(['command/reply', undefined]);
  });

  it('rejects a body over maxBodyBytes with a typed error, before buffering it', () => {
    const { error, frames } = parseChunks([Buffer.from('Content-Type: api/response\nContent-Length: 1000001\n\nabc')], {
      maxBodyBytes: 1_000_000,
    });
    expect(error).toBeInstanceOf(EslProtocolError);
    expect(error?.code).toBe('ESL_PROTOCOL');
    expect(frames).toHaveLength(0);
  });

  it('rejects a header block that never ends within maxHeaderBytes', () => {
    const parser = new FrameParser(() => {}, { maxHeaderBytes: 1024 });
    let error: EslProtocolError | undefined;
    for (let i = 0; i < 100 && !error; i++) error = parser.push(Buffer.from('X-Junk: aaaaaaaaaaaaaaaaaaaaaaaa\n'));
    expect(error).toBeInstanceOf(EslProtocolError);
    expect(parser.failed).toBe(true);
    expect(parser.bufferedBytes).toBe(0);
    // Once failed it ignores input instead of growing.
    expect(parser.push(Buffer.from('Content-Type: auth/request\n\n'))).toBeUndefined();
  });

  it.each(['-5', 'abc', '1e3', '12 34', '99999999999'])('rejects Content-Length %j', (value) => {
    const { error } = parseChunks([Buffer.from(`Content-Type: api/response\nContent-Length: ${value}\n\n`)]);
    expect(error).toBeInstanceOf(EslProtocolError);
  });

  it('accepts Content-Length: 0 as an empty body', () => {
    const { frames } = parseChunks([Buffer.from('Content-Type: api/response\nContent-Length: 0\n\n')]);
    expect(frames).toEqual([{ type: 'api/response', headers: [['Content-Type', 'api/response'], ['Content-Length', '0']], body: '' }]);
  });
});

describe('FrameParser: CRLF line endings (libesl accepts them)', () => {
  it('parses CRLF header blocks and bodies, split at every offset', () => {
    const bytes = Buffer.from('Content-Type: api/response\r\nContent-Length: 3\r\n\r\nabcContent-Type: command/reply\r\nReply-Text: +OK\r\n\r\n');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const frames: { type?: string; body?: string; reply?: string }[] = [];
      const p = new FrameParser((f) => frames.push({ type: f.contentType, body: f.body?.toString(), reply: f.headers.get('Reply-Text') }));
      expect(p.push(bytes.subarray(0, cut))).toBeUndefined();
      expect(p.push(bytes.subarray(cut))).toBeUndefined();
      expect(frames).toEqual([
        { type: 'api/response', body: 'abc', reply: undefined },
        { type: 'command/reply', body: undefined, reply: '+OK' },
      ]);
    }
  });
});
