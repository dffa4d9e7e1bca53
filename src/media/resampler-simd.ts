/**
 * The resampler's SIMD engine: the polyphase FIR of `fir-design.ts` run by a small WebAssembly
 * module (`wasm/fir-kernel.wat`) four samples per instruction, sixteen outputs per pass, zero taps
 * skipped. About ten times the JavaScript kernel's speed (`bench/media.ts` measures both): at
 * hundreds of calls per process the filter is most of the CPU a resampling call costs.
 *
 * It serves pure up-sampling and pure down-sampling ratios (8↔16, 8↔24, 16↔48, 8↔48, 24↔48 kHz);
 * 16↔24 kHz stays on the JavaScript kernel. One module instance serves every call in the
 * process: the kernel is synchronous, so one scratch area is enough; each stream's state (its
 * last `taps − 1` samples and its phase) stays in the stream's own object.
 *
 * G.711 can be decoded on the way in and encoded on the way out inside the module (table
 * lookups next to the filter), so a resampled call's frame crosses into JavaScript once each
 * way, as the bytes it is on the wire and as the samples the consumer gets.
 *
 * @module
 */
import type { Design } from './fir-design.js';
import { alawToLinear, linearToAlaw, linearToUlaw, ulawToLinear } from './g711.js';
import { FIR_KERNEL_BASE64 } from './wasm/fir-kernel-bytes.js';

/** Input samples one kernel pass takes; longer chunks are cut into passes. */
const MAX_CHUNK = 2048;
/** History the scratch area has room for (taps − 1); longer filters stay in JavaScript. */
const MAX_KEEP = 512;
/** Largest up- or down-sampling factor served (48 ↔ 8 kHz). */
const MAX_FACTOR = 6;
/** Samples a pass may read or write past its end (the filter works in blocks of sixteen). */
const SLACK = 16;

/** The part of the WebAssembly API used here (TypeScript's Node types leave it out without the DOM library). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
};

interface KernelExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  widen(src: number, dst: number, n: number): void;
  expand(src: number, n: number, table: number, dst: number): void;
  compress(src: number, n: number, table: number, shift: number, bias: number, dst: number): void;
  deinterleave(src: number, n: number, d: number, dst: number, stride: number): void;
  fir(src: number, coefs: number, offs: number, terms: number, out: number, count: number, outStride: number): void;
}

/** G.711's two laws. */
export type G711Law = 'ulaw' | 'alaw';

/** One law's tables in the module's memory: decoded values (float32 by byte) and the encoder's (by top bits). */
interface LawTables {
  decode: number;
  encode: number;
  shift: number;
  bias: number;
}

/** One phase's terms in the module's memory: splat coefficients and byte offsets. */
interface Terms {
  coefs: number;
  offs: number;
  count: number;
}

/** The module, its scratch area and a bump allocator for the designs' tables (never freed: one per ratio). */
class Kernel {
  readonly exports: KernelExports;
  /** Scratch regions (byte addresses); `in16` also holds G.711 bytes in and out. */
  readonly in16: number;
  readonly x: number;
  readonly streams: number;
  readonly streamStride: number;
  readonly out16: number;
  private top: number;

  constructor(exports: KernelExports) {
    this.exports = exports;
    this.top = 0;
    this.in16 = this.alloc((MAX_CHUNK + SLACK) * 2);
    this.x = this.alloc((MAX_KEEP + MAX_CHUNK + SLACK) * 4);
    this.streamStride = (MAX_KEEP + MAX_CHUNK + 2 * SLACK) * 4;
    this.streams = this.alloc(this.streamStride * MAX_FACTOR);
    this.out16 = this.alloc((MAX_CHUNK + SLACK) * MAX_FACTOR * 2);
  }

  /** 16-byte aligned bytes, growing the memory when needed. */
  alloc(bytes: number): number {
    const at = (this.top + 15) & ~15;
    this.top = at + bytes;
    const memory = this.exports.memory;
    const missing = this.top - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
    this.refresh();
    return at;
  }

  /** Views of the memory, renewed after each grow (which detaches the old buffer; only {@link Kernel.alloc} grows it). */
  f32 = new Float32Array(0);
  i16 = new Int16Array(0);
  i32 = new Int32Array(0);
  u8 = new Uint8Array(0);
  /** Bumped when the views are renewed: a stream's cached views of the memory are stale then. */
  generation = 0;
  private readonly laws = new Map<G711Law, LawTables>();

  private refresh(): void {
    const buffer = this.exports.memory.buffer;
    if (this.f32.buffer === buffer) return;
    this.f32 = new Float32Array(buffer);
    this.i16 = new Int16Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
    this.generation++;
  }

