import { type Socket, createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ulawEncode } from '../../src/media/g711.js';
import { PortAllocator } from '../../src/media/port-allocator.js';
import { RtpBridge } from '../../src/media/rtp-bridge.js';
import { RtpParseStatus, createRtpHeaderFields, readRtpHeader } from '../../src/media/rtp-header.js';
import { AudioFormats } from '../../src/realtime/audio-format.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { manualClock } from '../helpers/manual-clock.js';
import { freeUdpRange } from '../helpers/udp.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

async function peer(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  cleanup.push(() => s.close());
  return s;
}

async function bridge(jitter?: { maxMs: number }): Promise<{ bridge: RtpBridge; port: number }> {
  const min = await freeUdpRange(2);
  const b = new RtpBridge({ framing: 'rtp', codec: 'PCMU', output: AudioFormats.MULAW_8K, jitter, ports: new PortAllocator({ min, max: min + 1, bindAddress: '127.0.0.1' }) });
  cleanup.push(() => b.close());
  const { port } = await b.start();
  return { bridge: b, port };
}

const packets = (JSON.parse(readFileSync(join(FIXTURES_DIR, 'rtp', 'fs-rtp-endpoint-pcmu.json'), 'utf8')) as { packets: { b64: string }[] }).packets.map((p) =>
  Buffer.from(p.b64, 'base64'),
);

describe('RtpBridge with RTP framing', () => {
  it("plays FreeSWITCH's rtp/ endpoint packets in order, latches to it, and counts other sources and garbage", async () => {
    // A deep buffer: the 40 packets are sent in one burst.
    const { bridge: b, port } = await bridge({ maxMs: 2000 });
    const fs = await peer();
    const other = await peer();
    const heard: Uint8Array[] = [];
    const want = 30;
    const done = new Promise<void>((resolve) =>
      b.on('audio', (f) => {
        if (heard.length === 0 && f.every((x) => x === 0xff)) return; // the buffering before the voice
        if (heard.length < want && heard.push(f) === want) resolve();
      }),
    );
    // Shuffle neighbours to exercise reordering; the jitter buffer must put them back.
    const rest = packets.slice(1, 41);
    const order = rest.map((p, i) => (i % 2 === 0 ? rest[i + 1]! : rest[i - 1]!));
    fs.send(packets[0]!, port, '127.0.0.1');
    await new Promise<void>((r) => b.once('audio', () => r()));
    other.send(packets[1]!, port, '127.0.0.1');
    fs.send(Buffer.from('not rtp at all'), port, '127.0.0.1');
    for (const p of order) fs.send(p, port, '127.0.0.1');
    await done;
    const h = createRtpHeaderFields();
    const expected = packets.slice(0, want).map((p) => (readRtpHeader(p, h), p.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength)));
    expect(Buffer.concat(heard)).toEqual(Buffer.concat(expected).subarray(0, want * 160));
    expect(b.stats().malformed).toBeGreaterThanOrEqual(1);
    expect(b.stats().jitter).toMatchObject({ reordered: 20, lost: 0, duplicate: 0 });
  });

  it('sends RTP with a marker on the first packet of each answer, continuous sequence and timestamp', async () => {
    const { bridge: b, port } = await bridge();
    const fs = await peer();
    fs.send(packets[0]!, port, '127.0.0.1');
    await new Promise<void>((r) => b.once('audio', () => r()));
    const got: Buffer[] = [];
    const six = new Promise<void>((resolve) => fs.on('message', (m) => got.push(m) === 6 && resolve()));
    b.write(ulawEncode(new Int16Array(480)));
    b.endOfAnswer();
    await new Promise<void>((r) => b.once('drained', () => r()));
    b.write(ulawEncode(new Int16Array(480)));
    await six;
    const h = createRtpHeaderFields();
    const fields = got.map((p) => (expect(readRtpHeader(p, h)).toBe(RtpParseStatus.OK), { m: h.marker, seq: h.sequenceNumber, ts: h.timestamp, pt: h.payloadType, len: h.payloadLength }));
    expect(fields.map((f) => f.m)).toEqual([true, false, false, true, false, false]);
    expect(fields.every((f) => f.pt === 0 && f.len === 160)).toBe(true);
    for (let i = 1; i < 6; i++) {
      expect(fields[i]!.seq).toBe((fields[i - 1]!.seq + 1) & 0xffff);
      expect(fields[i]!.ts).toBe((fields[i - 1]!.ts + 160) >>> 0);
    }
  });

  it('emits RFC 4733 digits once', async () => {
    const { bridge: b, port } = await bridge();
    const fs = await peer();
    const digit = new Promise<{ digit: string }>((r) => b.once('dtmf', r));
    const dtmf = (end: boolean, duration: number): Buffer => {
      const p = Buffer.alloc(16);
      p[0] = 0x80;
      p[1] = 101;
      p.writeUInt16BE(7, 2);
      p.writeUInt32BE(4000, 4);
      p.writeUInt32BE(1234, 8);
      p[12] = 11;
      p[13] = end ? 0x8a : 0x0a;
      p.writeUInt16BE(duration, 14);
      return p;
    };
    for (const [end, d] of [[false, 160], [false, 320], [true, 800], [true, 800], [true, 800]] as const) fs.send(dtmf(end, d), port, '127.0.0.1');
    expect(await digit).toEqual({ digit: '#', durationMs: 100 });
  });
});

