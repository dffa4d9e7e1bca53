import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alawDecode, alawEncode, alawToLinear, linearToAlaw, linearToUlaw, ulawDecode, ulawEncode, ulawToLinear } from '../../src/media/g711.js';
import { pcmFromBE, pcmFromLE, pcmToBE, pcmToLE } from '../../src/media/pcm.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { readWav } from '../helpers/wav.js';

/** A plain transcription of the ITU-T G.711 segment rules, written independently of the tables. */
function ulawSpec(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(sample >> 2), 8159) + 33;
  let exponent = 0;
  for (let e = 7; e >= 0; e--) {
    if (magnitude >= 1 << (e + 5)) {
      exponent = e;
      break;
    }
  }
  if (magnitude >= 1 << 13) return (0x7f ^ (sign ? 0x7f : 0xff)) & 0xff;
  const mantissa = (magnitude >> (exponent + 1)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function snrDb(reference: Int16Array, test: Int16Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    signal += reference[i]! ** 2;
    noise += (reference[i]! - test[i]!) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

describe('G.711', () => {
  it('decodes the reference values', () => {
    expect([ulawToLinear(0xff), ulawToLinear(0x7f), ulawToLinear(0x00), ulawToLinear(0x80)]).toEqual([0, 0, -32124, 32124]);
    expect([alawToLinear(0xd5), alawToLinear(0x55), alawToLinear(0x2a), alawToLinear(0xaa)]).toEqual([8, -8, -32256, 32256]);
  });

  it('encodes every 16-bit value as the segment rules say, and tables agree with single-sample calls', () => {
    const all = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) all[i] = i - 32768;
    const u = ulawEncode(all);
    const a = alawEncode(all);
    for (let i = 0; i < 65536; i++) {
      const s = all[i]!;
      if (u[i] !== ulawSpec(s)) throw new Error(`µ-law(${s}) = ${u[i]} but the spec says ${ulawSpec(s)}`);
      if (u[i] !== linearToUlaw(s) || a[i] !== linearToAlaw(s)) throw new Error(`table and single-sample encoders disagree at ${s}`);
    }
    expect(linearToUlaw(0)).toBe(0xff);
    expect(linearToAlaw(0)).toBe(0xd5);
  });

  it('is idempotent on codewords: encode(decode(b)) == b for every byte except µ-law negative zero', () => {
    for (let b = 0; b < 256; b++) {
      if (b !== 0x7f) expect(linearToUlaw(ulawToLinear(b))).toBe(b);
      expect(linearToAlaw(alawToLinear(b))).toBe(b);
    }
  });

  it('keeps speech at ≥ 35 dB SNR (the recorded caller)', () => {
    const pcm = readWav(join(FIXTURES_DIR, 'audio', 'caller-pt-8k.wav')).samples;
    expect(snrDb(pcm, ulawDecode(ulawEncode(pcm)))).toBeGreaterThan(35);
    expect(snrDb(pcm, alawDecode(alawEncode(pcm)))).toBeGreaterThan(35);
    const ulaw = readWav(join(FIXTURES_DIR, 'audio', 'caller-pt-ulaw.wav'));
    expect(ulaw.format).toBe(7);
    expect(Buffer.from(ulawEncode(ulawDecode(ulaw.bytes)))).toEqual(Buffer.from(ulaw.bytes).map((b) => (b === 0x7f ? 0xff : b)));
  });

  it('writes into a caller buffer without allocating, and truncates to the shorter', () => {
    const out = new Uint8Array(4);
    expect(ulawEncode(new Int16Array([0, 1000, -1000, 32767, 5]), out)).toBe(out);
    expect(ulawDecode(new Uint8Array([0xff, 0x00]), new Int16Array(8)).length).toBe(2);
  });
});

describe('PCM byte order', () => {
  it('reads little-endian as a view when aligned, a copy when not', () => {
    const buf = Buffer.from([0x01, 0x00, 0xff, 0xff, 0x00, 0x80]);
    const view = pcmFromLE(buf);
    expect([...view]).toEqual([1, -1, -32768]);
    buf[0] = 2;
    expect(view[0]).toBe(2);
    const odd = Buffer.concat([Buffer.from([9]), Buffer.from([0x01, 0x00, 0xff, 0x7f])]).subarray(1);
    expect([...pcmFromLE(odd)]).toEqual([1, 32767]);
    expect(pcmToLE(new Int16Array([1, -2]))).toEqual(Buffer.from([1, 0, 0xfe, 0xff]));
  });

  it('swaps network order both ways', () => {
    const be = pcmToBE(new Int16Array([1, -2, 0x1234]));
    expect([...be]).toEqual([0, 1, 0xff, 0xfe, 0x12, 0x34]);
    expect([...pcmFromBE(be)]).toEqual([1, -2, 0x1234]);
  });
});
