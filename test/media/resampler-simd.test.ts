import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesModule, compileFirKernel } from '../../scripts/build-wasm.js';
import { design } from '../../src/media/fir-design.js';
import { Resampler } from '../../src/media/resampler.js';
import { SimdStream } from '../../src/media/resampler-simd.js';
import { FIR_KERNEL_BASE64 } from '../../src/media/wasm/fir-kernel-bytes.js';
import type { SampleRate } from '../../src/realtime/audio-format.js';

const RATES: SampleRate[] = [8000, 16000, 24000, 48000];
const isJsOnly = (a: number, b: number): boolean => (a === 16000 && b === 24000) || (a === 24000 && b === 16000);
const PAIRS = RATES.flatMap((from) => RATES.filter((to) => to !== from).map((to) => [from, to] as [SampleRate, SampleRate]));
const SIMD_PAIRS = PAIRS.filter(([from, to]) => !isJsOnly(from, to));

/** A seeded linear congruential generator (Numerical Recipes constants): 32-bit unsigned values. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

/**
 * Full-scale noise with rail-to-rail square bursts (+32767 / −32768 runs): the filters' overshoot
 * on those steps drives the output past int16 in both directions, so saturation is exercised.
 */
function signal(length: number, seed: number): Int16Array {
  const rand = lcg(seed);
  return Int16Array.from({ length }, (_, i) => {
    const r = rand();
    const phase = i % 500;
    if (phase < 60) return 32767;
    if (phase < 120) return -32768;
    if (phase < 124) return r & 1 ? 32767 : -32768;
    return (r >>> 16) - 32768;
  });
}

/** Chunk sizes for `length` samples: random 1..700, with one chunk longer than a kernel pass (2048) at `bigAt`. */
function chunkSizes(length: number, seed: number, bigAt = 1500, big = 2500): number[] {
  const rand = lcg(seed);
  const sizes: number[] = [];
  let at = 0;
  while (at < length) {
    const n = at >= bigAt && !sizes.includes(big) ? big : 1 + (rand() % 700);
    sizes.push(Math.min(n, length - at));
    at += n;
  }
  return sizes;
}

/** Everything a stream gives for `input` fed in `sizes` pieces (or at once), flush included. */
function feed(r: Resampler, input: Int16Array, sizes: number[] = [input.length]): Int16Array {
  const out: number[] = [];
  let at = 0;
  for (const n of sizes) {
    out.push(...r.process(input.subarray(at, at + n)));
    at += n;
  }
  expect(at).toBe(input.length);
  out.push(...r.flush());
  return Int16Array.from(out);
}

describe('Resampler engine selection', () => {
  it.each(PAIRS)('%i → %i picks its engine; engine: js forces js', (from, to) => {
    expect(new Resampler({ from, to }).engine).toBe(isJsOnly(from, to) ? 'js' : 'simd');
    expect(new Resampler({ from, to, engine: 'simd' }).engine).toBe(isJsOnly(from, to) ? 'js' : 'simd');
    expect(new Resampler({ from, to, engine: 'js' }).engine).toBe('js');
  });
});

describe('Resampler SIMD engine', () => {
  const x = signal(6000, 0x5eed);
  const sizes = chunkSizes(x.length, 42);

  it('feeds the test through a chunk longer than one kernel pass, and random small ones', () => {
    expect(sizes.some((n) => n > 2048)).toBe(true);
    expect(sizes.filter((n) => n <= 700).length).toBeGreaterThan(5);
    expect(Math.min(...x)).toBe(-32768);
    expect(Math.max(...x)).toBe(32767);
  });

  it.each(SIMD_PAIRS)('%i → %i: chunked SIMD output is within 1 LSB of the JS engine fed at once', (from, to) => {
    const reference = feed(new Resampler({ from, to, engine: 'js' }), x);
    // The signal must actually drive the output into saturation, on both rails.
    expect(reference.includes(32767)).toBe(true);
    expect(reference.includes(-32768)).toBe(true);
    const simd = new Resampler({ from, to });
    expect(simd.engine).toBe('simd');
    const y = feed(simd, x, sizes);
    expect(y.length).toBe(reference.length);
    const beyond: { at: number; simd: number; js: number }[] = [];
    for (let i = 0; i < y.length; i++) if (Math.abs(y[i]! - reference[i]!) > 1) beyond.push({ at: i, simd: y[i]!, js: reference[i]! });
    expect(beyond.slice(0, 5)).toEqual([]);
  });

  it.each(SIMD_PAIRS)('%i → %i: the same samples chunked as at once', (from, to) => {
    const whole = feed(new Resampler({ from, to }), x);
    const chunked = feed(new Resampler({ from, to }), x, sizes);
    // ...and cut differently again (sizes around the pass length and the filter's history).
    const other = feed(new Resampler({ from, to }), x, [2048, 1, 2049, 7, 513, x.length - 4618]);
    expect(chunked).toEqual(whole);
    expect(other).toEqual(whole);
  });

  it.each(SIMD_PAIRS)('%i → %i: reset() gives a stream exactly like a fresh one', (from, to) => {
    const second = signal(3000, 7);
    const fresh = feed(new Resampler({ from, to }), second, chunkSizes(second.length, 9));
    const r = new Resampler({ from, to });
    // 1001 samples: not a multiple of any down-sampling factor, so the phase is mid-way too.
    const first = r.process(x.subarray(0, 1001)).slice();
    expect(first.some((v) => v !== 0)).toBe(true);
    r.reset();
    expect(feed(r, second, chunkSizes(second.length, 9))).toEqual(fresh);
  });

  it('keeps each stream right after the kernel memory grows (another ratio\'s tables are written)', () => {
    const frames = Array.from({ length: 10 }, (_, i) => signal(320, 40 + i));
    const out = new Int16Array(1024);
    const run = (stream: SimdStream, list: Int16Array[]): number[] => list.flatMap((f) => [...out.subarray(0, stream.process(f, out))]);
    const ratios = [design(16000, 8000), design(8000, 16000)];
    const streams = ratios.map((d) => new SimdStream(d));
    const before = streams.map((s) => run(s, frames.slice(0, 5)));
    // Fresh designs (copies) get tables of their own: enough of them to grow the memory.
    for (let i = 0; i < 300; i++) new SimdStream({ ...design(24000, 8000) });
    const after = streams.map((s) => run(s, frames.slice(5)));
    ratios.forEach((d, i) => expect([...before[i]!, ...after[i]!]).toEqual(run(new SimdStream(d), frames)));
  });
});

describe('the committed WebAssembly kernel', () => {
  it('is what scripts/build-wasm.ts compiles from fir-kernel.wat (run `npm run build:wasm`)', async () => {
    const bytes = await compileFirKernel();
    expect(Buffer.from(FIR_KERNEL_BASE64, 'base64').toString('hex')).toBe(Buffer.from(bytes).toString('hex'));
    const committed = readFileSync(new URL('../../src/media/wasm/fir-kernel-bytes.ts', import.meta.url), 'utf8');
    expect(bytesModule(bytes)).toBe(committed);
  });
});
