import { type Socket, createSocket } from 'node:dgram';

/** A range of `n` consecutive UDP ports free on 127.0.0.1 right now. */
export async function freeUdpRange(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const start = 20000 + Math.floor(Math.random() * 40000);
    const probes: Socket[] = [];
    let ok = true;
    for (let p = start; p < start + n && ok; p++) {
      const s = createSocket('udp4');
      ok = await new Promise<boolean>((resolve) => {
        s.once('error', () => resolve(false));
        s.bind(p, '127.0.0.1', () => resolve(true));
      });
      probes.push(s);
    }
    for (const s of probes) s.close();
    if (ok) return start;
  }
  throw new Error('no free UDP port range');
}

/**
 * A range of `n` UDP ports free on 127.0.0.1 right now whose neighbours 1000 above are free too
 * (the simulator's FreeSWITCH side of each `unicast`).
 */
export async function freeShiftedRange(n: number): Promise<number> {
  const free = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const min = 20000 + Math.floor(Math.random() * 30000);
    const ports = Array.from({ length: n }, (_, i) => [min + i, min + 1000 + i]).flat();
    if ((await Promise.all(ports.map(free))).every(Boolean)) return min;
  }
  throw new Error('no free UDP port range');
}
