/**
 * Issue 13, item 14: what peers may send the outbound server before their handshake completes is
 * bounded per connection and across connections; over a bound the peer is closed, counted, and
 * reported with a `rejected` event.
 */
import { type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_HANDSHAKE_BYTES, DEFAULT_MAX_PENDING_HANDSHAKE_BYTES } from '../../src/esl/handshake-budget.js';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { createOutboundServer, type OutboundServer, type OutboundServerEvents, type OutboundServerOptions } from '../../src/esl/outbound-server.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';
import { loadCapture } from '../helpers/fixtures.js';

type Rejection = OutboundServerEvents['rejected'][0];
let server: OutboundServer | undefined;
const peers: Socket[] = [];

afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await server?.close();
  server = undefined;
});

async function listen(options: OutboundServerOptions): Promise<{ port: number; rejections: Rejection[]; next: (n: number) => Promise<void> }> {
  server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 1000, ...options });
  const rejections: Rejection[] = [];
  let wake = (): void => {};
  server.on('rejected', (r) => {
    rejections.push(r);
    wake();
  });
  const { port } = await server.listen();
  const next = async (n: number): Promise<void> => {
    while (rejections.length < n) await new Promise<void>((resolve) => (wake = resolve));
  };
  return { port, rejections, next };
}

/** A peer that, instead of waiting for `connect`, starts a frame announcing `announced` bytes and sends `body`. */
function flood(port: number, body: Buffer, announced = body.length): void {
  const socket = connect(port, '127.0.0.1', () => {
    socket.write(`Content-Type: command/reply\nContent-Length: ${announced}\n\n`);
    socket.write(body);
  });
  socket.on('error', () => {});
  peers.push(socket);
}

describe('outbound server: bytes before the handshake', () => {
  it('has a default that fits the largest recorded channel data with a wide margin', () => {
    const largest = Math.max(
      ...['outbound-sip-pcmu-l16', 'outbound-sip-pcmu-native', 'outbound-unicast-l16', 'outbound-unicast-native', 'outbound-extras'].map((name) => {
        const steps = loadCapture(name).steps;
        const reply = steps[steps.findIndex((s) => s.send?.startsWith('connect')) + 1]!.recv!;
        return Buffer.byteLength(reply);
      }),
    );
    expect(largest).toBe(7294);
    expect(DEFAULT_MAX_HANDSHAKE_BYTES).toBeGreaterThan(30 * largest);
    expect(DEFAULT_MAX_PENDING_HANDSHAKE_BYTES).toBeGreaterThanOrEqual(64 * DEFAULT_MAX_HANDSHAKE_BYTES);
  });

  it('closes each of 30 peers sending 16 MiB before connect at maxHandshakeBytes, counts them, and holds at most 30 x the bound', async () => {
    const { port, rejections, next } = await listen({ handshakeTimeout: 30_000 });
    const body = Buffer.alloc(16 * 1024 * 1024, 0x61);
    for (let i = 0; i < 30; i++) flood(port, body);
    await next(30);
    expect(rejections.map((r) => r.reason)).toEqual(Array(30).fill('handshake-too-large'));
    expect(rejections[0]!.error?.message).toMatch(/more than 262144 bytes before completing the outbound handshake/);
    expect(server!.stats).toMatchObject({ rejectedHandshakeTooLarge: 30, rejectedHandshakeMemory: 0, handshakeFailures: 0, calls: 0 });
    expect(server!.pendingHandshakeBytesPeak).toBeLessThanOrEqual(30 * DEFAULT_MAX_HANDSHAKE_BYTES);
    expect(server!.pendingHandshakeBytes).toBe(0);
  });

  it('bounds the total across pending peers: the peer that would pass maxPendingHandshakeBytes is closed', async () => {
    const { port, rejections, next } = await listen({ maxHandshakeBytes: 64 * 1024, maxPendingHandshakeBytes: 256 * 1024, handshakeTimeout: 60_000 });
    // Each peer stays under its own bound, but ten of them would hold 480 KiB.
    const body = Buffer.alloc(48 * 1024, 0x62);
    for (let i = 0; i < 10; i++) flood(port, body, 1024 * 1024);
    await next(5);
    expect(new Set(rejections.map((r) => r.reason))).toEqual(new Set(['handshake-memory']));
    expect(server!.stats.rejectedHandshakeMemory).toBe(rejections.length);
    expect(server!.pendingHandshakeBytesPeak).toBeLessThanOrEqual(256 * 1024);
    expect(server!.pendingHandshakeBytes).toBeLessThanOrEqual(256 * 1024);
    // The peers that fit are still waiting; gone, their bytes no longer count.
    for (const p of peers.splice(0)) p.destroy();
    while (server!.connections > 0) await new Promise((resolve) => setImmediate(resolve));
    expect(server!.pendingHandshakeBytes).toBe(0);
  });

  it('still serves a real call under tight bounds, and its bytes stop counting once the handshake is done', async () => {
    const sim = new FreeSwitchSimulator();
    await sim.start();
    try {
      await listen({ maxHandshakeBytes: 32 * 1024, maxPendingHandshakeBytes: 32 * 1024 });
      const arrived = new Promise<OutboundCall>((resolve) => server!.once('call', resolve));
      sim.callSocket({ port: server!.address()!.port });
      const call = await arrived;
      expect(call.channel.uuid).toBeTruthy();
      expect(server!.pendingHandshakeBytes).toBe(0);
      expect(server!.pendingHandshakeBytesPeak).toBeGreaterThan(1000);
      // After the handshake the per-peer bound no longer applies: a large answer is fine.
      expect((await call.api(`echo ${'z'.repeat(100_000)}`)).text).toHaveLength(100_000);
    } finally {
      await server?.close();
      await sim.stop();
    }
  });

  it('refuses nonsense bounds at construction', () => {
    expect(() => createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 1, maxHandshakeBytes: 0 })).toThrow(/maxHandshakeBytes/);
  });
});
