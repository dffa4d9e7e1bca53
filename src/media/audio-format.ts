/**
 * Audio formats on either side of a realtime session, and the choice of the path with the least
 * conversion between a call and a provider.
 *
 * @module
 */

/** Sample encodings the SDK converts between. */
export type AudioEncoding = 'pcm16' | 'mulaw' | 'alaw';

/** Sample rates the resampler handles. */
export type SampleRate = 8000 | 16000 | 24000 | 48000;

/** One audio format: mono, 20 ms frames unless said otherwise. PCM16 is little-endian. */
export interface AudioFormat {
  /** Sample encoding. */
  readonly encoding: AudioEncoding;
  /** Samples per second. */
  readonly sampleRate: SampleRate;
}

/** Shorthands for the formats telephony and AI vendors use. */
export const AudioFormats = {
  /** G.711 µ-law, 8 kHz: PCMU calls, OpenAI's `g711_ulaw` / `audio/pcmu`. */
  MULAW_8K: { encoding: 'mulaw', sampleRate: 8000 },
  /** G.711 A-law, 8 kHz: PCMA calls. */
  ALAW_8K: { encoding: 'alaw', sampleRate: 8000 },
  /** 16-bit PCM, 8 kHz: FreeSWITCH's unicast L16. */
  PCM16_8K: { encoding: 'pcm16', sampleRate: 8000 },
  /** 16-bit PCM, 16 kHz: Gemini Live input, wideband calls. */
  PCM16_16K: { encoding: 'pcm16', sampleRate: 16000 },
  /** 16-bit PCM, 24 kHz: OpenAI `pcm16`, Gemini Live output. */
  PCM16_24K: { encoding: 'pcm16', sampleRate: 24000 },
} as const satisfies Record<string, AudioFormat>;

/** Whether two formats are the same. */
export function sameFormat(a: AudioFormat, b: AudioFormat): boolean {
  return a.encoding === b.encoding && a.sampleRate === b.sampleRate;
}

/** Bytes in one frame of `ms` milliseconds. */
export function frameBytes(format: AudioFormat, ms = 20): number {
  const samples = (format.sampleRate * ms) / 1000;
  return format.encoding === 'pcm16' ? samples * 2 : samples;
}

/** `mulaw@8000` — for logs and errors. */
export function formatName(format: AudioFormat): string {
  return `${format.encoding}@${format.sampleRate}`;
}

/**
 * Picks the format on the provider's side of one direction: the one that costs least to convert
 * from/to `call`. An exact match wins (µ-law passthrough); then a PCM16 format at the call's
 * rate (a codec step, no resampling); then the provider's first preference (codec + resampler).
 * `accepted` is in the provider's order of preference; it must not be empty.
 */
export function chooseFormat(call: AudioFormat, accepted: readonly AudioFormat[]): AudioFormat {
  const exact = accepted.find((f) => sameFormat(f, call));
  if (exact) return exact;
  const sameRate = accepted.find((f) => f.encoding === 'pcm16' && f.sampleRate === call.sampleRate);
  if (sameRate) return sameRate;
  const first = accepted[0];
  if (first === undefined) throw new RangeError('a provider must accept at least one audio format');
  return first;
}

/** The format of a call's audio from its codec name: G.711 as it is, anything else as FreeSWITCH's L16 at 8 kHz. */
export function callAudioFormat(codecName: string | undefined): AudioFormat {
  const codec = codecName?.toUpperCase();
  return codec === 'PCMU' ? AudioFormats.MULAW_8K : codec === 'PCMA' ? AudioFormats.ALAW_8K : AudioFormats.PCM16_8K;
}
