/**
 * G.711 µ-law and A-law (ITU-T G.711), table-driven and bit-exact with the reference
 * implementation (Sun's `g711.c`, which FreeSWITCH's and most stacks' codecs follow).
 *
 * Decoding is one lookup per byte in a 256-entry table. Encoding is one lookup per sample in a
 * table indexed by the top bits of the sample (µ-law works on 14 bits, A-law on 13), built once
 * at load from the reference algorithm. With `out` given, nothing is allocated.
 *
 * @module
 */

/** µ-law silence (the encoding of 0). */
export const ULAW_SILENCE = 0xff;
/** A-law silence (the encoding of 0). */
export const ALAW_SILENCE = 0xd5;

const BIAS = 0x84;
/** g711.c's clip of the 14-bit µ-law magnitude. */
const ULAW_CLIP = 8159;
const SEG_UEND = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const SEG_AEND = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segment(value: number, ends: readonly number[]): number {
  for (let i = 0; i < 8; i++) if (value <= ends[i]!) return i;
  return 8;
}

/** The reference µ-law encoder of one 16-bit sample. */
function ulawReference(sample: number): number {
  let pcm = sample >> 2;
  let mask: number;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  if (pcm > ULAW_CLIP) pcm = ULAW_CLIP;
  pcm += BIAS >> 2;
  const seg = segment(pcm, SEG_UEND);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((pcm >> (seg + 1)) & 0xf)) ^ mask;
}

/** The reference A-law encoder of one 16-bit sample. */
function alawReference(sample: number): number {
  let pcm = sample >> 3;
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = segment(pcm, SEG_AEND);
  if (seg >= 8) return 0x7f ^ mask;
  let aval = seg << 4;
  aval |= seg < 2 ? (pcm >> 1) & 0xf : (pcm >> seg) & 0xf;
  return aval ^ mask;
}

function ulawDecodeReference(byte: number): number {
  const u = ~byte & 0xff;
  let t = ((u & 0x0f) << 3) + BIAS;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? BIAS - t : t - BIAS;
}

function alawDecodeReference(byte: number): number {
  const a = byte ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

const ULAW_TO_LINEAR = new Int16Array(256);
const ALAW_TO_LINEAR = new Int16Array(256);
for (let i = 0; i < 256; i++) {
  ULAW_TO_LINEAR[i] = ulawDecodeReference(i);
  ALAW_TO_LINEAR[i] = alawDecodeReference(i);
}

// Indexed by (sample >> 2) + 8192 (µ-law: 14 significant bits) and (sample >> 3) + 4096 (A-law).
const LINEAR_TO_ULAW = new Uint8Array(16384);
const LINEAR_TO_ALAW = new Uint8Array(8192);
for (let i = 0; i < 16384; i++) LINEAR_TO_ULAW[i] = ulawReference((i - 8192) << 2);
for (let i = 0; i < 8192; i++) LINEAR_TO_ALAW[i] = alawReference((i - 4096) << 3);

/** One µ-law byte to a 16-bit sample. */
export function ulawToLinear(byte: number): number {
  return ULAW_TO_LINEAR[byte & 0xff]!;
}

/** One A-law byte to a 16-bit sample. */
export function alawToLinear(byte: number): number {
  return ALAW_TO_LINEAR[byte & 0xff]!;
}

/** One 16-bit sample to µ-law. */
export function linearToUlaw(sample: number): number {
  return LINEAR_TO_ULAW[(sample >> 2) + 8192]!;
}

/** One 16-bit sample to A-law. */
export function linearToAlaw(sample: number): number {
  return LINEAR_TO_ALAW[(sample >> 3) + 4096]!;
}

/** Decodes µ-law bytes into 16-bit samples (into `out` when given: no allocation). */
export function ulawDecode(src: Uint8Array, out: Int16Array = new Int16Array(src.length)): Int16Array {
  const n = Math.min(src.length, out.length);
  for (let i = 0; i < n; i++) out[i] = ULAW_TO_LINEAR[src[i]!]!;
  return n === out.length ? out : out.subarray(0, n);
}

/** Decodes A-law bytes into 16-bit samples (into `out` when given: no allocation). */
export function alawDecode(src: Uint8Array, out: Int16Array = new Int16Array(src.length)): Int16Array {
  const n = Math.min(src.length, out.length);
  for (let i = 0; i < n; i++) out[i] = ALAW_TO_LINEAR[src[i]!]!;
  return n === out.length ? out : out.subarray(0, n);
}

/** Encodes 16-bit samples as µ-law (into `out` when given: no allocation). */
export function ulawEncode(src: Int16Array, out: Uint8Array = new Uint8Array(src.length)): Uint8Array {
  const n = Math.min(src.length, out.length);
  for (let i = 0; i < n; i++) out[i] = LINEAR_TO_ULAW[(src[i]! >> 2) + 8192]!;
  return n === out.length ? out : out.subarray(0, n);
}

/** Encodes 16-bit samples as A-law (into `out` when given: no allocation). */
export function alawEncode(src: Int16Array, out: Uint8Array = new Uint8Array(src.length)): Uint8Array {
  const n = Math.min(src.length, out.length);
  for (let i = 0; i < n; i++) out[i] = LINEAR_TO_ALAW[(src[i]! >> 3) + 4096]!;
  return n === out.length ? out : out.subarray(0, n);
}
