import { type Socket, createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PortAllocator } from '../../src/media/port-allocator.js';
import { RtpBridge, type RtpBridgeOptions } from '../../src/media/rtp-bridge.js';
import { AudioFormats } from '../../src/realtime/audio-format.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { freeUdpRange } from '../helpers/udp.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A UDP socket on 127.0.0.1 that counts what it receives. */
async function endpoint(): Promise<{ socket: Socket; received: Buffer[]; send: (b: Buffer, port: number) => Promise<void> }> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  cleanup.push(() => socket.close());
  const received: Buffer[] = [];
  socket.on('message', (m) => received.push(m));
  // The send callback runs once the kernel took the datagram: on loopback it is then queued at the bridge, in order.
  const send = (b: Buffer, port: number): Promise<void> => new Promise((r) => socket.send(b, port, '127.0.0.1', () => r()));
  return { socket, received, send };
}

async function bridge(options: Omit<RtpBridgeOptions, 'ports'>): Promise<{ bridge: RtpBridge; port: number }> {
  const min = await freeUdpRange(1);
  const b = new RtpBridge({ ...options, ports: new PortAllocator({ min, max: min, bindAddress: '127.0.0.1' }) });
  cleanup.push(() => b.close());
  const { port } = await b.start();
  return { bridge: b, port };
}

/** Resolves on the first clock tick (an `audio` event) after the bridge has taken `n` datagrams in. */
function taken(b: RtpBridge, n: number): Promise<void> {
  return new Promise((resolve) => {
    const tick = (): void => {
      if (b.stats().packetsReceived < n) return;
      b.off('audio', tick);
      resolve();
    };
    b.on('audio', tick);
  });
}

/** Resolves once `peer` has received `n` datagrams. */
async function receivedBy(peer: { socket: Socket; received: Buffer[] }, n: number): Promise<void> {
  while (peer.received.length < n) await new Promise((r) => peer.socket.once('message', r));
}

/** Resolves once FreeSWITCH or the attacker has received `n` of the bridge's frames. */
const sentTo = (fs: { socket: Socket; received: Buffer[] }, attacker: { socket: Socket; received: Buffer[] }, n: number): Promise<void> =>
  Promise.race([receivedBy(fs, n), receivedBy(attacker, n)]);

const rtp = (JSON.parse(readFileSync(join(FIXTURES_DIR, 'rtp', 'fs-rtp-endpoint-pcmu.json'), 'utf8')) as { packets: { b64: string }[] }).packets.map((p) =>
  Buffer.from(p.b64, 'base64'),
);

/** An RTP header (v2 unless given) and `payload` bytes. */
function rtpPacket(payloadType: number, payload: number, version = 2): Buffer {
  const b = Buffer.alloc(12 + payload, 0x7f);
  b[0] = version << 6;
  b[1] = payloadType;
  b.writeUInt16BE(1, 2);
  b.writeUInt32BE(160, 4);
  b.writeUInt32BE(0x1234, 8);
  return b;
}

describe('RtpBridge latching (no `remote`): only a valid frame of the expected codec latches', () => {
  it('RTP: an attacker sending first (empty, garbage, wrong version, payload type or size) is counted, FreeSWITCH gets the audio', async () => {
    const { bridge: b, port } = await bridge({ framing: 'rtp', codec: 'PCMU', input: AudioFormats.MULAW_8K, output: AudioFormats.MULAW_8K });
    const attacker = await endpoint();
    const fs = await endpoint();
    const junk = [
      Buffer.alloc(0), Buffer.from('x'), rtpPacket(0, 160, 1), rtpPacket(8, 160), rtpPacket(0, 100), rtpPacket(0, 0), rtpPacket(13, 1), rtpPacket(101, 3),
      Buffer.alloc(172, 0xff),
    ];
    for (const d of junk) await attacker.send(d, port);
    await fs.send(rtp[0]!, port);
    await taken(b, junk.length + 1);
    b.write(new Uint8Array(160 * 10).fill(0x55));
    await sentTo(fs, attacker, 3);
    expect(attacker.received).toHaveLength(0);
    expect(b.stats()).toMatchObject({ latchRejected: junk.length, packetsReceived: junk.length + 1 });
  });

  it('raw unicast (native PCMU): only 160-byte frames or 320-byte 0xFF comfort noise latch; the rest is counted', async () => {
    const { bridge: b, port } = await bridge({ framing: 'raw', codec: 'PCMU', input: AudioFormats.MULAW_8K, output: AudioFormats.MULAW_8K });
    const attacker = await endpoint();
    const fs = await endpoint();
    const junk = [Buffer.alloc(0), Buffer.alloc(10), Buffer.alloc(161, 0xff), Buffer.alloc(320, 0x00), Buffer.alloc(320 * 2, 0xff)];
    for (const d of junk) await attacker.send(d, port);
    await fs.send(Buffer.alloc(320, 0xff), port); // what FreeSWITCH sends while the caller is silent
    await taken(b, junk.length + 1);
    b.write(new Uint8Array(160 * 10).fill(0x55));
    await sentTo(fs, attacker, 3);
    expect(attacker.received).toHaveLength(0);
    expect(fs.received.every((d) => d.length === 160)).toBe(true);
    expect(b.stats()).toMatchObject({ latchRejected: junk.length, comfortNoise: 1 });
  });

  it('raw unicast (L16): a frame of the wrong size does not latch; a 320-byte frame does', async () => {
    const { bridge: b, port } = await bridge({ framing: 'raw', codec: 'L16' });
    const attacker = await endpoint();
    const fs = await endpoint();
    await attacker.send(Buffer.alloc(160), port);
    await attacker.send(Buffer.alloc(0), port);
    await fs.send(Buffer.alloc(320), port);
    await taken(b, 3);
    b.write(new Uint8Array(320 * 10));
    await sentTo(fs, attacker, 3);
    expect(attacker.received).toHaveLength(0);
    expect(b.stats().latchRejected).toBe(2);
  });
});
