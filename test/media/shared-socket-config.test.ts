import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { PortExhaustedError } from '../../src/errors.js';
// Through the package's entry point, as users import it: it wires the process defaults to the environment.
import { UnicastPortPool, defaultSharedMediaSocket, defaultUnicastPorts, startCallMedia } from '../../src/index.js';
import { resetSharedMediaDefaults } from '../../src/media/shared-media-defaults.js';
import { AudioFormats } from '../../src/realtime/audio-format.js';
import { useCallHarness } from '../helpers/call-harness.js';
import { freeShiftedRange } from '../helpers/udp.js';

const h = useCallHarness();
const saved = { ...process.env };

beforeEach(async () => {
  const min = await freeShiftedRange(3);
  Object.assign(process.env, { RTP_SHARED_SOCKET: 'true', RTP_PORT_MIN: String(min), RTP_PORT_MAX: String(min + 2), RTP_BIND_ADDRESS: '127.0.0.1' });
});

afterEach(async () => {
  for (const k of ['RTP_SHARED_SOCKET', 'RTP_PORT_MIN', 'RTP_PORT_MAX', 'RTP_BIND_ADDRESS']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await resetSharedMediaDefaults();
});

async function call(): Promise<{ call: OutboundCall; uuid: string }> {
  const arrived = new Promise<OutboundCall>((resolve) => h.server.once('call', resolve));
  const channel = h.sim.callSocket({ port: h.server.address()!.port }, { codec: 'PCMU' });
  return { call: await arrived, uuid: channel.uuid };
}

describe('RTP_SHARED_SOCKET=true', () => {
  it('serves every call from one socket on RTP_PORT_MIN with no media options; FreeSWITCH gets ports from RTP_PORT_MIN+1000', async () => {
    const min = Number(process.env.RTP_PORT_MIN);
    const calls = [await call(), await call()];
    const media = await Promise.all(calls.map(({ call: c }) => startCallMedia(c, { output: AudioFormats.MULAW_8K, input: AudioFormats.MULAW_8K })));
    const shared = await defaultSharedMediaSocket();
    expect(shared.address()).toEqual({ address: '127.0.0.1', family: 'IPv4', port: min });
    expect(shared.size).toBe(2);
    const [u0, u1] = await Promise.all(calls.map(({ uuid }) => h.sim.waitForUnicast(uuid)));
    expect([u0!.params.remotePort, u1!.params.remotePort]).toEqual([min, min]);
    expect([u0!.params.localPort, u1!.params.localPort]).toEqual([min + 1000, min + 1001]);
    expect(defaultUnicastPorts().inUse).toBe(2);

    // Each call hears only its own FreeSWITCH port.
    const heard = media.map(
      (m) =>
        new Promise<number>((resolve) =>
          m.bridge.on('audio', (f) => {
            if (f[0] !== 0xff) resolve(f[0]!);
          }),
        ),
    );
    u0!.inject(Buffer.alloc(160, 0x11));
    u1!.inject(Buffer.alloc(160, 0x22));
    expect(await Promise.all(heard)).toEqual([0x11, 0x22]);

    // The buffers are sized for the range (3 calls: the 1 MiB floor).
    const kernel = await shared.kernelStats();
    if (process.platform === 'linux') expect(kernel!.receiveBufferBytes).toBeGreaterThanOrEqual(1024 * 1024);

    // A call that ends gives its FreeSWITCH port back.
    h.sim.hangup(calls[0]!.uuid);
    await calls[0]!.call.ended();
    expect(shared.size).toBe(1);
    expect(defaultUnicastPorts().inUse).toBe(1);
  });

  it('fails a call with PortExhaustedError once the range has no FreeSWITCH port left, and keeps nothing of it', async () => {
    const pool = new UnicastPortPool({ min: 40000, max: 40000 });
    const [a, b] = [await call(), await call()];
    await startCallMedia(a.call, { freeswitchPorts: pool });
    await expect(startCallMedia(b.call, { freeswitchPorts: pool })).rejects.toBeInstanceOf(PortExhaustedError);
    expect((await defaultSharedMediaSocket()).size).toBe(1);
    h.sim.hangup(a.uuid);
    await a.call.ended();
    expect(pool.inUse).toBe(0);
  });

  it('gives a port out round-robin, never the one just released', () => {
    const pool = new UnicastPortPool({ min: 5, max: 7 });
    const first = pool.take();
    pool.release(first);
    expect(pool.take()).toBe(6);
    expect(pool.take()).toBe(7);
    expect(pool.take()).toBe(5);
    expect(() => pool.take()).toThrow(PortExhaustedError);
    expect(() => new UnicastPortPool({ min: 9, max: 8 })).toThrow(/invalid/);
  });
});
