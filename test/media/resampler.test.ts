import { describe, expect, it } from 'vitest';
import { Resampler } from '../../src/media/resampler.js';
import type { SampleRate } from '../../src/realtime/audio-format.js';
import { db, power, tone } from '../helpers/signal.js';

function run(from: SampleRate, to: SampleRate, input: Int16Array, engine?: 'simd' | 'js'): Int16Array {
  const r = new Resampler({ from, to, engine });
  return Int16Array.from([...r.process(input), ...r.flush()]);
}

describe('Resampler', () => {
  // The filter's quality on both kernels (SIMD is the default wherever it serves the ratio).
  describe.each(['simd', 'js'] as const)('on the %s engine', (engine) => {
    it('keeps a 1 kHz tone through 8k → 24k → 8k at ≥ 40 dB SNR', () => {
      const x = tone(1000, 8000, 1);
      const up = new Resampler({ from: 8000, to: 24000, engine });
      const down = new Resampler({ from: 24000, to: 8000, engine });
      const y = Int16Array.from([...down.process(Int16Array.from([...up.process(x), ...up.flush()])), ...down.flush()]);
      const delay = Math.round(up.latencySamples / 3 + down.latencySamples);
      let signal = 0;
      let noise = 0;
      for (let i = 400; i < x.length - 400; i++) {
        signal += x[i]! ** 2;
        noise += (x[i]! - y[i + delay]!) ** 2;
      }
      expect(db(signal / noise)).toBeGreaterThanOrEqual(40);
    });

    it('passes 3.5 kHz at 24k → 8k without aliasing it', () => {
      const y = run(24000, 8000, tone(3500, 24000, 0.5), engine);
      const at = power(y, 3500, 8000);
      expect(db(at / power(tone(3500, 8000, 0.5), 3500, 8000))).toBeGreaterThan(-1);
      // ...and a 4.5 kHz tone, which would fold onto 3.5 kHz, does not.
      expect(db(power(run(24000, 8000, tone(4500, 24000, 0.5), engine), 3500, 8000) / at)).toBeLessThan(-50);
    });

    it.each([
      [24000, 8000, 6000, 2000],
      [16000, 8000, 5000, 3000],
      [48000, 16000, 12000, 4000],
      [24000, 16000, 10000, 6000],
    ] as const)('attenuates a %i Hz-rate tone above the new Nyquist (%i → %i, %i Hz) by ≥ 50 dB', (from, to, hz, alias) => {
      const x = tone(hz, from, 0.5);
      const y = run(from, to, x, engine);
      const reference = power(tone(alias, to, 0.5), alias, to);
      expect(db(power(y, alias, to) / reference)).toBeLessThan(-50);
    });
  });

  it('gives the same samples chunked as in one piece', () => {
    const x = tone(440, 16000, 0.3);
    const whole = new Resampler({ from: 16000, to: 24000 }).process(x).slice();
    const r = new Resampler({ from: 16000, to: 24000 });
    const parts: number[] = [];
    let at = 0;
    let seed = 3;
    while (at < x.length) {
      seed = (seed * 16807) % 2147483647;
      const n = 1 + (seed % 700);
      parts.push(...r.process(x.subarray(at, at + n)));
      at += n;
    }
    expect(Int16Array.from(parts)).toEqual(whole);
  });

  it('produces the right number of samples per 20 ms frame in every direction', () => {
    const rates: SampleRate[] = [8000, 16000, 24000, 48000];
    for (const from of rates) {
      for (const to of rates) {
        const r = new Resampler({ from, to });
        let total = 0;
        for (let f = 0; f < 50; f++) total += r.process(new Int16Array(from / 50)).length;
        expect(Math.abs(total - to)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('resets its state and clamps overflow', () => {
    const r = new Resampler({ from: 8000, to: 16000 });
    const loud = Int16Array.from({ length: 400 }, (_, i) => (i % 2 ? 32767 : -32768));
    const y = r.process(loud);
    expect(Math.max(...y)).toBeLessThanOrEqual(32767);
    r.reset();
    expect([...r.process(new Int16Array(160))].every((v) => v === 0)).toBe(true);
  });
});
