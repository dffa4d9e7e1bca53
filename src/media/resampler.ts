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
import type { SampleRate } from '../realtime/audio-format.js';

/** Stop-band attenuation, dB. */
const STOPBAND_DB = 60;
/** Pass band edge, and stop band edge, as fractions of the lower rate's Nyquist frequency. */
const PASS = 0.85;
const STOP = 1.1;
/**
 * For 2:1 ratios the band edges are placed symmetrically around Nyquist: the prototype is then a
 * half-band filter, every other coefficient is zero, and the zeros are skipped (half the work).
 */
const HALF_BAND_STOP = 1.15;

interface Design {
  /** Up- and down-sampling factors. */
  up: number;
  down: number;
  /** Taps per phase. */
  taps: number;
  /** `phases[p * taps + k]`: coefficient k of phase p (gain included). */
  phases: Float32Array;
  /** The same without zero coefficients: phase p's taps are `starts[p]..starts[p+1]` of `coefs`/`offsets`. */
  sparse: { starts: Int32Array; offsets: Int32Array; coefs: Float32Array } | undefined;
  /**
   * Symmetric phases folded: `coef · (x[a] + x[b])` per pair, so each pair costs one multiply.
   * Phase p's pairs are `starts[p]..starts[p+1]`; `middle[p]` is its unpaired centre tap (offset,
   * or -1) with coefficient `middleCoef[p]`.
   */
  folded:
    | { starts: Int32Array; a: Int32Array; b: Int32Array; coefs: Float32Array; middle: Int32Array; middleCoef: Float32Array }
    | undefined;
  /** Group delay, in output samples. */
  latency: number;
}

const designs = new Map<string, Design>();

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** I0, the modified Bessel function of the first kind (series), for the Kaiser window. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

function design(from: number, to: number): Design {
  const key = `${from}:${to}`;
  const cached = designs.get(key);
  if (cached) return cached;
  const g = gcd(from, to);
  const up = to / g;
  const down = from / g;
  const rate = from * up; // the upsampled rate the prototype runs at
  const nyquist = Math.min(from, to) / 2;
  const pass = PASS * nyquist;
  const stop = (up * down === 2 ? HALF_BAND_STOP : STOP) * nyquist;
  const transition = (stop - pass) / rate; // normalised to the prototype's rate
  const cutoff = (pass + stop) / 2 / rate;
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  // An odd-length prototype whose centre is a whole number of samples at both the input and the
  // output rate: the delay is an integer either way, so streams stay sample-aligned through any
  // chain of resamplers.
  const minLength = Math.ceil((STOPBAND_DB - 8) / (2.285 * 2 * Math.PI * transition)) + 1;
  const center = Math.ceil((minLength - 1) / 2 / (up * down)) * up * down;
  const nonZero = 2 * center + 1;
  const length = Math.ceil(nonZero / up) * up; // a whole number of taps per phase (zero-padded)
  const taps = length / up;
  const proto = new Float32Array(length);
  for (let n = 0; n < nonZero; n++) {
    const x = n - center;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - (x / center) ** 2))) / besselI0(beta);
    proto[n] = sinc * w;
  }
  // Unity DC gain per phase after upsampling: scale by `up` over the prototype's sum.
  let sum = 0;
  for (const c of proto) sum += c;
  const phases = new Float32Array(length);
  for (let p = 0; p < up; p++) for (let k = 0; k < taps; k++) phases[p * taps + k] = (proto[p + k * up]! * up) / sum;
  const sparse = sparsify(phases, up, taps);
  const d: Design = { up, down, taps, phases, sparse, folded: fold(phases, up, taps), latency: center / down };
  designs.set(key, d);
  return d;
}

/** The non-zero taps of each phase, when at least a quarter of all taps are zero. */
function sparsify(phases: Float32Array, up: number, taps: number): Design['sparse'] {
  const tiny = 1e-7;
  let zeros = 0;
  for (const c of phases) if (Math.abs(c) < tiny) zeros++;
  if (zeros < phases.length / 4) return undefined;
  const starts = new Int32Array(up + 1);
  const offsets = new Int32Array(phases.length - zeros);
  const coefs = new Float32Array(phases.length - zeros);
  let j = 0;
  for (let p = 0; p < up; p++) {
    starts[p] = j;
    for (let k = 0; k < taps; k++) {
      const c = phases[p * taps + k]!;
      if (Math.abs(c) < tiny) continue;
      offsets[j] = k;
      coefs[j++] = c;
    }
  }
  starts[up] = j;
  return { starts, offsets, coefs };
}

/** Pairs of equal coefficients (a symmetric phase), zero taps left out; `undefined` if any phase is not symmetric. */
function fold(phases: Float32Array, up: number, taps: number): Design['folded'] {
  const tiny = 1e-7;
  const a: number[] = [];
  const b: number[] = [];
  const coefs: number[] = [];
  const starts = new Int32Array(up + 1);
  const middle = new Int32Array(up).fill(-1);
  const middleCoef = new Float32Array(up);
  for (let p = 0; p < up; p++) {
    starts[p] = a.length;
    const nz: number[] = [];
    for (let k = 0; k < taps; k++) if (Math.abs(phases[p * taps + k]!) >= tiny) nz.push(k);
    for (let i = 0, j = nz.length - 1; i <= j; i++, j--) {
      const ci = phases[p * taps + nz[i]!]!;
      const cj = phases[p * taps + nz[j]!]!;
      if (Math.abs(ci - cj) > 1e-6 * Math.max(Math.abs(ci), 1e-3)) return undefined;
      if (i === j) {
        middle[p] = nz[i]!;
        middleCoef[p] = ci;
      } else {
        a.push(nz[i]!);
        b.push(nz[j]!);
        coefs.push(ci);
      }
    }
  }
  starts[up] = a.length;
  return { starts, a: Int32Array.from(a), b: Int32Array.from(b), coefs: Float32Array.from(coefs), middle, middleCoef };
}

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
  from: SampleRate;
  to: SampleRate;
}

/**
 * Converts a stream of 16-bit samples from one rate to another. State carries across chunks:
 * feeding a signal in pieces of any size gives the same samples as feeding it at once.
 */
export class Resampler {
  readonly from: SampleRate;
  readonly to: SampleRate;
  /** Delay the filter adds, in output samples. */
  readonly latencySamples: number;
  private readonly d: Design;
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
    this.history.fill(0);
    this.t = 0;
  }
}
