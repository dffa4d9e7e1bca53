/**
 * The state of an outgoing RTP stream (RFC 3550): a random SSRC and random initial sequence
 * number and timestamp, the sequence +1 per packet (16-bit wrap), the timestamp + samples per
 * packet (32-bit wrap, advancing over silence too), and the marker bit on the first packet of a
 * talkspurt.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { writeRtpHeader } from './rtp-header.js';

/** Options of {@link RtpSender}. */
export interface RtpSenderOptions {
  /** RTP payload type (0 PCMU, 8 PCMA, or a dynamic one). */
  payloadType: number;
  /** Timestamp units per packet: samples per frame (160 for 20 ms at 8 kHz). */
  samplesPerPacket: number;
  /** Fixed SSRC (tests); random by default. */
  ssrc?: number;
}

/** Packetises one stream. */
export class RtpSender {
  /** This stream's SSRC. */
  readonly ssrc: number;
  private readonly header: { marker: boolean; payloadType: number; sequenceNumber: number; timestamp: number; ssrc: number };
  private talkspurtStart = true;
  /** Packets written. */
  packets = 0;
  /** Payload bytes written. */
  octets = 0;

  constructor(private readonly options: RtpSenderOptions) {
    const r = randomBytes(10);
    this.ssrc = options.ssrc ?? r.readUInt32BE(0);
    this.header = { marker: false, payloadType: options.payloadType, sequenceNumber: r.readUInt16BE(4), timestamp: r.readUInt32BE(6), ssrc: this.ssrc };
  }

  /** The next packet's sequence number. */
  get sequenceNumber(): number {
    return this.header.sequenceNumber;
  }

  /** The next packet's timestamp. */
  get timestamp(): number {
    return this.header.timestamp;
  }

  /** The next packet starts a talkspurt: it gets the marker bit. */
  startTalkspurt(): void {
    this.talkspurtStart = true;
  }

  /** Frames not sent (silence suppressed): the timestamp advances as if they had been. */
  skip(frames: number): void {
    this.header.timestamp = (this.header.timestamp + frames * this.options.samplesPerPacket) >>> 0;
  }

  /**
   * One packet: header + payload in a new `Buffer` (from Node's small-buffer pool, so cheap),
   * safe to hand to an asynchronous `socket.send` — no buffer is reused while a send is pending.
   */
  packetize(payload: Uint8Array): Buffer {
    const packet = Buffer.allocUnsafe(12 + payload.length);
    this.header.marker = this.talkspurtStart;
    this.talkspurtStart = false;
    writeRtpHeader(packet, 0, this.header);
    packet.set(payload, 12);
    this.header.sequenceNumber = (this.header.sequenceNumber + 1) & 0xffff;
    this.header.timestamp = (this.header.timestamp + this.options.samplesPerPacket) >>> 0;
    this.packets++;
    this.octets += payload.length;
    return packet;
  }
}
