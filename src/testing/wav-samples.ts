/**
 * A WAV file's audio as the 16-bit samples the simulator plays: a caller's recording given as
 * `callSocket`'s `callerAudio`, `setCallerAudio`, or a phone's `speech`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { SampleRate } from '../media/audio-format.js';
import { alawDecode, ulawDecode } from '../media/g711.js';
import { Resampler } from '../media/resampler.js';
import { MediaError } from '../errors.js';

/** WAVE format codes read (the sub-format's, for `WAVE_FORMAT_EXTENSIBLE`). */
const PCM = 1;
const ALAW = 6;
const ULAW = 7;
const EXTENSIBLE = 0xfffe;

const RATES: readonly number[] = [8000, 16000, 24000, 48000] satisfies SampleRate[];

/**
 * The audio of the WAV file at `path` as 16-bit samples at `rate` (default 8000 Hz, what
 * `callerAudio` and a phone's `speech` take): 16-bit PCM, µ-law or A-law, mono or the first
 * channel of several, at 8, 16, 24 or 48 kHz (resampled when it differs from `rate`). Walks the
 * chunks to `fmt ` and `data` (no 44-byte assumption). Throws {@link MediaError} for a file that
 * is not such a WAV.
 *
 * ```ts
 * sim.callSocket({ port }, { callerAudio: wavSamples('test/fixtures/caller-asks-for-sales.wav') });
 * ```
 */
export function wavSamples(path: string, rate: SampleRate = 8000): Int16Array {
  const buf = readFileSync(path);
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new MediaError(`${path}: not a RIFF/WAVE file`);
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | undefined;
  let data: Buffer | undefined;
  for (let at = 12; at + 8 <= buf.length && !data; ) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = buf.subarray(at + 8, Math.min(at + 8 + size, buf.length));
    if (id === 'fmt ' && body.length >= 16) {
      const tag = body.readUInt16LE(0);
      fmt = { format: tag === EXTENSIBLE && body.length >= 26 ? body.readUInt16LE(24) : tag, channels: body.readUInt16LE(2), sampleRate: body.readUInt32LE(4), bits: body.readUInt16LE(14) };
    } else if (id === 'data') {
      // A recorder still writing leaves the size at 0 or 0xFFFFFFFF: the data runs to the end of the file.
      data = size === 0 || size === 0xffffffff ? buf.subarray(at + 8) : body;
    }
    at += 8 + size + (size & 1);
  }
  if (!fmt || !data) throw new MediaError(`${path}: no ${fmt ? 'data' : 'fmt '} chunk`);
  const { format, channels, sampleRate, bits } = fmt;
  const width = format === PCM ? 2 : 1;
  const readable = channels >= 1 && ((format === PCM && bits === 16) || ((format === ULAW || format === ALAW) && bits === 8));
  if (!readable) throw new MediaError(`${path}: format ${format} with ${bits}-bit samples; expected 16-bit PCM, µ-law or A-law`);
  if (!RATES.includes(sampleRate)) throw new MediaError(`${path}: ${sampleRate} Hz; expected 8000, 16000, 24000 or 48000`);
  const frames = Math.floor(data.length / (width * channels));
  const first = new Uint8Array(frames * width);
  for (let i = 0; i < frames; i++) first.set(data.subarray(i * width * channels, i * width * channels + width), i * width);
  let samples: Int16Array;
  if (format === ULAW) samples = ulawDecode(first);
  else if (format === ALAW) samples = alawDecode(first);
  else {
    samples = new Int16Array(frames);
    for (let i = 0; i < frames; i++) samples[i] = first[2 * i]! | ((first[2 * i + 1]! << 24) >> 16);
  }
  if (sampleRate === rate) return samples;
  const resampler = new Resampler({ from: sampleRate as SampleRate, to: rate });
  const body = Int16Array.from(resampler.process(samples));
  const tail = resampler.flush();
  // The filter's delay, taken off the front, keeps the audio where it was in time.
  const out = new Int16Array(body.length + tail.length);
  out.set(body);
  out.set(tail, body.length);
  return out.slice(resampler.latencySamples, resampler.latencySamples + Math.round((frames * rate) / sampleRate));
}