  /** A law's tables, written into the module's memory on first use (from g711.ts's, so both engines code alike). */
  law(law: G711Law): LawTables {
    let t = this.laws.get(law);
    if (t) return t;
    const [toLinear, fromLinear, shift, bias] = law === 'ulaw' ? [ulawToLinear, linearToUlaw, 2, 8192] : [alawToLinear, linearToAlaw, 3, 4096];
    t = { decode: this.alloc(256 * 4), encode: this.alloc(bias * 2), shift, bias };
    for (let i = 0; i < 256; i++) this.f32[t.decode / 4 + i] = toLinear(i);
    for (let i = 0; i < bias * 2; i++) this.u8[t.encode + i] = fromLinear((i - bias) << shift);
    this.laws.set(law, t);
    return t;
  }

  /** Writes one phase's terms: coefficient splats and byte offsets into the sample region. */
  terms(list: { coef: number; offset: number }[]): Terms {
    const coefs = this.alloc(list.length * 16);
    const offs = this.alloc(list.length * 4);
    const { f32, i32 } = this;
    list.forEach((t, j) => {
      f32.fill(t.coef, coefs / 4 + j * 4, coefs / 4 + j * 4 + 4);
      i32[offs / 4 + j] = t.offset;
    });
    return { coefs, offs, count: list.length };
  }
}

let kernel: Kernel | null | undefined;

/** The process's kernel, or `null` where WebAssembly SIMD is not available. */
function getKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const bytes = Buffer.from(FIR_KERNEL_BASE64, 'base64');
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    kernel = new Kernel(instance.exports as unknown as KernelExports);
  } catch {
    kernel = null;
  }
  return kernel;
}

const TINY = 1e-7;
/** Each design's tables, per kernel: up-sampling has one per phase, down-sampling one per start phase. */
const tables = new WeakMap<Design, Terms[]>();

function tablesFor(k: Kernel, d: Design): Terms[] {
  const cached = tables.get(d);
  if (cached) return cached;
  const keep = d.taps - 1;
  const made: Terms[] = [];
  if (d.down === 1) {
    // Output i·up + p = Σ_k h_p[k] · x[keep + i − k]: phase p reads the samples at keep − k.
    for (let p = 0; p < d.up; p++) {
      const list: { coef: number; offset: number }[] = [];
      for (let kk = 0; kk < d.taps; kk++) {
        const c = d.phases[p * d.taps + kk]!;
        if (Math.abs(c) >= TINY) list.push({ coef: c, offset: (keep - kk) * 4 });
      }
      made.push(k.terms(list));
    }
  } else {
    // Output m = Σ_k h[k] · x[keep + t + m·down − k]; with x split into `down` streams
    // (s_r[j] = x[r + j·down]) that is s_r[m + q] for keep + t − k = r + q·down.
    for (let t = 0; t < d.down; t++) {
      const list: { coef: number; offset: number }[] = [];
      for (let kk = 0; kk < d.taps; kk++) {
        const c = d.phases[kk]!;
        if (Math.abs(c) < TINY) continue;
        const pos = keep + t - kk;
        const r = pos % d.down;
        const q = (pos - r) / d.down;
        list.push({ coef: c, offset: r * k.streamStride + q * 4 });
      }
      made.push(k.terms(list));
    }
  }
  tables.set(d, made);
  return made;
}

/** Whether the SIMD engine can run this design. */
export function simdSupports(d: Design): boolean {
  return (d.up === 1 || d.down === 1) && d.up <= MAX_FACTOR && d.down <= MAX_FACTOR && d.taps - 1 <= MAX_KEEP && getKernel() !== null;
}

/** One stream's state on the SIMD engine. */
export class SimdStream {
  private readonly k: Kernel;
  private readonly keep: number;
  private readonly history: Float32Array;
  private readonly tables: Terms[];
  /** Down-sampling: position of the next output relative to the next chunk's start (0 ≤ t < down). */
  private t = 0;
  /**
   * Views of the module's memory a frame is copied out through, kept from frame to frame (a
   * call's frames are all one size, and making a view costs more than the copy): the output
   * bytes, and the samples that become the next history.
   */
  private outView = new Uint8Array(0);
  private outSamplesView = new Int16Array(0);
  private tailView = new Float32Array(0);
  private tailAt = -1;
  private generation = -1;
  private readonly law: LawTables;

  /** `law`: the G.711 law {@link SimdStream.fromG711} and {@link SimdStream.toG711} code with (default µ-law). */
  constructor(
    private readonly d: Design,
    law: G711Law = 'ulaw',
  ) {
    const k = getKernel();
    if (!k || !simdSupports(d)) throw new Error('the SIMD resampler does not serve this ratio here');
    this.k = k;
    this.keep = d.taps - 1;
    this.history = new Float32Array(this.keep);
    this.tables = tablesFor(k, d);
    this.law = k.law(law);
  }

  /** Resamples `input` into `out` (room for {@link Resampler.maxOutput}); returns the samples written. */
  process(input: Int16Array, out: Int16Array): number {
    const k = this.k;
    let written = 0;
    for (let at = 0; at < input.length; at += MAX_CHUNK) {
      const n = Math.min(MAX_CHUNK, input.length - at);
      this.loadSamples(input, at, n);
      const count = this.filter(n);
      out.set(this.outputSamples(count), written);
      written += count;
    }
    return written;
  }

