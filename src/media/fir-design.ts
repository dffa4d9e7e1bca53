/**
 * The low-pass filter of each resampling ratio: a Kaiser-windowed sinc designed once per ratio
 * and split into polyphase branches, flat to 85 % of the lower rate's Nyquist frequency (3.4 kHz
 * at 8 kHz: the telephone band), ≥ 60 dB down from 110 % of it. 2:1 ratios get a half-band
 * design whose zero taps the kernels skip. Shared by the JavaScript and the SIMD kernels.
 *
 * @module
 */

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

/** A ratio's polyphase filter. */
export interface Design {
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

/** The filter for `from` → `to` Hz (cached: designed once per ratio in a process). */
export function design(from: number, to: number): Design {
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

