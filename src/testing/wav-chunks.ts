/**
 * The chunks of a RIFF/WAVE file that matter to the simulator, `fmt ` and `data`, found by
 * walking the chunk list (no 44-byte header assumption) through a reader, so a caller may read
 * a whole file or only its header.
 *
 * @module
 */

/** The `fmt ` chunk's fields (the sub-format's code for `WAVE_FORMAT_EXTENSIBLE`). */
export interface WavFormat {
  format: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bits: number;
}

/** Where a WAV file's audio is and how it is coded. */
export interface WavChunks {
  /** The `fmt ` chunk, when it came before `data`. */
  fmt: WavFormat | undefined;
  /** The `data` chunk's audio: its file offset and its bytes (cut at the end of the file). */
  data: { offset: number; bytes: number } | undefined;
}

const EXTENSIBLE = 0xfffe;
/** Chunks walked before `data` are bounded: a header larger than this is not a WAV we read. */
const MAX_CHUNKS = 64;

/**
 * Walks the chunks of a file of `size` bytes to `fmt ` and `data`; `read(offset, length)` returns
 * up to `length` bytes from `offset`. A `data` size of 0 or 0xFFFFFFFF, as a recorder still
 * writing leaves it, runs to the end of the file. `undefined` when it is not a RIFF/WAVE file.
 */
export function readWavChunks(read: (offset: number, length: number) => Buffer, size: number): WavChunks | undefined {
  const head = read(0, 12);
  if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let fmt: WavFormat | undefined;
  for (let at = 12, n = 0; at + 8 <= size && n < MAX_CHUNKS; n++) {
    const header = read(at, 8);
    if (header.length < 8) break;
    const id = header.toString('ascii', 0, 4);
    const length = header.readUInt32LE(4);
    if (id === 'fmt ') {
      const body = read(at + 8, Math.min(length, 26));
      if (body.length >= 16) {
        const tag = body.readUInt16LE(0);
        fmt = {
          format: tag === EXTENSIBLE && body.length >= 26 ? body.readUInt16LE(24) : tag,
          channels: body.readUInt16LE(2),
          sampleRate: body.readUInt32LE(4),
          blockAlign: body.readUInt16LE(12),
          bits: body.readUInt16LE(14),
        };
      }
    } else if (id === 'data') {
      const available = size - (at + 8);
      return { fmt, data: { offset: at + 8, bytes: length === 0 || length === 0xffffffff ? available : Math.min(length, available) } };
    }
    at += 8 + length + (length & 1);
  }
  return { fmt, data: undefined };
}
