import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logger.js';
import { PortAllocator } from '../../src/media/port-allocator.js';
import { RtpBridge } from '../../src/media/rtp-bridge.js';
import { SharedMediaSocket } from '../../src/media/shared-media-socket.js';
import { UdpSendMonitor } from '../../src/media/udp-send-errors.js';
import { AudioFormats } from '../../src/realtime/audio-format.js';
import { freeUdpRange } from '../helpers/udp.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A logger that keeps its warnings. */
function recorder(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const noop = (): void => {};
  return { warnings, debug: noop, info: noop, error: noop, warn: (_o: unknown, m?: string) => void warnings.push(m ?? '') };
}

// Linux refuses a datagram to the broadcast address on a socket without SO_BROADCAST (EACCES):
// a send that fails every time, on loopback, without any network.
const BROADCAST = '255.255.255.255';

describe('UdpSendMonitor', () => {
  it('gives a callback to the first datagram and one in sampleEvery; after a failure, to every datagram for watchSends', () => {
    const failures: Error[] = [];
    const m = new UdpSendMonitor((e) => failures.push(e), { sampleEvery: 4, watchSends: 3 });
    const given = (n: number): boolean[] => Array.from({ length: n }, () => m.callback() !== undefined);
    expect(given(9)).toEqual([true, false, false, false, true, false, false, false, true]);
    const sampled = [m.callback(), m.callback(), m.callback(), m.callback()].find((c) => c !== undefined)!;
    sampled(null);
    expect(m.failures).toBe(0);
    sampled(new Error('EACCES'));
    expect(m.failures).toBe(1);
    expect(given(4)).toEqual([true, true, true, false]);
    expect(failures.map((e) => e.message)).toEqual(['EACCES']);
  });
});

describe('failed UDP sends are counted, not dropped silently', () => {
  it('SharedMediaSocket: in stats.sendErrors, with one warning for a flood', async () => {
    const logger = recorder();
    const shared = new SharedMediaSocket({ logger, receiveBufferBytes: 65536 });
    cleanup.push(() => shared.close());
    await shared.bind(0, '127.0.0.1');
    const call = shared.register(BROADCAST, 40000, () => {});
    // Calls' frames go out a few per turn of the event loop, as the clock's ticks send them.
    for (let turn = 0; turn < 20; turn++) {
      for (let i = 0; i < 10; i++) call.send(Buffer.alloc(160));
      await new Promise((r) => setImmediate(r));
    }
    // The first datagram carries the callback; once its failure is known, every one does.
    expect(shared.stats.sendErrors).toBe(191);
    expect(logger.warnings.filter((w) => /could not be sent/.test(w))).toHaveLength(1);
  });

  it('RtpBridge on its own port: in counters.sendErrors and as error events', async () => {
    const min = await freeUdpRange(2);
    const b = new RtpBridge({ framing: 'raw', codec: 'PCMU', input: AudioFormats.MULAW_8K, remote: { address: BROADCAST, port: 40000 }, ports: new PortAllocator({ min, max: min + 1, bindAddress: '127.0.0.1' }) });
    cleanup.push(() => b.close());
    const errors: Error[] = [];
    b.on('error', (e) => errors.push(e));
    await b.start();
    b.write(new Uint8Array(160 * 3).fill(0x55));
    while (b.stats().sendErrors < 3) await new Promise((r) => setTimeout(r, 10));
    expect(errors[0]!.message).toMatch(/media send failed: .*EACCES/);
    expect(b.stats().sendErrors).toBe(3);
  });
});
