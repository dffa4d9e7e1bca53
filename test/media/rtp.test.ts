import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RtpPacket } from 'werift-rtp';
import { describe, expect, it } from 'vitest';
import { RtpParseStatus, createRtpHeaderFields, readRtpHeader, writeRtpHeader } from '../../src/media/rtp-header.js';
import { RtpSender } from '../../src/media/rtp-sender.js';
import { TelephoneEventDetector } from '../../src/media/telephone-event.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random valid packet, built byte by byte from the RFC (not with either codec under test). */
function randomPacket(rand: () => number): Buffer {
  const int = (n: number): number => Math.floor(rand() * n);
  const csrcs = int(4);
  const ext = rand() < 0.4;
  const pad = rand() < 0.3 ? 1 + int(12) : 0;
  const payload = Buffer.from(Array.from({ length: int(200) + 1 }, () => int(256)));
  const parts: Buffer[] = [];
  const h = Buffer.alloc(12);
  h[0] = 0x80 | (pad ? 0x20 : 0) | (ext ? 0x10 : 0) | csrcs;
  h[1] = (rand() < 0.5 ? 0x80 : 0) | int(128);
  h.writeUInt16BE(int(65536), 2);
  h.writeUInt32BE(int(2 ** 32), 4);
  h.writeUInt32BE(int(2 ** 32), 8);
  parts.push(h);
  for (let i = 0; i < csrcs; i++) parts.push(Buffer.from([int(256), int(256), int(256), int(256)]));
  if (ext) {
    const words = 1 + int(3);
    const e = Buffer.alloc(4 + words * 4);
    e.writeUInt16BE(0xbede, 0);
    e.writeUInt16BE(words, 2);
    e[4] = 0x10 | 0; // one-byte element id 1, length 1
    e[5] = int(256);
    parts.push(e);
  }
  parts.push(payload);
  if (pad) {
    const p = Buffer.alloc(pad);
    p[pad - 1] = pad;
    parts.push(p);
  }
  return Buffer.concat(parts);
}

describe('RTP header codec', () => {
  it('agrees with werift-rtp field by field on random valid packets', () => {
    const rand = prng(42);
    const h = createRtpHeaderFields();
    for (let i = 0; i < 3000; i++) {
      const buf = randomPacket(rand);
      expect(readRtpHeader(buf, h)).toBe(RtpParseStatus.OK);
      const w = RtpPacket.deSerialize(buf);
      expect([h.marker, h.payloadType, h.sequenceNumber, h.timestamp, h.ssrc, h.csrcCount, h.padding, h.extension]).toEqual([
        w.header.marker, w.header.payloadType, w.header.sequenceNumber, w.header.timestamp, w.header.ssrc, w.header.csrcLength,
        w.header.padding, w.header.extension,
      ]);
      if (h.extension) expect(h.extensionProfile).toBe(w.header.extensionProfile);
      expect(Buffer.from(buf.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength))).toEqual(w.payload);
    }
  });

  it('writes headers werift-rtp reads back', () => {
    const rand = prng(7);
    const buf = Buffer.alloc(12 + 160);
    for (let i = 0; i < 500; i++) {
      const fields = { marker: rand() < 0.5, payloadType: Math.floor(rand() * 128), sequenceNumber: Math.floor(rand() * 65536), timestamp: Math.floor(rand() * 2 ** 32), ssrc: Math.floor(rand() * 2 ** 32) };
      expect(writeRtpHeader(buf, 0, fields)).toBe(12);
      const w = RtpPacket.deSerialize(buf);
      expect({ marker: w.header.marker, payloadType: w.header.payloadType, sequenceNumber: w.header.sequenceNumber, timestamp: w.header.timestamp, ssrc: w.header.ssrc }).toEqual(fields);
    }
  });

  it('reports malformed packets with a reason and never throws', () => {
    const h = createRtpHeaderFields();
    expect(readRtpHeader(Buffer.alloc(11), h)).toBe(RtpParseStatus.TOO_SHORT);
    expect(readRtpHeader(Buffer.from([0x40, ...Array(11).fill(0)]), h)).toBe(RtpParseStatus.BAD_VERSION);
    expect(readRtpHeader(Buffer.from([0x8f, ...Array(11).fill(0)]), h)).toBe(RtpParseStatus.CSRC_OVERFLOW);
    expect(readRtpHeader(Buffer.from([0x90, ...Array(11).fill(0), 0xbe, 0xde, 0, 9]), h)).toBe(RtpParseStatus.EXTENSION_OVERFLOW);
    expect(readRtpHeader(Buffer.from([0xa0, ...Array(11).fill(0), 1, 2, 0]), h)).toBe(RtpParseStatus.BAD_PADDING);
    expect(readRtpHeader(Buffer.from([0xa0, ...Array(11).fill(0), 1, 2, 9]), h)).toBe(RtpParseStatus.BAD_PADDING);
    const rand = prng(99);
    for (let i = 0; i < 5000; i++) {
      const junk = Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)));
      expect(() => readRtpHeader(junk, h)).not.toThrow();
      const valid = randomPacket(rand);
      expect(() => readRtpHeader(valid.subarray(0, Math.floor(rand() * valid.length)), h)).not.toThrow();
    }
  });

  it("reads FreeSWITCH's rtp/ endpoint capture: PT 0, 20 ms, one SSRC, marker only first", () => {
    const { packets } = JSON.parse(readFileSync(join(FIXTURES_DIR, 'rtp', 'fs-rtp-endpoint-pcmu.json'), 'utf8')) as { packets: { b64: string }[] };
    const h = createRtpHeaderFields();
    let prev: { seq: number; ts: number; ssrc: number } | undefined;
    packets.forEach(({ b64 }, i) => {
      const buf = Buffer.from(b64, 'base64');
      expect(readRtpHeader(buf, h)).toBe(RtpParseStatus.OK);
      expect([h.payloadType, h.payloadLength, h.marker]).toEqual([0, 160, i === 0]);
      if (prev) expect([h.sequenceNumber, h.timestamp, h.ssrc]).toEqual([(prev.seq + 1) & 0xffff, (prev.ts + 160) >>> 0, prev.ssrc]);
      prev = { seq: h.sequenceNumber, ts: h.timestamp, ssrc: h.ssrc };
    });
    expect(packets.length).toBe(254);
  });
});

