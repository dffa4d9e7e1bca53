import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { ulawEncode } from '../../src/media/g711.js';
import { startCallMedia } from '../../src/media/call-media.js';
import { pcmFromLE } from '../../src/media/pcm.js';
import { AudioFormats } from '../../src/realtime/audio-format.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { useCallHarness } from '../helpers/call-harness.js';
import { freeUdpRange } from '../helpers/udp.js';
import { readWav } from '../helpers/wav.js';

const caller = readWav(join(FIXTURES_DIR, 'audio', 'caller-pt-8k.wav')).samples.subarray(0, 8000); // 1 s

const h = useCallHarness();

async function call(codec = 'PCMU'): Promise<{ call: OutboundCall; uuid: string }> {
  const arrived = new Promise<OutboundCall>((resolve) => h.server.once('call', resolve));
  const channel = h.sim.callSocket({ port: h.server.address()!.port }, { codec, callerAudio: caller });
  return { call: await arrived, uuid: channel.uuid };
}

/** Collects `n` frames of caller audio from the bridge, skipping the silence before the voice. */
function collect(bridge: { on(e: 'audio', f: (x: Uint8Array) => void): unknown }, n: number, isSilence: (f: Uint8Array) => boolean): Promise<Uint8Array[]> {
  return new Promise((resolve) => {
    const frames: Uint8Array[] = [];
    bridge.on('audio', (f) => {
      if (frames.length === 0 && isSilence(f)) return;
      if (frames.length < n) frames.push(f);
      if (frames.length === n) resolve(frames);
    });
  });
}

describe('startCallMedia through the simulator', () => {
  it('native PCMU: caller audio arrives as the same µ-law bytes, and ours reaches FreeSWITCH paced', async () => {
    const { call: c, uuid } = await call('PCMU');
    const media = await startCallMedia(c, { ports: h.ports, freeswitchPort: (p) => p + 4, output: AudioFormats.MULAW_8K, input: AudioFormats.MULAW_8K });
    expect(media.codec).toBe('PCMU');
    const unicast = h.sim.unicast(uuid) ?? (await h.sim.waitForUnicast(uuid));
    expect(unicast.params).toMatchObject({ native: true, remotePort: (await media.bridge.start()).port });
    const heard = await collect(media.bridge, 40, (f) => f.every((b) => b === 0xff));
    const expected = ulawEncode(caller);
    const firstVoiced = expected.findIndex((b) => b !== 0xff) - (expected.findIndex((b) => b !== 0xff) % 160);
    expect(Buffer.concat(heard)).toEqual(Buffer.from(expected.subarray(firstVoiced, firstVoiced + 40 * 160)));

    const tone = ulawEncode(Int16Array.from({ length: 1600 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000))));
    media.bridge.write(tone);
    media.bridge.endOfAnswer();
    await unicast.waitForReceived(10);
    expect(unicast.received.every((d) => d.data.length === 160)).toBe(true);
    expect(Buffer.concat(unicast.received.map((d) => d.data))).toEqual(Buffer.from(tone));
    expect(media.bridge.stats().otherSource).toBe(0);
  });

  it('L16 at 16 kHz out: the caller is decoded and resampled; ours is resampled to 8 kHz L16', async () => {
    const { call: c, uuid } = await call('L16');
    const media = await startCallMedia(c, { ports: h.ports, freeswitchPort: (p) => p + 4, output: AudioFormats.PCM16_16K });
    expect(media.codec).toBe('L16');
    const unicast = await h.sim.waitForUnicast(uuid);
    expect(unicast.params.native).toBe(false);
    const frames = await collect(media.bridge, 20, (f) => pcmFromLE(f).every((s) => s === 0));
    expect(frames.every((f) => f.length === 640)).toBe(true);
    media.bridge.write(new Uint8Array(640 * 5));
    media.bridge.endOfAnswer();
    await unicast.waitForReceived(5);
    expect(unicast.received.slice(0, 5).every((d) => d.data.length === 320)).toBe(true);
  });

  it('drops datagrams from anyone but FreeSWITCH, and releases the port when the call ends', async () => {
    const { call: c, uuid } = await call('PCMU');
    const media = await startCallMedia(c, { ports: h.ports, freeswitchPort: (p) => p + 4 });
    const { port } = await media.bridge.start();
    const { createSocket } = await import('node:dgram');
    const spoofer = createSocket('udp4');
    await new Promise<void>((r) => spoofer.bind(0, '127.0.0.1', () => r()));
    for (let i = 0; i < 5; i++) spoofer.send(Buffer.alloc(160, 0x55), port, '127.0.0.1');
    await h.sim.waitForUnicast(uuid);
    const spoofed = Buffer.alloc(160, 0x55);
    const heard = await collect(media.bridge, 25, (f) => f.every((b) => b === 0xff));
    spoofer.close();
    expect(heard.some((f) => Buffer.from(f).equals(spoofed))).toBe(false);
    expect(h.ports.inUse).toBe(1);
    const ended = c.ended();
    h.sim.hangup(uuid);
    await ended;
    expect((await media.parked).get('Application')).toBe('park');
    expect(h.ports.inUse).toBe(0);
  });

  it('refuses native on a call that is not G.711', async () => {
    const { call: c } = await call('L16');
    await expect(startCallMedia(c, { ports: h.ports, native: true })).rejects.toThrow(/G\.711/);
    expect(h.ports.inUse).toBe(0);
  });
});

describe('startCallMedia on a shared socket', () => {
  it('serves two calls on one UDP port, each hearing only its own FreeSWITCH', async () => {
    const { SharedMediaSocket } = await import('../../src/media/shared-media-socket.js');
    const shared = new SharedMediaSocket();
    await shared.bind(0, '127.0.0.1');
    const base = await freeUdpRange(2);
    const calls = [await call('PCMU'), await call('PCMU')];
    const media = await Promise.all(
      calls.map(({ call: c }, i) => startCallMedia(c, { shared, freeswitchPort: base + i, output: AudioFormats.MULAW_8K, input: AudioFormats.MULAW_8K })),
    );
    expect(shared.size).toBe(2);
    const [u0, u1] = await Promise.all(calls.map(({ uuid }) => h.sim.waitForUnicast(uuid)));
    expect(u0!.params.remotePort).toBe(shared.address()!.port);
    expect(u1!.params.remotePort).toBe(shared.address()!.port);
    const heard = media.map((m) => collect(m.bridge, 5, (f) => f.every((b) => b === 0xff)));
    u0!.inject(Buffer.alloc(160, 0x11));
    u1!.inject(Buffer.alloc(160, 0x22));
    const [a, b] = await Promise.all(heard);
    expect(a!.some((f) => f[0] === 0x22)).toBe(false);
    expect(b!.some((f) => f[0] === 0x11)).toBe(false);
    media[0]!.bridge.write(Buffer.alloc(160 * 3, 0x33));
    await u0!.waitForReceived(3);
    expect(u0!.received.every((d) => d.data[0] === 0x33)).toBe(true);
    for (const { uuid } of calls) h.sim.hangup(uuid);
    await Promise.all(calls.map(({ call: c }) => c.ended()));
    expect(shared.size).toBe(0);
    shared.close();
  });
});
