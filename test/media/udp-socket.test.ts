import type { Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createMediaSocket } from '../../src/media/udp-socket.js';

const open: Socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function bound(): Promise<Socket> {
  const s = createMediaSocket();
  open.push(s);
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

const next = (s: Socket): Promise<Buffer> => new Promise((r) => s.once('message', (m) => r(m)));

describe('createMediaSocket', () => {
  it('hands a datagram to an IP address to the kernel before send() returns: its buffer is free at once', async () => {
    const [a, b] = [await bound(), await bound()];
    const got = next(b);
    const frame = Buffer.from('first');
    a.send(frame, b.address().port, '127.0.0.1');
    // node:dgram's default lookup would still hold `frame` until the next tick.
    frame.write('xxxxx');
    expect((await got).toString()).toBe('first');
  });

  it('still resolves host names', async () => {
    const [a, b] = [await bound(), await bound()];
    const got = next(b);
    const sent = new Promise<Error | null>((r) => a.send(Buffer.from('by name'), b.address().port, 'localhost', (e) => r(e)));
    const error = await sent;
    // Where localhost is ::1 only, an IPv4 socket cannot reach it: that is dns's answer, passed on.
    if (error === null) expect((await got).toString()).toBe('by name');
    else expect(error).toBeInstanceOf(Error);
  });
});
