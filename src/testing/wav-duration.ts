/**
 * How long a WAV file plays, read from its header (the `fmt ` and `data` chunks) without reading
 * the audio: what the simulated `playback` needs to last as long as the real file.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** A WAV file's length and rate. */
export interface WavLength {
  /** Ms of audio (the `data` chunk, cut at the end of the file). */
  ms: number;
  /** Sample frames (samples per channel). */
  frames: number;
  /** Sample rate, Hz. */
  sampleRate: number;
}

/** Chunks skipped before `data` are bounded: a header larger than this is not a WAV we read. */
const MAX_CHUNKS = 64;

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
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(12);
    if (readSync(fd, head, 0, 12, 0) < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return undefined;
    let blockAlign = 0;
    let sampleRate = 0;
    const chunk = Buffer.alloc(24);
    for (let at = 12, n = 0; at + 8 <= size && n < MAX_CHUNKS; n++) {
      const got = readSync(fd, chunk, 0, 24, at);
      if (got < 8) return undefined;
      const id = chunk.toString('ascii', 0, 4);
      const length = chunk.readUInt32LE(4);
      if (id === 'fmt ' && got >= 24) {
        sampleRate = chunk.readUInt32LE(12);
        blockAlign = chunk.readUInt16LE(20);
      } else if (id === 'data') {
        if (sampleRate <= 0 || blockAlign <= 0) return undefined;
        const available = size - (at + 8);
        const bytes = length === 0 || length === 0xffffffff ? available : Math.min(length, available);
        const frames = Math.floor(bytes / blockAlign);
        return { ms: (frames * 1000) / sampleRate, frames, sampleRate };
      }
      at += 8 + length + (length & 1);
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
