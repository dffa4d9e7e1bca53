/**
 * How long a WAV file plays, read from its header (the `fmt ` and `data` chunks) without reading
 * the audio: what the simulated `playback` needs to last as long as the real file.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readWavChunks } from './wav-chunks.js';

/** A WAV file's length and rate. */
export interface WavLength {
  /** Ms of audio (the `data` chunk, cut at the end of the file). */
  ms: number;
  /** Sample frames (samples per channel). */
  frames: number;
  /** Sample rate, Hz. */
  sampleRate: number;
}

/**
 * The length of the RIFF/WAVE file at `path`, walking its chunks to `fmt ` and `data` (no
 * 44-byte assumption; a `data` size of 0 or 0xFFFFFFFF, as a recorder still writing leaves it,
 * counts to the end of the file). `undefined` when the file cannot be read or is not a WAV with
 * a usable format.
 */
export function wavLength(path: string): WavLength | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const read = (offset: number, length: number): Buffer => {
      const out = Buffer.alloc(length);
      return out.subarray(0, readSync(fd, out, 0, length, offset));
    };
    const found = readWavChunks(read, fstatSync(fd).size);
    const { fmt, data } = found ?? {};
    if (!fmt || !data || fmt.sampleRate <= 0 || fmt.blockAlign <= 0) return undefined;
    const frames = Math.floor(data.bytes / fmt.blockAlign);
    return { ms: (frames * 1000) / fmt.sampleRate, frames, sampleRate: fmt.sampleRate };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
