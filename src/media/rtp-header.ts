/**
 * A zero-allocation RTP header reader and writer (RFC 3550 §5.1) for the hot path: 50 packets a
 * second per call, hundreds of calls. The reader fills a caller-owned object and never throws;
 * werift-rtp's `RtpPacket` stays available for users who want objects (`werift-interop.ts`).
 *
 * @module
 */

/** Why {@link readRtpHeader} refused a packet (`OK` when it did not). */
export const RtpParseStatus = {
  OK: 0,
  /** Fewer than 12 bytes. */
  TOO_SHORT: 1,
  /** Version is not 2 (not RTP, or RTCP/STUN/DTLS on the same port). */
  BAD_VERSION: 2,
  /** The CSRC list runs past the end. */
  CSRC_OVERFLOW: 3,
  /** The header extension runs past the end. */
  EXTENSION_OVERFLOW: 4,
  /** The padding count is 0 or larger than the payload. */
  BAD_PADDING: 5,
} as const;

/** One of {@link RtpParseStatus}. */
export type RtpParseStatus = (typeof RtpParseStatus)[keyof typeof RtpParseStatus];

/** The header fields of one packet; reuse one object for every packet. */
export interface RtpHeaderFields {
  /** RTP version (2). */
  version: number;
  /** Padding bit: the payload ends with padding. */
  padding: boolean;
  /** Extension bit: a header extension follows the CSRCs. */
  extension: boolean;
  /** Number of CSRC identifiers. */
  csrcCount: number;
  /** Marker bit (the start of a talkspurt for audio). */
  marker: boolean;
  /** Payload type (0 PCMU, 8 PCMA, ...). */
  payloadType: number;
  /** 16 bits. */
  sequenceNumber: number;
  /** 32 bits, unsigned. */
  timestamp: number;
  /** 32 bits, unsigned. */
  ssrc: number;
  /** Where the payload starts in the buffer. */
  payloadOffset: number;
  /** Payload bytes (padding excluded). */
  payloadLength: number;
  /** The extension's profile (e.g. 0xBEDE), when `extension`. */
  extensionProfile: number;
  /** Where the extension's data starts, and its length in bytes. */
  extensionOffset: number;
  /** Length of the header extension, bytes (0 without one). */
  extensionLength: number;
}

/** A blank {@link RtpHeaderFields} to reuse. */
export function createRtpHeaderFields(): RtpHeaderFields {
  return {
    version: 0, padding: false, extension: false, csrcCount: 0, marker: false, payloadType: 0, sequenceNumber: 0,
    timestamp: 0, ssrc: 0, payloadOffset: 0, payloadLength: 0, extensionProfile: 0, extensionOffset: 0, extensionLength: 0,
  };
}

/** Reads a packet's header into `out`. Never throws, never allocates. */
export function readRtpHeader(buf: Uint8Array, out: RtpHeaderFields): RtpParseStatus {
  const length = buf.length;
  if (length < 12) return RtpParseStatus.TOO_SHORT;
  const b0 = buf[0]!;
  const b1 = buf[1]!;
  out.version = b0 >> 6;
  if (out.version !== 2) return RtpParseStatus.BAD_VERSION;
  out.padding = (b0 & 0x20) !== 0;
  out.extension = (b0 & 0x10) !== 0;
  out.csrcCount = b0 & 0x0f;
  out.marker = (b1 & 0x80) !== 0;
  out.payloadType = b1 & 0x7f;
  out.sequenceNumber = (buf[2]! << 8) | buf[3]!;
  out.timestamp = ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0;
  out.ssrc = ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0;
  let offset = 12 + 4 * out.csrcCount;
  if (offset > length) return RtpParseStatus.CSRC_OVERFLOW;
  out.extensionProfile = 0;
  out.extensionOffset = 0;
  out.extensionLength = 0;
  if (out.extension) {
    if (offset + 4 > length) return RtpParseStatus.EXTENSION_OVERFLOW;
    out.extensionProfile = (buf[offset]! << 8) | buf[offset + 1]!;
    const words = (buf[offset + 2]! << 8) | buf[offset + 3]!;
    out.extensionOffset = offset + 4;
    out.extensionLength = words * 4;
    offset = out.extensionOffset + out.extensionLength;
    if (offset > length) return RtpParseStatus.EXTENSION_OVERFLOW;
  }
  let end = length;
  if (out.padding) {
    const pad = buf[length - 1]!;
    if (pad === 0 || pad > length - offset) return RtpParseStatus.BAD_PADDING;
    end -= pad;
  }
  out.payloadOffset = offset;
  out.payloadLength = end - offset;
  return RtpParseStatus.OK;
}

/** The fields {@link writeRtpHeader} writes (a 12-byte header: no CSRC, no extension, no padding). */
export interface RtpHeaderWrite {
  /** Marker bit. */
  marker: boolean;
  /** Payload type. */
  payloadType: number;
  /** Sequence number (16 bits). */
  sequenceNumber: number;
  /** Timestamp (32 bits). */
  timestamp: number;
  /** Synchronization source (32 bits). */
  ssrc: number;
}

/** Writes a 12-byte header at `offset`; returns 12. */
export function writeRtpHeader(buf: Uint8Array, offset: number, h: RtpHeaderWrite): number {
  buf[offset] = 0x80;
  buf[offset + 1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  buf[offset + 2] = (h.sequenceNumber >> 8) & 0xff;
  buf[offset + 3] = h.sequenceNumber & 0xff;
  buf[offset + 4] = (h.timestamp >>> 24) & 0xff;
  buf[offset + 5] = (h.timestamp >>> 16) & 0xff;
  buf[offset + 6] = (h.timestamp >>> 8) & 0xff;
  buf[offset + 7] = h.timestamp & 0xff;
  buf[offset + 8] = (h.ssrc >>> 24) & 0xff;
  buf[offset + 9] = (h.ssrc >>> 16) & 0xff;
  buf[offset + 10] = (h.ssrc >>> 8) & 0xff;
  buf[offset + 11] = h.ssrc & 0xff;
  return 12;
}
