import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProcNetUdp, readKernelUdpSocket } from '../../src/media/kernel-udp-stats.js';
import { SharedMediaSocket } from '../../src/media/shared-media-socket.js';
import { createMediaSocket } from '../../src/media/udp-socket.js';
import type { Logger } from '../../src/logger.js';

const linux = process.platform === 'linux';
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** `/proc/net/udp` and `/proc/net/udp6` as a Linux 6 kernel printed them, one socket each (127.0.0.1:40123, [::1]:40124). */
const PROC_NET_UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            
15063: 0100007F:9CBB 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 30144 2 00000000cb7ee179 0         
  118: 00000000:2710 0200A8C0:2AF8 01 00000000:00012C00 00:00000000 00000000  1000        0 30150 2 00000000deadbeef 597
`;
const PROC_NET_UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
15064: 00000000000000000000000001000000:9CBC 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 30145 2 0000000058bdfc1a 0
`;

function recordingLogger(): Logger & { warnings: { fields: Record<string, unknown>; msg: string }[] } {
  const warnings: { fields: Record<string, unknown>; msg: string }[] = [];
  const noop = (): void => {};
  return {
    warnings,
    debug: noop,
    info: noop,
    error: noop,
    warn: (fields: object | string, msg?: string) => warnings.push({ fields: typeof fields === 'string' ? {} : (fields as Record<string, unknown>), msg: msg ?? String(fields) }),
  };
}

async function bound(options: ConstructorParameters<typeof SharedMediaSocket>[0] = {}): Promise<{ shared: SharedMediaSocket; port: number }> {
  const shared = new SharedMediaSocket(options);
  const { port } = await shared.bind(0, '127.0.0.1');
  cleanup.push(() => shared.close());
  return { shared, port };
}

describe('parseProcNetUdp', () => {
  it('reads address, port, queues, inode and drops from the kernel text (little-endian words)', () => {
    expect(parseProcNetUdp(PROC_NET_UDP, true)).toEqual([
      { localAddress: '127.0.0.1', localPort: 40123, remoteAddress: '0.0.0.0', remotePort: 0, transmitQueueBytes: 0, receiveQueueBytes: 0, inode: 30144, drops: 0 },
      { localAddress: '0.0.0.0', localPort: 10000, remoteAddress: '192.168.0.2', remotePort: 11000, transmitQueueBytes: 0, receiveQueueBytes: 0x12c00, inode: 30150, drops: 597 },
    ]);
    expect(parseProcNetUdp(PROC_NET_UDP6, true)).toEqual([
      { localAddress: '0:0:0:0:0:0:0:1', localPort: 40124, remoteAddress: '0:0:0:0:0:0:0:0', remotePort: 0, transmitQueueBytes: 0, receiveQueueBytes: 0, inode: 30145, drops: 0 },
    ]);
  });

  it('reads big-endian words as they are, and skips rows it cannot read', () => {
    const [row] = parseProcNetUdp('  1: 7F000001:9CBB 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 7 2 0 3\n', false);
    expect(row).toMatchObject({ localAddress: '127.0.0.1', localPort: 40123, drops: 3 });
    // An old kernel without the drops column, and garbage.
    expect(parseProcNetUdp('  1: 0100007F:9CBB 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 7 2 0\nnot a row\n', true)).toEqual([]);
  });
});

describe.runIf(linux)('readKernelUdpSocket on this machine', () => {
  it('finds a live socket by its local address and port, with its inode, in /proc/net/udp and udp6', async () => {
    const v4 = createMediaSocket();
    await new Promise<void>((r) => v4.bind(0, '127.0.0.1', () => r()));
    cleanup.push(() => v4.close());
    const row = await readKernelUdpSocket(v4.address());
    expect(row).toMatchObject({ localAddress: '127.0.0.1', localPort: v4.address().port, drops: 0 });
    const live = parseProcNetUdp(readFileSync('/proc/net/udp', 'latin1')).filter((r) => r.localPort === v4.address().port);
    expect(live.map((r) => r.inode)).toEqual([row!.inode]);
    expect(await readKernelUdpSocket({ address: '127.0.0.2', port: v4.address().port })).toBeUndefined();
  });
});

