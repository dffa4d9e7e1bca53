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
import { pcmFromLE } from '../media/pcm.js';
import { readWavChunks } from './wav-chunks.js';

/** WAVE format codes read (the sub-format's, for `WAVE_FORMAT_EXTENSIBLE`: see {@link readWavChunks}). */
const PCM = 1;
const ALAW = 6;
const ULAW = 7;

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
  const found = readWavChunks((offset, length) => buf.subarray(offset, offset + length), buf.length);
  if (!found) throw new MediaError(`${path}: not a RIFF/WAVE file`);
  const { fmt } = found;
  if (!fmt || !found.data) throw new MediaError(`${path}: no ${fmt ? 'data' : 'fmt '} chunk`);
  const data = buf.subarray(found.data.offset, found.data.offset + found.data.bytes);
  const { format, channels, sampleRate, bits } = fmt;
  const width = format === PCM ? 2 : 1;
  const readable = channels >= 1 && ((format === PCM && bits === 16) || ((format === ULAW || format === ALAW) && bits === 8));
  if (!readable) throw new MediaError(`${path}: format ${format} with ${bits}-bit samples; expected 16-bit PCM, µ-law or A-law`);
  if (!RATES.includes(sampleRate)) throw new MediaError(`${path}: ${sampleRate} Hz; expected 8000, 16000, 24000 or 48000`);
  const frames = Math.floor(data.length / (width * channels));
  const first = new Uint8Array(frames * width);
  for (let i = 0; i < frames; i++) first.set(data.subarray(i * width * channels, i * width * channels + width), i * width);
  const samples = format === ULAW ? ulawDecode(first) : format === ALAW ? alawDecode(first) : pcmFromLE(first);
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
