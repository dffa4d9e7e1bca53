/**
 * Caller audio from a WebSocket stream: headerless L16 in whatever pieces the module sends
 * (`mod_audio_fork` joins two 20 ms frames at times, any module may split a sample across
 * messages), cut into 20 ms frames, played out through the jitter buffer one frame per tick and
 * converted to the consumer's format with the same decoder, encoder and resampler as the UDP
 * bridge.
 *
 * @module
 */
import { MediaError } from '../errors.js';
import { type AudioFormat, type SampleRate, formatName } from './audio-format.js';
import { JitterBuffer, type JitterStats, pcm16Conceal } from './jitter-buffer.js';
import { copyToBuffer, pcmFromLE, pcmToLE } from './pcm.js';
import { Resampler } from './resampler.js';
import { wireFormat } from './wire-codec.js';
import { WireDecoder, WireEncoder } from './wire-transcoder.js';

/** Counters of a {@link StreamReceiver}. */
export interface StreamReceiverStats {
  /** 20 ms frames cut from the stream. */
  frames: number;
  /** Frames entirely of `0xFF` bytes: FreeSWITCH's filler (samples of -1) at the start and around playbacks, played as silence. */
  fillerFrames: number;
  /** Messages that carried more than one frame (`mod_audio_fork` joins them when it falls behind). */
  joinedMessages: number;
  /** Messages whose length was not a whole number of frames (the rest waits for the next one). */
  partialMessages: number;
  /** Messages with an odd number of bytes (a sample split across messages). */
  oddMessages: number;
}

/** Options of {@link StreamReceiver}. */
export interface StreamReceiverOptions {
  /** The rate the module streams at (its `start` rate argument). */
  sampleRate: SampleRate;
  /** What {@link StreamReceiver.pull} returns. */
  output: AudioFormat;
  /** Jitter-buffer delays, ms. */
  jitter: { minMs: number; maxMs: number; targetMs: number };
}

/** L16 at the stream's rate → one frame of `output`. */
type Convert = (frame: Uint8Array) => Uint8Array;

function converter(rate: SampleRate, output: AudioFormat): Convert {
  if (output.encoding !== 'pcm16' && output.sampleRate !== 8000) throw new MediaError(`${formatName(output)}: G.711 is 8 kHz only`);
  if (output.encoding === 'pcm16' && output.sampleRate === rate) return copyToBuffer;
  if (output.encoding === 'pcm16' && rate === 8000) {
    const decoder = new WireDecoder(wireFormat('L16', 'raw'), output.sampleRate);
    return (frame) => decoder.decode(frame);
  }
  if (output.sampleRate === 8000) {
    // To 8 kHz (PCM16, or G.711 encoded in the same pass): the bridge's provider-side encoder.
    const codec = output.encoding === 'mulaw' ? 'PCMU' : output.encoding === 'alaw' ? 'PCMA' : 'L16';
    const encoder = new WireEncoder(wireFormat(codec, 'raw'), rate);
    return (frame) => encoder.encodeLE(frame);
  }
  const resampler = new Resampler({ from: rate, to: output.sampleRate });
  return (frame) => copyToBuffer(pcmToLE(resampler.process(pcmFromLE(frame))));
}

/**
 * Reframes, buffers and converts one stream's audio: {@link StreamReceiver.push} what arrives,
 * {@link StreamReceiver.pull} once per 20 ms tick.
 */
export class StreamReceiver {
  /** Its counters, live. */
  readonly counters: StreamReceiverStats = { frames: 0, fillerFrames: 0, joinedMessages: 0, partialMessages: 0, oddMessages: 0 };
  /** Bytes of one 20 ms frame at the stream's rate. */
  readonly frameBytes: number;
  private readonly jitter: JitterBuffer;
  private readonly convert: Convert;
  private readonly silence: Uint8Array;
  /** The start of a frame split across messages. */
  private readonly partial: Uint8Array;
  private partialLength = 0;

  constructor(options: StreamReceiverOptions) {
    this.frameBytes = (options.sampleRate / 50) * 2;
    this.silence = new Uint8Array(this.frameBytes);
    this.partial = new Uint8Array(this.frameBytes);
    this.convert = converter(options.sampleRate, options.output);
    this.jitter = new JitterBuffer({ ...options.jitter, clockRate: options.sampleRate, silence: this.silence, conceal: pcm16Conceal });
  }

  /** Frames waiting in the jitter buffer. */
  get depth(): number {
    return this.jitter.depth;
  }

  /** One message of the stream (any length). */
  push(bytes: Uint8Array, arrivalMs: number): void {
    const n = this.frameBytes;
    if (bytes.length & 1) this.counters.oddMessages++;
    if ((this.partialLength + bytes.length) % n !== 0) this.counters.partialMessages++;
    if (this.partialLength + bytes.length >= 2 * n) this.counters.joinedMessages++;
    let offset = 0;
    if (this.partialLength > 0) {
      const take = Math.min(n - this.partialLength, bytes.length);
      this.partial.set(bytes.subarray(0, take), this.partialLength);
      this.partialLength += take;
      offset = take;
      if (this.partialLength < n) return;
      this.frame(this.partial, arrivalMs);
      this.partialLength = 0;
    }
    for (; offset + n <= bytes.length; offset += n) this.frame(bytes.subarray(offset, offset + n), arrivalMs);
    if (offset < bytes.length) {
      this.partial.set(bytes.subarray(offset), 0);
      this.partialLength = bytes.length - offset;
    }
  }

  /** The frame due now, in the output format (a buffer the caller owns). */
  pull(): Uint8Array {
    return this.convert(this.jitter.pull().payload);
  }

  /** Counters of the reframing and of the jitter buffer. */
  stats(): StreamReceiverStats & { jitter: JitterStats } {
    return { ...this.counters, jitter: this.jitter.stats() };
  }

  private frame(frame: Uint8Array, arrivalMs: number): void {
    this.counters.frames++;
    if (isFiller(frame)) {
      this.counters.fillerFrames++;
      this.jitter.pushRaw(this.silence, arrivalMs);
      return;
    }
    // Copied in by the jitter buffer: the message's memory is not kept.
    this.jitter.pushRaw(frame, arrivalMs);
  }
}

/** A frame of nothing but `0xFF` bytes. */
function isFiller(frame: Uint8Array): boolean {
  for (let i = 0; i < frame.length; i++) if (frame[i] !== 0xff) return false;
  return true;
}
