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