describe('RtpBridge socket errors', () => {
  it('turns ICMP port-unreachable on the connected socket into counted error events, never a crash', async () => {
    const min = await freeUdpRange(3);
    const b = new RtpBridge({ framing: 'raw', codec: 'PCMU', input: AudioFormats.MULAW_8K, ports: new PortAllocator({ min, max: min, bindAddress: '127.0.0.1' }) });
    cleanup.push(() => b.close());
    await b.start();
    b.expectFrom({ address: '127.0.0.1', port: min + 2 }); // nobody listens there
    const error = new Promise<Error>((r) => b.once('error', r));
    b.write(new Uint8Array(160 * 10).fill(0x55));
    expect((await error).message).toMatch(/ECONNREFUSED|media socket error/);
    expect(b.stats().socketErrors).toBeGreaterThan(0);
  });
});

describe('RtpBridge readAheadFrames', () => {
  /** A raw PCMU bridge on a clock the test moves, fed `frames` frames (bytes 1, 2, ...) over real UDP. */
  async function fed(readAheadFrames: number | undefined, frames: number) {
    const m = manualClock();
    const min = await freeUdpRange(2);
    const b = new RtpBridge({
      framing: 'raw',
      codec: 'PCMU',
      output: AudioFormats.MULAW_8K,
      jitter: { minMs: 60, targetMs: 60, maxMs: 200 },
      readAheadFrames,
      clock: m.clock,
      ports: new PortAllocator({ min, max: min + 1, bindAddress: '127.0.0.1' }),
    });
    cleanup.push(() => b.close());
    const { port } = await b.start();
    const fs = await peer();
    for (let i = 1; i <= frames; i++) fs.send(Buffer.alloc(160, i), port, '127.0.0.1');
    while (b.stats().packetsReceived < frames) await new Promise((r) => setImmediate(r));
    const heard: number[][] = [];
    b.on('audio', (f) => heard[heard.length - 1]!.push(f[0]!));
    const tick = (): number[] => {
      heard.push([]);
      m.advance(20);
      return heard[heard.length - 1]!;
    };
    return { b, tick };
  }

  it('hands out the frames that have arrived, up to N in one tick, and nothing in the ticks they were due', async () => {
    const { b, tick } = await fed(3, 6);
    expect([tick(), tick(), tick(), tick(), tick()]).toEqual([[1, 2, 3], [], [], [4, 5, 6], []]);
    expect(b.stats().jitter).toMatchObject({ received: 6, lost: 0, late: 0 });
  });

  it('hands out exactly one frame per tick by default', async () => {
    const { tick } = await fed(undefined, 4);
    expect([tick(), tick(), tick(), tick()]).toEqual([[1], [2], [3], [4]]);
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => new RtpBridge({ framing: 'raw', codec: 'PCMU', readAheadFrames: 0 })).toThrow(/readAheadFrames/);
  });
});
