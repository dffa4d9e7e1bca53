/**
 * What travels on the wire between FreeSWITCH and the bridge, and the conversions to and from
 * 16-bit samples.
 *
 * @module
 */
import { ALAW_SILENCE, ULAW_SILENCE, alawDecode, alawEncode, ulawDecode, ulawEncode } from './g711.js';
import { pcmFromBE, pcmFromLE, pcmToBE, pcmToLE } from './pcm.js';

/** The call's codec on the wire: G.711, or 16-bit linear (unicast L16 is little-endian, RTP L16 big-endian). */
export type WireCodec = 'PCMU' | 'PCMA' | 'L16';

/** Codec, framing and the consequences: bytes per 20 ms, silence, static RTP payload type. */
export interface WireFormat {
  /** The codec. */
  readonly codec: WireCodec;
  /** `raw` (FreeSWITCH `unicast`, no header) or `rtp`. */
  readonly framing: 'rtp' | 'raw';
  /** Bytes of one 20 ms frame at 8 kHz. */
  readonly frameBytes: number;
  /** One frame of silence. */
  readonly silence: Uint8Array;
  /** The silence byte (padding). */
  readonly silenceByte: number;
  /** RTP payload type (PCMU 0, PCMA 8, L16 mono 11). */
  readonly payloadType: number;
}

/** The wire format of a codec and framing, at 8 kHz and 20 ms. */
export function wireFormat(codec: WireCodec, framing: 'rtp' | 'raw'): WireFormat {
  const frameBytes = codec === 'L16' ? 320 : 160;
  const silenceByte = codec === 'PCMU' ? ULAW_SILENCE : codec === 'PCMA' ? ALAW_SILENCE : 0;
  const payloadType = codec === 'PCMU' ? 0 : codec === 'PCMA' ? 8 : 11;
  return { codec, framing, frameBytes, silence: new Uint8Array(frameBytes).fill(silenceByte), silenceByte, payloadType };
}

/** Decodes one wire frame to samples. */
export function decodeWire(format: WireFormat, payload: Uint8Array, out?: Int16Array): Int16Array {
  switch (format.codec) {
    case 'PCMU':
      return ulawDecode(payload, out);
    case 'PCMA':
      return alawDecode(payload, out);
    default:
      return format.framing === 'raw' ? pcmFromLE(payload) : pcmFromBE(payload, out);
  }
}

/** Encodes samples as wire bytes (a new buffer: the caller may keep it). */
export function encodeWire(format: WireFormat, samples: Int16Array): Uint8Array {
  switch (format.codec) {
    case 'PCMU':
      return ulawEncode(samples, Buffer.allocUnsafe(samples.length));
    case 'PCMA':
      return alawEncode(samples, Buffer.allocUnsafe(samples.length));
    default:
      return format.framing === 'raw' ? Buffer.from(pcmToLE(samples)) : pcmToBE(samples, Buffer.allocUnsafe(samples.length * 2));
  }
}
