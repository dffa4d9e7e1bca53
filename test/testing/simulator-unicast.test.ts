import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FreeSwitchSimulator } from '../../src/testing/index.js';
import { freeUdpRange } from '../helpers/udp.js';
import { RawEslClient } from './raw-esl.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A call handed to our socket, `connect` answered and `unicast` started; resolves with the first `count` datagrams. */
async function unicastCall(options: { codec: string; rate: number; native: boolean; callerAudio?: Int16Array }, count: number): Promise<Buffer[]> {
  const sim = new FreeSwitchSimulator();
  await sim.start();
  cleanups.push(() => sim.stop());
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const base = await freeUdpRange(2);
  const peer = createSocket('udp4');
  const datagrams: Buffer[] = [];
  let enough!: () => void;
  const done = new Promise<void>((resolve) => (enough = resolve));
  peer.on('message', (d) => {
    if (datagrams.push(d) === count) enough();
  });
  await new Promise<void>((resolve) => peer.bind(base + 1, '127.0.0.1', resolve));
  cleanups.push(() => peer.close());
  sim.callSocket({ port: (server.address() as AddressInfo).port }, { codec: options.codec, rate: options.rate, ...(options.callerAudio && { callerAudio: options.callerAudio }) });
  const app = RawEslClient.wrap((await accepted)[0]);
  cleanups.push(() => app.destroy());
  await app.command('connect\n\n');
  const flags = options.native ? 'flags: native\n' : '';
  await app.command(`sendmsg\ncall-command: unicast\nlocal-ip: 127.0.0.1\nlocal-port: ${base}\nremote-ip: 127.0.0.1\nremote-port: ${base + 1}\n${flags}\n`);
  await done;
  return datagrams.slice(0, count);
}

describe('unicast frames follow the channel (switch_ivr_park: read_impl, conninfo->read_codec)', () => {
  it('a 16 kHz channel: 20 ms of L16 at 16 kHz (640 bytes), comfort noise as 640 bytes of 0xFF', async () => {
    const tone = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 400 * i) / 8000)));
    const frames = await unicastCall({ codec: 'L16', rate: 16000, native: false, callerAudio: tone }, 3);
    expect(frames.map((f) => f.length)).toEqual([640, 640, 640]);
    expect(frames[0]!.equals(Buffer.alloc(640, 0xff))).toBe(false);
    expect(frames[2]!.equals(Buffer.alloc(640, 0xff))).toBe(true);
  });

  it('an 8 kHz PCMU channel: 160 bytes of µ-law with native, 320 of L16 without; comfort noise 320 bytes of 0xFF either way', async () => {
    const voice = new Int16Array(160).fill(1000);
    const native = await unicastCall({ codec: 'PCMU', rate: 8000, native: true, callerAudio: voice }, 2);
    expect(native.map((f) => f.length)).toEqual([160, 320]);
    expect(native[1]!.equals(Buffer.alloc(320, 0xff))).toBe(true);
    const linear = await unicastCall({ codec: 'PCMU', rate: 8000, native: false, callerAudio: voice }, 2);
    expect(linear.map((f) => f.length)).toEqual([320, 320]);
    expect(linear[0]!.readInt16LE(0)).toBe(1000);
  });
});