describe('RtpSender', () => {
  it('continues sequence and timestamp across wraparound, marks talkspurts, advances over silence', () => {
    const s = new RtpSender({ payloadType: 0, samplesPerPacket: 160, ssrc: 0x01020304 });
    const h = createRtpHeaderFields();
    const first = s.packetize(new Uint8Array(160));
    readRtpHeader(first, h);
    expect(h.marker).toBe(true);
    expect(h.ssrc).toBe(0x01020304);
    const seq0 = h.sequenceNumber;
    const ts0 = h.timestamp;
    readRtpHeader(s.packetize(new Uint8Array(160)), h);
    expect([h.marker, h.sequenceNumber, h.timestamp]).toEqual([false, (seq0 + 1) & 0xffff, (ts0 + 160) >>> 0]);
    s.skip(5);
    s.startTalkspurt();
    readRtpHeader(s.packetize(new Uint8Array(160)), h);
    expect([h.marker, h.sequenceNumber, h.timestamp]).toEqual([true, (seq0 + 2) & 0xffff, (ts0 + 160 * 7) >>> 0]);
    for (let i = 0; i < 70000; i++) s.packetize(new Uint8Array(1));
    readRtpHeader(s.packetize(new Uint8Array(1)), h);
    expect(h.sequenceNumber).toBe((seq0 + 3 + 70000) & 0xffff);
    expect(h.timestamp).toBe((ts0 + 160 * (7 + 1 + 70000)) >>> 0);
    expect(new RtpSender({ payloadType: 0, samplesPerPacket: 160 }).ssrc).not.toBe(new RtpSender({ payloadType: 0, samplesPerPacket: 160 }).ssrc);
  });
});

describe('RFC 4733 telephone-events', () => {
  const ev = (event: number, end: boolean, duration: number): Uint8Array => new Uint8Array([event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);

  it('reports each digit once despite repeated and retransmitted end packets', () => {
    const d = new TelephoneEventDetector();
    const got = [
      ...d.push(1000, ev(1, false, 160)), ...d.push(1000, ev(1, false, 320)), ...d.push(1000, ev(1, true, 800)),
      ...d.push(1000, ev(1, true, 800)), ...d.push(1000, ev(1, true, 800)),
      ...d.push(3000, ev(11, false, 160)), ...d.push(3000, ev(11, true, 400)),
      ...d.push(5000, ev(11, true, 400)),
    ];
    expect(got).toEqual([{ digit: '1', durationMs: 100 }, { digit: '#', durationMs: 50 }, { digit: '#', durationMs: 50 }]);
  });

  it('reports a digit whose end packets were lost when the next event starts, or at flush', () => {
    const d = new TelephoneEventDetector();
    expect(d.push(100, ev(5, false, 160))).toEqual([]);
    expect(d.push(900, ev(5, false, 160))).toEqual([{ digit: '5', durationMs: 20 }]);
    expect(d.flush()).toEqual([{ digit: '5', durationMs: 20 }]);
    expect(d.push(1, new Uint8Array(2))).toEqual([]);
    expect(d.push(2, ev(200, true, 1))).toEqual([]);
  });
});

describe('RTCP with werift-rtp', async () => {
  const { RtcpRrPacket: Rr, RtcpSrPacket: Sr } = await import('werift-rtp');
  const { RtcpReporter, ntpMiddle, ntpNow } = await import('../../src/media/rtcp.js');

  it('computes fraction lost per interval, cumulative loss, jitter and DLSR', () => {
    const r = new RtcpReporter(0xabcdef01);
    const counters = { ssrc: 7, extendedHighestSeq: 65536 + 99, expected: 100, received: 90, jitter: 80.4, lastSrNtpMiddle: 0x12345678, lastSrArrivalMs: 1000 };
    const rr = Rr.deSerialize(r.receiverReport(counters, 1500).subarray(4), 1);
    expect(rr.ssrc).toBe(0xabcdef01);
    expect(rr.reports[0]!.toJSON()).toEqual({ ssrc: 7, fractionLost: 25, packetsLost: 10, highestSequence: 65635, jitter: 80, lsr: 0x12345678, dlsr: 32768 });
    const next = r.receiverInfo({ ...counters, expected: 200, received: 190 }, 1500);
    expect(next.fractionLost).toBe(0);
    const sr = Sr.deSerialize(r.senderReport({ rtpTimestamp: 160, packets: 3, octets: 480 }).subarray(4), 0);
    expect([sr.senderInfo.rtpTimestamp, sr.senderInfo.packetCount, sr.senderInfo.octetCount]).toEqual([160, 3, 480]);
    expect(ntpMiddle(ntpNow(0))).toBe(Number(((2_208_988_800n << 32n) >> 16n) & 0xffffffffn));
  });
});
