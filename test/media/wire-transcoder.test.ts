import { describe, expect, it } from 'vitest';
import { alawEncode, ulawEncode } from '../../src/media/g711.js';
import { type WireCodec, wireFormat } from '../../src/media/wire-codec.js';
import { WireDecoder, WireEncoder } from '../../src/media/wire-transcoder.js';
import type { SampleRate } from '../../src/realtime/audio-format.js';
import { tone } from '../helpers/signal.js';

const samplesOf = (b: Uint8Array): Int16Array => new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

/** One second of a speech-band tone on the wire, as 20 ms frames of `codec`. */
function wireFrames(codec: 'PCMU' | 'PCMA'): Uint8Array[] {
  const pcm = tone(1000, 8000, 1, 12000);
  const bytes = codec === 'PCMU' ? ulawEncode(pcm) : alawEncode(pcm);
  return Array.from({ length: 50 }, (_, i) => bytes.subarray(i * 160, (i + 1) * 160));
}

const G711: ('PCMU' | 'PCMA')[] = ['PCMU', 'PCMA'];
const RATES: SampleRate[] = [16000, 24000, 48000];

describe('WireDecoder', () => {
  for (const codec of G711) {
    for (const rate of RATES) {
      it(`${codec} → PCM16 ${rate / 1000} kHz: the fused SIMD path agrees with decode-then-resample in JavaScript within 1 LSB`, () => {
        const wire = wireFormat(codec, 'raw');
        const simd = new WireDecoder(wire, rate);
        const js = new WireDecoder(wire, rate, { engine: 'js' });
        expect([simd.engine, js.engine]).toEqual(['simd', 'js']);
        for (const frame of wireFrames(codec)) {
          const a = samplesOf(simd.decode(frame));
          const b = samplesOf(js.decode(frame));
          expect(a.length).toBe((160 * rate) / 8000);
          expect(b.length).toBe(a.length);
          for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > 1) expect.fail(`sample ${i}: ${a[i]} vs ${b[i]}`);
        }
      });
    }
  }

  it('decodes a long payload at once as it does frame by frame (across the kernel\'s pass size)', () => {
    const wire = wireFormat('PCMA', 'raw');
    const bytes = alawEncode(tone(900, 8000, 0.625, 11000)); // 5000 bytes
    const whole = new WireDecoder(wire, 24000).decode(bytes);
    const framed = new WireDecoder(wire, 24000);
    const parts: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 160) parts.push(framed.decode(bytes.subarray(at, at + 160)));
    expect(whole.length).toBe(5000 * 3 * 2);
    expect(whole).toEqual(Buffer.concat(parts));
  });

  const paths: [WireCodec, 'raw' | 'rtp', SampleRate][] = [
    ['PCMU', 'raw', 16000],
    ['PCMU', 'raw', 8000],
    ['L16', 'raw', 8000],
    ['L16', 'raw', 16000],
    ['L16', 'rtp', 16000],
  ];
  for (const [codec, framing, rate] of paths) {
    it(`hands out buffers of its own (${codec} ${framing} → ${rate / 1000} kHz): frames kept stay intact after the payloads are reused`, () => {
      const wire = wireFormat(codec, framing);
      const decoder = new WireDecoder(wire, rate);
      const payload = new Uint8Array(wire.frameBytes);
      const kept: [Uint8Array, Uint8Array][] = [];
      for (let i = 0; i < 5; i++) {
        payload.fill(0x10 + i * 7);
        const out = decoder.decode(payload);
        kept.push([out, Buffer.from(out)]);
      }
      for (const [out, copy] of kept) expect(out).toEqual(copy);
      expect(new Set(kept.map(([o]) => o)).size).toBe(5);
    });
  }
});

