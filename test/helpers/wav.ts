import { readFileSync } from 'node:fs';

/** A WAV file's format code (1 PCM, 6 A-law, 7 µ-law), rate, raw data and (for PCM16) samples. */
export interface Wav {
  format: number;
  sampleRate: number;
  bytes: Uint8Array;
  samples: Int16Array;
}

/** Reads a RIFF/WAVE file, walking its chunks to `fmt ` and `data` (no 44-byte assumption). */
export function readWav(path: string): Wav {
  const buf = readFileSync(path);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path}: not a WAV file`);
  let format = 0;
  let sampleRate = 0;
  let data: Uint8Array | undefined;
  for (let at = 12; at + 8 <= buf.length; ) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      format = buf.readUInt16LE(at + 8);
      sampleRate = buf.readUInt32LE(at + 12);
    } else if (id === 'data') {
      data = new Uint8Array(buf.subarray(at + 8, Math.min(at + 8 + size, buf.length)));
    }
    at += 8 + size + (size & 1);
  }
  if (!data) throw new Error(`${path}: no data chunk`);
  const samples = format === 1 ? new Int16Array(data.buffer, data.byteOffset, data.length >> 1) : new Int16Array(0);
  return { format, sampleRate, bytes: data, samples };
}
