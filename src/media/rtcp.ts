/**
 * `freeswitch-voice-ai/rtcp`: RTCP sender and receiver reports (RFC 3550 §6.4) built and parsed
 * with werift-rtp, and the RTP ↔ werift `RtpPacket` conversion for users who want objects.
 * Neither is on the per-packet path: reports go out every few seconds.
 *
 * werift-rtp is an optional peer dependency, loaded only by this entry point: install it
 * (`npm install werift-rtp`) to use it. It brings WebCodecs type packages
 * (`@types/dom-webcodecs`) that TypeScript includes in every compilation unless your
 * `tsconfig.json` lists `compilerOptions.types` (e.g. `["node"]`); the main entry point and
 * `freeswitch-voice-ai/testing` do not need it.
 *
 * @categoryDescription RTCP
 * Experimental: FreeSWITCH's `unicast` carries no RTCP, so this serves RTP peers only.
 *
 * @module freeswitch-voice-ai/rtcp
 */
import { RtcpReceiverInfo, RtcpRrPacket, RtcpSenderInfo, RtcpSrPacket, RtpPacket } from 'werift-rtp';

/** What a receiver report needs from the receiving side (the jitter buffer's counters). */
export interface ReceptionCounters {
  /** The sender's SSRC. */
  ssrc: number;
  /** Extended highest sequence number received (cycles × 65536 + highest). */
  extendedHighestSeq: number;
  /** Packets expected so far (from the first to the extended highest). */
  expected: number;
  /** Packets received so far. */
  received: number;
  /** Interarrival jitter, in timestamp units. */
  jitter: number;
  /** The middle 32 bits of the last SR's NTP timestamp, or 0. */
  lastSrNtpMiddle: number;
  /** `performance.now()` when that SR arrived, or `undefined`. */
  lastSrArrivalMs: number | undefined;
}

/** Builds receiver reports; remembers the previous interval for `fraction lost`. */
export class RtcpReporter {
  private priorExpected = 0;
  private priorReceived = 0;

  constructor(private readonly ssrc: number) {}

  /** A receiver-report block for `c` (RFC 3550 §6.4.1 and A.3). */
  receiverInfo(c: ReceptionCounters, nowMs = performance.now()): RtcpReceiverInfo {
    const expectedInterval = c.expected - this.priorExpected;
    const receivedInterval = c.received - this.priorReceived;
    this.priorExpected = c.expected;
    this.priorReceived = c.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval);
    const cumulative = Math.max(-0x800000, Math.min(0x7fffff, c.expected - c.received));
    const dlsr = c.lastSrArrivalMs === undefined ? 0 : Math.round(((nowMs - c.lastSrArrivalMs) / 1000) * 65536);
    return new RtcpReceiverInfo({
      ssrc: c.ssrc,
      fractionLost,
      packetsLost: cumulative,
      highestSequence: c.extendedHighestSeq >>> 0,
      jitter: Math.round(c.jitter) >>> 0,
      lsr: c.lastSrNtpMiddle >>> 0,
      dlsr: dlsr >>> 0,
    });
  }

  /** A serialised RR packet. */
  receiverReport(c: ReceptionCounters, nowMs?: number): Buffer {
    return new RtcpRrPacket({ ssrc: this.ssrc, reports: [this.receiverInfo(c, nowMs)] }).serialize();
  }

  /** A serialised SR packet for what we sent. */
  senderReport(sent: { rtpTimestamp: number; packets: number; octets: number }, reception?: ReceptionCounters): Buffer {
    const ntp = ntpNow();
    return new RtcpSrPacket({
      ssrc: this.ssrc,
      senderInfo: new RtcpSenderInfo({ ntpTimestamp: ntp, rtpTimestamp: sent.rtpTimestamp >>> 0, packetCount: sent.packets >>> 0, octetCount: sent.octets >>> 0 }),
      reports: reception ? [this.receiverInfo(reception)] : [],
    }).serialize();
  }
}

/** Now as a 64-bit NTP timestamp. */
export function ntpNow(ms = Date.now()): bigint {
  const seconds = BigInt(Math.floor(ms / 1000) + 2_208_988_800);
  const fraction = BigInt(Math.floor(((ms % 1000) / 1000) * 2 ** 32));
  return (seconds << 32n) | fraction;
}

/** The middle 32 bits of an NTP timestamp (what `LSR` echoes). */
export function ntpMiddle(ntp: bigint): number {
  return Number((ntp >> 16n) & 0xffffffffn);
}

/** An RTP datagram as a werift-rtp `RtpPacket` (allocates: not for the hot path). */
export function toWeriftPacket(datagram: Buffer): RtpPacket {
  return RtpPacket.deSerialize(datagram);
}

/** A werift-rtp `RtpPacket` as bytes. */
export function fromWeriftPacket(packet: RtpPacket): Buffer {
  return packet.serialize();
}
