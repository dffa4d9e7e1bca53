/**
 * A streaming polyphase FIR resampler for the rates telephony and AI vendors use (8, 16, 24,
 * 48 kHz), with a Kaiser-windowed sinc low-pass designed once per ratio: flat to 85 % of the
 * lower rate's Nyquist frequency (3.4 kHz at 8 kHz: the telephone band), ≥ 60 dB down from
 * 110 % of it. What folds back lies between 90 % and 100 % of Nyquist, above the telephone band,
 * already attenuated; the gentler slope halves the filter length (see `bench/media.ts`). 2:1
 * ratios use a half-band design whose zero taps are skipped.
 *
 * @module
 */
import type { SampleRate } from './audio-format.js';
import { type Design, design } from './fir-design.js';
import { SimdStream, simdSupports } from './resampler-simd.js';

/** Σ coefs[j] · (x[last − a[j]] + x[last − b[j]]) over one phase's pairs. */
function dotFolded(coefs: Float32Array, a: Int32Array, b: Int32Array, from: number, to: number, x: Float32Array, last: number): number {
  let a0 = 0;
  let a1 = 0;
  let j = from;
  for (; j + 1 < to; j += 2) {
    a0 += coefs[j]! * (x[last - a[j]!]! + x[last - b[j]!]!);
    a1 += coefs[j + 1]! * (x[last - a[j + 1]!]! + x[last - b[j + 1]!]!);
  }
  if (j < to) a0 += coefs[j]! * (x[last - a[j]!]! + x[last - b[j]!]!);
  return a0 + a1;
}

/** Σ coefs[j] · x[last − offsets[j]] over one phase's non-zero taps. */
function dotSparse(coefs: Float32Array, offsets: Int32Array, from: number, to: number, x: Float32Array, last: number): number {
  let a0 = 0;
  let a1 = 0;
  let j = from;
  for (; j + 1 < to; j += 2) {
    a0 += coefs[j]! * x[last - offsets[j]!]!;
    a1 += coefs[j + 1]! * x[last - offsets[j + 1]!]!;
  }
  if (j < to) a0 += coefs[j]! * x[last - offsets[j]!]!;
  return a0 + a1;
}

/** Σ h[base + k] · x[last − k] for k < taps: the inner loop, kept monomorphic for the JIT. */
function dot(h: Float32Array, base: number, x: Float32Array, last: number, taps: number): number {
  let a0 = 0;
  let a1 = 0;
  let k = 0;
  for (; k + 1 < taps; k += 2) {
    a0 += h[base + k]! * x[last - k]!;
    a1 += h[base + k + 1]! * x[last - k - 1]!;
  }
  if (k < taps) a0 += h[base + k]! * x[last - k]!;
  return a0 + a1;
}

/** Options of {@link Resampler}. */
export interface ResamplerOptions {
  /** Input rate. */
  from: SampleRate;
  /** Output rate. */
  to: SampleRate;
  /**
   * `simd` (default where it serves the ratio): the WebAssembly SIMD kernel, about ten times
   * faster; `js`: the JavaScript kernel. Both compute the same filter (outputs agree within one
   * least significant bit: the SIMD kernel sums in 32-bit floats and rounds half to even).
   * 16 ↔ 24 kHz always runs in JavaScript.
   */
  engine?: 'simd' | 'js';
}

/**
 * Converts a stream of 16-bit samples from one rate to another. State carries across chunks:
 * feeding a signal in pieces of any size gives the same samples as feeding it at once.
 */
export class Resampler {
  /** Input rate. */
  readonly from: SampleRate;
  /** Output rate. */
  readonly to: SampleRate;
  /** Delay the filter adds, in output samples. */
  readonly latencySamples: number;
  /** The kernel this stream runs on. */
  readonly engine: 'simd' | 'js';
  private readonly d: Design;
  private readonly simd: SimdStream | undefined;
  private work = new Float32Array(0);
  private history: Float32Array;
  /** Position of the next output in the upsampled domain, relative to the next chunk's start. */
  private t = 0;
  private out = new Int16Array(0);

  constructor(options: ResamplerOptions) {
    this.from = options.from;
    this.to = options.to;
    this.d = design(options.from, options.to);
    this.history = new Float32Array(this.d.taps - 1);
    this.latencySamples = this.from === this.to ? 0 : this.d.latency;
    if (this.from !== this.to && options.engine !== 'js' && simdSupports(this.d)) this.simd = new SimdStream(this.d);
    this.engine = this.simd ? 'simd' : 'js';
  }

  /** Output samples for `inputLength` more input samples (at most; may be one less). */
  maxOutput(inputLength: number): number {
    return Math.ceil(((inputLength + 1) * this.d.up) / this.d.down) + 1;
  }

  /**
   * Resamples a chunk. The result is a view of an internal buffer, valid until the next call;
   * copy it (or use {@link Resampler.processInto}) to keep it.
   */
  process(input: Int16Array): Int16Array {
    if (this.from === this.to) return input;
    const need = this.maxOutput(input.length);
    if (this.out.length < need) this.out = new Int16Array(need);
    return this.out.subarray(0, this.processInto(input, this.out));
  }

  /** Resamples into `out` (sized with {@link Resampler.maxOutput}); returns the samples written. */
  processInto(input: Int16Array, out: Int16Array): number {
    if (this.from === this.to) {
      out.set(input);
      return input.length;
    }
    if (this.simd) return this.simd.process(input, out);
    const { up, down, taps, phases, sparse, folded } = this.d;
    const keep = taps - 1;
    const total = keep + input.length;
    if (this.work.length < total) this.work = new Float32Array(total);
    const work = this.work;
    work.set(this.history, 0);
    for (let i = 0; i < input.length; i++) work[keep + i] = input[i]!;
    let t = this.t;
    let n = 0;
    for (;;) {
      const i = Math.floor(t / up);
      if (i >= input.length) break;
      const p = t - i * up;
      const last = keep + i;
      let acc: number;
      if (folded) {
        acc = dotFolded(folded.coefs, folded.a, folded.b, folded.starts[p]!, folded.starts[p + 1]!, work, last);
        const m = folded.middle[p]!;
        if (m >= 0) acc += folded.middleCoef[p]! * work[last - m]!;
      } else if (sparse) acc = dotSparse(sparse.coefs, sparse.offsets, sparse.starts[p]!, sparse.starts[p + 1]!, work, last);
      else acc = dot(phases, p * taps, work, last, taps);
      const v = Math.round(acc);
      out[n++] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      t += down;
    }
    this.t = t - input.length * up;
    this.history.set(work.subarray(total - keep, total));
    return n;
  }

  /** Drains the filter: the samples still inside it, as if followed by silence. */
  flush(): Int16Array {
    const pad = new Int16Array(Math.ceil(this.d.taps / 2) + 1);
    return Int16Array.from(this.process(pad));
  }

  /** Forgets the stream (a new call or a new answer). */
  reset(): void {
    this.simd?.reset();
    this.history.fill(0);
    this.t = 0;
  }
}