describe('WireEncoder', () => {
  for (const codec of G711) {
    for (const rate of RATES) {
      it(`PCM16 ${rate / 1000} kHz → ${codec}: the fused SIMD path codes as resample-then-encode in JavaScript (at most one step apart)`, () => {
        const wire = wireFormat(codec, 'raw');
        const simd = new WireEncoder(wire, rate);
        const js = new WireEncoder(wire, rate, { engine: 'js' });
        expect([simd.engine, js.engine]).toEqual(['simd', 'js']);
        const pcm = tone(1000, rate, 1, 12000);
        const frame = (rate / 1000) * 20;
        const a: number[] = [];
        const b: number[] = [];
        for (let at = 0; at < pcm.length; at += frame) {
          a.push(...simd.encode(pcm.subarray(at, at + frame)));
          b.push(...js.encode(pcm.subarray(at, at + frame)));
        }
        expect(a.length).toBe(b.length);
        expect(a.length).toBeGreaterThan(7990);
        let same = 0;
        for (let i = 0; i < a.length; i++) {
          if (a[i] === b[i]) same++;
          else expect(Math.abs(a[i]! - b[i]!)).toBe(1);
        }
        expect(same / a.length).toBeGreaterThan(0.99);
      });
    }
  }

  it('gives the same bytes however the provider cuts its audio, across the kernel’s pass size too', () => {
    const wire = wireFormat('PCMU', 'raw');
    const pcm = tone(440, 24000, 0.5, 9000);
    const whole = new WireEncoder(wire, 24000).encode(pcm);
    expect(whole.length).toBe(4000);
    const pieces = new WireEncoder(wire, 24000);
    const out: number[] = [];
    let x = 7;
    for (let at = 0; at < pcm.length; ) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      const n = 1 + (x % 3000);
      out.push(...pieces.encode(pcm.subarray(at, at + n)));
      at += n;
    }
    expect(Buffer.from(out)).toEqual(Buffer.from(whole));
  });

  for (const codec of G711) {
    for (const rate of RATES) {
      it(`takes PCM16 as little-endian bytes as it takes the samples (${codec} ← ${rate / 1000} kHz), at any byte offset, an odd last byte ignored`, () => {
        const pcm = tone(900, rate, 0.2, 11000);
        const expected = Buffer.from(new WireEncoder(wireFormat(codec, 'raw'), rate).encode(pcm));
        // The bytes one past an even offset (no Int16Array view possible), plus a stray byte.
        const backing = new Uint8Array(pcm.byteLength + 2);
        backing.set(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength), 1);
        const odd = backing.subarray(1, pcm.byteLength + 2);
        const enc = new WireEncoder(wireFormat(codec, 'raw'), rate);
        const out: number[] = [];
        for (let at = 0; at < odd.length; at += 2 * (rate / 50)) out.push(...enc.encodeLE(odd.subarray(at, Math.min(odd.length, at + 2 * (rate / 50)))));
        expect(enc.engine).toBe('simd');
        expect(Buffer.from(out)).toEqual(expected);
      });
    }
  }

  it('encodes L16 in the framing\'s byte order: little-endian for unicast, network order for RTP', () => {
    const pcm = Int16Array.from([0x0102, -2]);
    expect([...new WireEncoder(wireFormat('L16', 'raw'), 8000).encode(pcm)]).toEqual([0x02, 0x01, 0xfe, 0xff]);
    expect([...new WireEncoder(wireFormat('L16', 'rtp'), 8000).encode(pcm)]).toEqual([0x01, 0x02, 0xff, 0xfe]);
    const back = new WireDecoder(wireFormat('L16', 'rtp'), 8000).decode(Uint8Array.from([0x01, 0x02, 0xff, 0xfe]));
    expect([...samplesOf(back)]).toEqual([0x0102, -2]);
  });

  it('starts afresh after reset (a new answer after barge-in)', () => {
    const wire = wireFormat('PCMA', 'raw');
    const pcm = tone(700, 16000, 0.2, 9000);
    const enc = new WireEncoder(wire, 16000);
    const first = Buffer.from(enc.encode(pcm));
    enc.encode(tone(300, 16000, 0.1, 5000));
    enc.reset();
    expect(Buffer.from(enc.encode(pcm))).toEqual(first);
  });
});
