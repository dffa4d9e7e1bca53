import { type Socket, createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { PortExhaustedError } from '../../src/errors.js';
import { type AllocatedPort, PortAllocator } from '../../src/media/port-allocator.js';
import { SharedMediaSocket } from '../../src/media/shared-media-socket.js';
import { freeUdpRange } from '../helpers/udp.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

function take(p: AllocatedPort): AllocatedPort {
  cleanup.push(() => p.release());
  return p;
}

describe('PortAllocator', () => {
  it('allocates distinct ports concurrently, skips ports taken by others, and reports exhaustion', async () => {
    const min = await freeUdpRange(4);
    const squatter = createSocket('udp4');
    await new Promise<void>((r) => squatter.bind(min + 1, '127.0.0.1', () => r()));
    cleanup.push(() => squatter.close());
    const alloc = new PortAllocator({ min, max: min + 3, bindAddress: '127.0.0.1' });
    const got = await Promise.all([alloc.allocate(), alloc.allocate(), alloc.allocate()]).then((ps) => ps.map(take));
    expect(got.map((p) => p.port).sort()).toEqual([min, min + 2, min + 3]);
    expect(alloc.inUse).toBe(3);
    const error = await alloc.allocate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortExhaustedError);
    expect((error as PortExhaustedError).code).toBe('MEDIA_PORTS_EXHAUSTED');
    got[0]!.release();
    got[0]!.release();
    expect(alloc.inUse).toBe(2);
    expect(take(await alloc.allocate()).port).toBe(min);
  });

  it('moves round-robin so a released port is not handed out again at once', async () => {
    const min = await freeUdpRange(3);
    const alloc = new PortAllocator({ min, max: min + 2, bindAddress: '127.0.0.1' });
    const a = take(await alloc.allocate());
    a.release();
    expect(take(await alloc.allocate()).port).toBe(min + 1);
  });

  it('rejects a nonsense range', () => {
    expect(() => new PortAllocator({ min: 20, max: 10 })).toThrow(/invalid port range/);
  });
});

describe('SharedMediaSocket', () => {
  it('delivers datagrams by source address:port and drops unknown sources, counted', async () => {
    const shared = new SharedMediaSocket();
    const { port } = await shared.bind(0, '127.0.0.1');
    cleanup.push(() => shared.close());
    const fsA = createSocket('udp4');
    const fsB = createSocket('udp4');
    const stranger = createSocket('udp4');
    for (const s of [fsA, fsB, stranger]) {
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      cleanup.push(() => s.close());
    }
    const gotA: string[] = [];
    const gotB: string[] = [];
    const regA = shared.register('127.0.0.1', fsA.address().port, (d) => gotA.push(d.toString()));
    shared.register('127.0.0.1', fsB.address().port, (d) => gotB.push(d.toString()));
    const backToA = new Promise<string>((r) => fsA.once('message', (m) => r(m.toString())));
    regA.send(Buffer.from('to-a'));
    expect(await backToA).toBe('to-a');
    stranger.send('spoof', port, '127.0.0.1');
    fsA.send('a1', port, '127.0.0.1');
    fsB.send('b1', port, '127.0.0.1');
    await until(() => gotA.length === 1 && gotB.length === 1 && shared.stats.unknownSource === 1);
    expect([gotA, gotB]).toEqual([['a1'], ['b1']]);
    regA.close();
    fsA.send('a2', port, '127.0.0.1');
    await until(() => shared.stats.unknownSource === 2);
    expect(gotA).toEqual(['a1']);
    expect(() => shared.register('127.0.0.1', fsB.address().port, () => {})).toThrow(/already registered/);
  });

  it('tells apart two FreeSWITCH hosts that use the same port, whichever registered first or left', async () => {
    const shared = new SharedMediaSocket();
    const { port } = await shared.bind(0, '127.0.0.1');
    cleanup.push(() => shared.close());
    const hostA = createSocket('udp4');
    await new Promise<void>((r) => hostA.bind(0, '127.0.0.1', () => r()));
    const same = hostA.address().port;
    const hostB = createSocket('udp4');
    await new Promise<void>((r) => hostB.bind(same, '127.0.0.2', () => r()));
    const hostC = createSocket('udp4');
    await new Promise<void>((r) => hostC.bind(same, '127.0.0.3', () => r()));
    cleanup.push(() => [hostA, hostB, hostC].forEach((h) => h.close()));
    const got: string[] = [];
    const a = shared.register('127.0.0.1', same, (d) => got.push(`a:${d}`));
    shared.register('127.0.0.2', same, (d) => got.push(`b:${d}`));
    shared.register('127.0.0.3', same, (d) => got.push(`c:${d}`));
    for (const [h, text] of [[hostA, '1'], [hostB, '2'], [hostC, '3']] as const) h.send(text, port, '127.0.0.1');
    await until(() => got.length === 3);
    expect(got.sort()).toEqual(['a:1', 'b:2', 'c:3']);
    // The first registered is last in its port's list: taking it out keeps the others routed.
    a.close();
    for (const [h, text] of [[hostA, '4'], [hostB, '5'], [hostC, '6']] as const) h.send(text, port, '127.0.0.1');
    await until(() => got.length === 5 && shared.stats.unknownSource === 1);
    expect(got.slice(3).sort()).toEqual(['b:5', 'c:6']);
  });

  it('counts registrations exactly: a closed one frees its address for a new call, closing twice or after the socket is harmless', async () => {
    const shared = new SharedMediaSocket();
    await shared.bind(0, '127.0.0.1');
    const a = shared.register('127.0.0.1', 40000, () => {});
    const b = shared.register('127.0.0.2', 40000, () => {});
    expect(shared.size).toBe(2);
    a.close();
    a.close();
    expect(shared.size).toBe(1);
    const again = shared.register('127.0.0.1', 40000, () => {});
    expect(shared.size).toBe(2);
    shared.close();
    expect(shared.size).toBe(0);
    b.close();
    again.close();
    expect(shared.size).toBe(0);
  });
});

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}
