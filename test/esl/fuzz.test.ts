import { describe, expect, it } from 'vitest';
import { parseJsonEvent, parsePlainEvent, parseXmlEvent } from '../../src/esl/event.js';
import { FrameParser } from '../../src/esl/frame-parser.js';
import { EslReply } from '../../src/esl/reply.js';
import { allRecvSteps } from '../helpers/fixtures.js';

/** A small seeded PRNG so any failure reproduces. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0x0a, 0x0d, 0x3a, 0x25, 0x20, 0x00, 0xff, 0x7b, 0x3c, 0x30, 0x39];

/** Feeds bytes in random chunks and touches everything a handler could read. */
function exercise(bytes: Buffer, rnd: () => number): number {
  let touched = 0;
  const parser = new FrameParser(
    (frame) => {
      const reply = new EslReply(frame);
      touched += reply.text.length + (reply.ok ? 1 : 0);
      for (const [k, v] of frame.headers.entries()) touched += k.length + v.length;
      if (frame.body) {
        for (const decode of [parsePlainEvent, parseJsonEvent, parseXmlEvent]) {
          const e = decode(frame.body);
          if (e) touched += e.name.length + e.body.length + (e.uuid?.length ?? 0) + JSON.stringify(e.toJSON()).length;
        }
      }
    },
    { maxHeaderBytes: 64 * 1024, maxBodyBytes: 256 * 1024 },
  );
  let at = 0;
  while (at < bytes.length) {
    const n = 1 + Math.floor(rnd() * 3000);
    parser.push(bytes.subarray(at, at + n));
    at += n;
  }
  return touched;
}

describe('fuzzing the parser and decoders', () => {
  const frames = allRecvSteps().map((s) => s.bytes);

  it('never throws on mutated real frames (flips, truncations, duplications, splices)', () => {
    const rnd = prng(20261125);
    for (let round = 0; round < 1500; round++) {
      const base = Buffer.from(frames[Math.floor(rnd() * frames.length)]!);
      const mutations = 1 + Math.floor(rnd() * 8);
      let bytes = base;
      for (let m = 0; m < mutations; m++) {
        const at = Math.floor(rnd() * bytes.length);
        switch (Math.floor(rnd() * 4)) {
          case 0:
            bytes[at] = INTERESTING[Math.floor(rnd() * INTERESTING.length)]!;
            break;
          case 1:
            bytes = bytes.subarray(0, at);
            break;
          case 2:
            bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.floor(at / 2))]);
            break;
          default:
            bytes = Buffer.concat([bytes, frames[Math.floor(rnd() * frames.length)]!.subarray(0, Math.floor(rnd() * 500))]);
        }
        if (bytes.length === 0) break;
      }
      expect(() => exercise(bytes, rnd)).not.toThrow();
    }
  });

  it('never throws on random bytes and random header-shaped text', () => {
    const rnd = prng(42);
    for (let round = 0; round < 500; round++) {
      const n = Math.floor(rnd() * 4000);
      const bytes = Buffer.alloc(n);
      for (let i = 0; i < n; i++) bytes[i] = rnd() < 0.3 ? INTERESTING[Math.floor(rnd() * INTERESTING.length)]! : Math.floor(rnd() * 256);
      expect(() => exercise(bytes, rnd)).not.toThrow();
      const text = Array.from({ length: 20 }, () => `H${Math.floor(rnd() * 9)}: %${Math.floor(rnd() * 255).toString(16)}x\n`).join('');
      const lie = `Content-Type: text/event-plain\nContent-Length: ${text.length}\n\n${text}`;
      expect(() => exercise(Buffer.from(lie), rnd)).not.toThrow();
    }
  });
});