describe('SharedMediaSocket kernel buffers', () => {
  it('asks the kernel for the buffers given as options', async () => {
    const { shared } = await bound({ receiveBufferBytes: 96 * 1024, sendBufferBytes: 80 * 1024 });
    const stats = await shared.kernelStats();
    if (!linux) return;
    // Linux reports twice what it granted; the default would be ~208 KiB, or 4 MiB for 300 calls.
    expect(stats!.receiveBufferBytes).toBe(2 * 96 * 1024);
    expect(stats!.sendBufferBytes).toBe(2 * 80 * 1024);
  });

  it.runIf(linux)('sizes both buffers by the expected calls by default (4 MiB per 300 calls, 1 MiB at least), within the sysctl caps', async () => {
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    const wmemMax = Number(readFileSync('/proc/sys/net/core/wmem_max', 'utf8'));
    const logger = recordingLogger();
    const { shared } = await bound({ expectedCalls: 10, logger });
    const one = await shared.kernelStats();
    expect(one!.receiveBufferBytes).toBe(2 * Math.min(1024 * 1024, rmemMax));
    expect(one!.sendBufferBytes).toBe(2 * Math.min(1024 * 1024, wmemMax));
    const { shared: big } = await bound({ expectedCalls: 100, logger });
    expect((await big.kernelStats())!.receiveBufferBytes).toBe(2 * Math.min(Math.ceil((100 * 4 * 1024 * 1024) / 300), rmemMax));
    const { shared: usual } = await bound({ logger });
    expect((await usual.kernelStats())!.receiveBufferBytes).toBe(2 * Math.min(4 * 1024 * 1024, rmemMax));
  });

  it.runIf(linux)('warns, naming the sysctl, when the kernel grants less than asked', async () => {
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    const logger = recordingLogger();
    await bound({ receiveBufferBytes: 64 * 1024, sendBufferBytes: 64 * 1024, logger });
    expect(logger.warnings).toEqual([]);
    const asked = rmemMax + 1024 * 1024;
    await bound({ receiveBufferBytes: asked, sendBufferBytes: 64 * 1024, logger });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]!.fields).toMatchObject({ which: 'receive', askedBytes: asked, grantedBytes: rmemMax, sysctl: 'net.core.rmem_max' });
    expect(logger.warnings[0]!.msg).toContain('net.core.rmem_max');
  });

  it('refuses a buffer size that is not a positive integer', async () => {
    await expect(new SharedMediaSocket({ receiveBufferBytes: 0 }).bind(0, '127.0.0.1')).rejects.toThrow(/positive integer/);
  });
});

describe.runIf(linux)('SharedMediaSocket kernel drops', () => {
  it('counts the datagrams the kernel dropped while the process did not read: received + drops = sent', async () => {
    // A small buffer, and a burst sent while the event loop is busy sending it: nothing is read meanwhile.
    const { shared, port } = await bound({ receiveBufferBytes: 16 * 1024, sendBufferBytes: 16 * 1024 });
    const freeswitch = createMediaSocket();
    await new Promise<void>((r) => freeswitch.bind(0, '127.0.0.1', () => r()));
    cleanup.push(() => freeswitch.close());
    let delivered = 0;
    shared.register('127.0.0.1', freeswitch.address().port, () => delivered++);
    expect((await shared.kernelStats())!.drops).toBe(0);

    const sent = 2000;
    const frame = Buffer.alloc(160, 0xff);
    // createMediaSocket hands each datagram to the kernel before send() returns.
    for (let i = 0; i < sent; i++) freeswitch.send(frame, port, '127.0.0.1');

    let drops = 0;
    for (;;) {
      drops = (await shared.kernelStats())!.drops;
      if (delivered + drops === sent) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(drops).toBeGreaterThan(0);
    expect(delivered).toBeGreaterThan(0);
    expect(shared.stats.received).toBe(delivered);
  });
});
