/**
 * A call's audio between the wire (8 kHz: G.711 or L16) and 16-bit PCM at the consumer's rate,
 * resampled on the way: what the bridge does to every frame it does not pass through.
 *
 * @module
 */
import type { SampleRate } from './audio-format.js';
import { design } from './fir-design.js';
import { type G711Law, SimdStream, simdSupports } from './resampler-simd.js';
import { copyToBuffer, pcmFromLE, pcmToLE } from './pcm.js';
import { Resampler } from './resampler.js';
import { type WireFormat, decodeWire, encodeWire } from './wire-codec.js';

/** Options of {@link WireDecoder} and {@link WireEncoder}. */
export interface WireTranscoderOptions {
  /**
   * `simd` (default where it serves the ratio): G.711 and the filter run together in the
   * WebAssembly SIMD kernel; `js`: decode, resample and encode apart, in JavaScript.
   */
  engine?: 'simd' | 'js';
}

/** The G.711 law of a wire format, if it is G.711. */
function lawOf(wire: WireFormat): G711Law | undefined {
  return wire.codec === 'PCMU' ? 'ulaw' : wire.codec === 'PCMA' ? 'alaw' : undefined;
}

/** How one direction converts: the fused SIMD stream for G.711 where it serves, else a resampler (none at 8 kHz). */
interface Conversion {
  fused: SimdStream | undefined;
  resampler: Resampler | undefined;
  engine: 'simd' | 'js';
}

function conversion(wire: WireFormat, from: SampleRate, to: SampleRate, options: WireTranscoderOptions): Conversion {
  const law = lawOf(wire);
  let fused: SimdStream | undefined;
  if (law !== undefined && options.engine !== 'js' && from !== to) {
    const d = design(from, to);
    if (simdSupports(d)) fused = new SimdStream(d, law);
  }
  const resampler = !fused && from !== to ? new Resampler({ from, to, engine: options.engine }) : undefined;
  return { fused, resampler, engine: fused || resampler?.engine === 'simd' ? 'simd' : 'js' };
}

/** Caller audio: wire frames → PCM16 (little-endian bytes) at `rate`, resampled; state carries from frame to frame. */
export class WireDecoder {
  /** The kernel the frames go through. */
  readonly engine: 'simd' | 'js';
  private readonly fused: SimdStream | undefined;
  private readonly resampler: Resampler | undefined;
  private decoded = new Int16Array(0);

  constructor(
    private readonly wire: WireFormat,
    /** The rate it decodes to. */
    readonly rate: SampleRate,
    options: WireTranscoderOptions = {},
  ) {
    ({ fused: this.fused, resampler: this.resampler, engine: this.engine } = conversion(wire, 8000, rate, options));
  }

  /** One wire frame (any length) as PCM16 bytes: a fresh buffer the caller owns. */
  decode(payload: Uint8Array): Buffer {
    if (this.fused) return this.fused.fromG711(payload);
    const n = this.wire.codec === 'L16' ? payload.length >> 1 : payload.length;
    if (this.decoded.length !== n) this.decoded = new Int16Array(n);
    const samples = decodeWire(this.wire, payload, this.decoded);
    // Unicast L16 decodes to a view of the payload: the copy below is what the caller owns.
    return copyToBuffer(this.resampler ? this.resampler.process(samples) : samples);
  }

  /** Forgets the stream (the filter's history). */
  reset(): void {
    this.fused?.reset();
    this.resampler?.reset();
  }
}

/** Provider audio: PCM16 samples at `rate` → wire bytes at 8 kHz, resampled; state carries from chunk to chunk. */
export class WireEncoder {
  /** The kernel the samples go through. */
  readonly engine: 'simd' | 'js';
  private readonly fused: SimdStream | undefined;
  private readonly resampler: Resampler | undefined;

  constructor(
    private readonly wire: WireFormat,
    /** The rate of the PCM it encodes. */
    readonly rate: SampleRate,
    options: WireTranscoderOptions = {},
  ) {
    ({ fused: this.fused, resampler: this.resampler, engine: this.engine } = conversion(wire, rate, 8000, options));
  }

  /** Any number of samples as wire bytes: a fresh buffer the caller owns (empty while the filter fills). */
  encode(samples: Int16Array): Uint8Array {
    if (this.fused) return this.fused.toG711(pcmToLE(samples));
    return encodeWire(this.wire, this.resampler ? this.resampler.process(samples) : samples);
  }

  /**
   * {@link WireEncoder.encode} from PCM16 as little-endian bytes (what providers send; an odd
   * trailing byte is ignored): on the fused path the bytes go into the kernel as they are, with
   * no samples view made per chunk and no copy for an odd offset.
   */
  encodeLE(bytes: Uint8Array): Uint8Array {
    if (this.fused) return this.fused.toG711(bytes);
    return this.encode(pcmFromLE(bytes));
  }

  /** Forgets the stream (a new answer after barge-in). */
  reset(): void {
    this.fused?.reset();
    this.resampler?.reset();
  }
}