  /**
   * G.711 bytes in, resampled 16-bit samples out as little-endian bytes (the unicast and the
   * providers' PCM16): a fresh buffer the caller owns.
   */
  fromG711(input: Uint8Array): Buffer {
    const k = this.k;
    const t = this.law;
    const out = Buffer.allocUnsafe(this.outputLength(input.length) * 2);
    let written = 0;
    for (let at = 0; at < input.length; at += MAX_CHUNK) {
      const n = Math.min(MAX_CHUNK, input.length - at);
      k.u8.set(at === 0 && n === input.length ? input : input.subarray(at, at + n), k.in16);
      k.exports.expand(k.in16, n, t.decode, k.x + this.keep * 4);
      const count = this.filter(n);
      out.set(this.output(count * 2), written);
      written += count * 2;
    }
    return out;
  }

  /**
   * 16-bit little-endian samples (the providers' PCM16, as bytes: an odd trailing byte is
   * ignored) in, resampled and G.711-encoded bytes out: a fresh buffer the caller owns (empty
   * when the filter holds them all). The bytes go into the module as they are, whatever their
   * alignment: WebAssembly memory is little-endian.
   */
  toG711(input: Uint8Array): Buffer {
    const k = this.k;
    const t = this.law;
    const samples = input.length >> 1;
    const out = Buffer.allocUnsafe(this.outputLength(samples));
    let written = 0;
    for (let at = 0; at < samples; at += MAX_CHUNK) {
      const n = Math.min(MAX_CHUNK, samples - at);
      k.u8.set(at === 0 && 2 * n === input.length ? input : input.subarray(2 * at, 2 * (at + n)), k.in16);
      k.exports.widen(k.in16, k.x + this.keep * 4, n);
      const count = this.filter(n);
      // In place: byte i is written after sample i (at 2i) is read.
      k.exports.compress(k.out16, count, t.encode, t.shift, t.bias, k.out16);
      out.set(this.output(count), written);
      written += count;
    }
    return out;
  }

  /** Forgets the stream. */
  reset(): void {
    this.history.fill(0);
    this.t = 0;
  }

  /** Output samples for `n` more input samples, exactly (however a pass cuts them). */
  private outputLength(n: number): number {
    const { up, down } = this.d;
    if (down === 1) return n * up;
    return n > this.t ? Math.ceil((n - this.t) / down) : 0;
  }

  /** `n` samples of `input` from `at`, widened into the filter's input after the history. */
  private loadSamples(input: Int16Array, at: number, n: number): void {
    const k = this.k;
    k.i16.set(at === 0 && n === input.length ? input : input.subarray(at, at + n), k.in16 >> 1);
    k.exports.widen(k.in16, k.x + this.keep * 4, n);
  }

  /** Runs the filter over the history and the `n` samples loaded after it; the output is int16 at `out16`. */
  private filter(n: number): number {
    const { k, keep, d } = this;
    if (this.generation !== k.generation) this.renewViews();
    const x = k.x >> 2;
    k.f32.set(this.history, x);
    let count: number;
    if (d.down === 1) {
      for (let p = 0; p < d.up; p++) {
        const terms = this.tables[p]!;
        k.exports.fir(k.x, terms.coefs, terms.offs, terms.count, k.out16 + p * 2, n, d.up);
      }
      count = n * d.up;
    } else {
      const t = this.t;
      count = n > t ? Math.ceil((n - t) / d.down) : 0;
      k.exports.deinterleave(k.x, keep + n, d.down, k.streams, k.streamStride);
      const terms = this.tables[t]!;
      k.exports.fir(k.streams, terms.coefs, terms.offs, terms.count, k.out16, count, 1);
      this.t = t + count * d.down - n;
    }
    this.history.set(this.tail(x + n));
    return count;
  }

  /** The first `bytes` of the output region, through a view kept while the size stays (and the memory: see {@link SimdStream.filter}). */
  private output(bytes: number): Uint8Array {
    const k = this.k;
    if (this.outView.length !== bytes) this.outView = new Uint8Array(k.u8.buffer, k.out16, bytes);
    return this.outView;
  }

  /** {@link SimdStream.output} as `count` samples. */
  private outputSamples(count: number): Int16Array {
    const k = this.k;
    if (this.outSamplesView.length !== count) this.outSamplesView = new Int16Array(k.i16.buffer, k.out16, count);
    return this.outSamplesView;
  }

  /** The `keep` float samples from index `at` of the input region (the next history), through a kept view. */
  private tail(at: number): Float32Array {
    const k = this.k;
    if (this.tailAt !== at) {
      this.tailView = new Float32Array(k.f32.buffer, at * 4, this.keep);
      this.tailAt = at;
    }
    return this.tailView;
  }

  /** The memory grew (a new ratio's tables): views made before it see a detached buffer. */
  private renewViews(): void {
    this.generation = this.k.generation;
    this.outView = new Uint8Array(0);
    this.outSamplesView = new Int16Array(0);
    this.tailAt = -1;
  }
}
