import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { type OutboundServer, createOutboundServer } from '../../src/esl/outbound-server.js';
import { shutdownOnSignals } from '../../src/process/shutdown-signals.js';
import { FreeSwitchSimulator, type SimulatedChannel } from '../../src/testing/index.js';

let sim: FreeSwitchSimulator;
let server: OutboundServer;
let port: number;

beforeEach(async () => {
  sim = new FreeSwitchSimulator();
  await sim.start();
  // Each call stays with us until it ends: a call in progress (the socket application parks it).
  server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 20 }, async (call) => {
    await call.ended();
  });
  ({ port } = await server.listen());
});

afterEach(async () => {
  await server.close();
  await sim.stop();
});

/** A call whose dialplan is `answer`, `socket`, then `park` (the fallback after `socket`). */
async function dial(): Promise<{ channel: SimulatedChannel; call: OutboundCall }> {
  const arrived = new Promise<OutboundCall>((resolve) => server.once('call', resolve));
  const channel = sim.placeCall({
    destination: '8000',
    steps: [{ app: 'answer' }, { app: 'socket', data: `127.0.0.1:${port} async full` }, { app: 'park' }],
  });
  return { channel, call: await arrived };
}

function connectionOf(uuid: string): number | undefined {
  return sim.connectionList.find((l) => l.sessionUuid === uuid)?.id;
}

/** Every hangup we sent: `sendmsg` hangup, `uuid_kill`, `hupall`. */
function hangupsSent(): string[] {
  return sim.commands
    .filter((c) => c.headers['call-command'] === 'hangup' || /^(api |bgapi )?(uuid_kill|hupall)\b/.test(c.line))
    .map((c) => c.line);
}

describe('OutboundServer.shutdown', () => {
  it('lets calls finish, then transfers the rest to the fallback extension at the deadline; hangs none up', async () => {
    const a = await dial();
    const b = await dial();
    const c = await dial();
    const draining = new Promise((resolve) => server.once('draining', resolve));
    const started = performance.now();
    const done = server.shutdown({ deadlineMs: 300, transferTo: 'operator' });
    expect(await draining).toEqual({ deadlineMs: 300 });
    expect(server.isClosing).toBe(true);

    // No new calls: the listening socket is closed.
    const refused = sim.callSocket({ port });
    // One caller hangs up during the drain: it finishes by itself.
    sim.hangup(a.channel.uuid);

    const report = await done;
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(report).toEqual({ finished: 1, transferred: 2, released: 0, transferFailures: 0 });
    for (const { channel } of [b, c]) {
      expect(sim.channels.has(channel.uuid)).toBe(true);
      expect(channel.profile.destinationNumber).toBe('operator');
      expect(sim.commands.some((cmd) => cmd.line === `api uuid_transfer ${channel.uuid} operator XML default`)).toBe(true);
    }
    expect(hangupsSent()).toEqual([]);
    expect(server.connections).toBe(0);
    expect(server.stats.calls).toBe(3);
    expect(connectionOf(refused.uuid)).toBeUndefined();
  });

  it('without transferTo, closes each socket so the dialplan goes on after `socket`', async () => {
    const a = await dial();
    expect(a.channel.currentApp?.name).toBe('socket');
    const report = await server.shutdown({ deadlineMs: 0 });
    expect(report).toEqual({ finished: 0, transferred: 0, released: 1, transferFailures: 0 });
    // The action after `socket` runs: the dialplan parks the call, still up.
    await until(() => a.channel.currentApp?.name === 'park' && connectionOf(a.channel.uuid) === undefined);
    expect(sim.channels.has(a.channel.uuid)).toBe(true);
    expect(hangupsSent()).toEqual([]);
  });

  it('resolves as soon as every call has ended, before the deadline', async () => {
    const a = await dial();
    const b = await dial();
    const done = server.shutdown({ deadlineMs: 60_000, transferTo: 'operator' });
    const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
    sim.hangup(a.channel.uuid);
    sim.hangup(b.channel.uuid);
    expect(await done).toEqual({ finished: 2, transferred: 0, released: 0, transferFailures: 0 });
    await closed;
    // close() afterwards is the same shutdown.
    await server.close();
  });

  it('a failed transfer still hands the call back (its socket closes), counted', async () => {
    const a = await dial();
    sim.onCommand((cmd) => (cmd.line.startsWith('api uuid_transfer') ? { respond: 'Content-Type: api/response\nContent-Length: 22\n\n-ERR no such extension' } : undefined));
    const report = await server.shutdown({ deadlineMs: 0, transferTo: { extension: 'nowhere', context: 'public' } });
    expect(report).toEqual({ finished: 0, transferred: 0, released: 1, transferFailures: 1 });
    await until(() => a.channel.currentApp?.name === 'park' && connectionOf(a.channel.uuid) === undefined);
    expect(hangupsSent()).toEqual([]);
  });
});

describe('shutdownOnSignals', () => {
  it('shuts down on SIGTERM; a second SIGTERM hands calls back at once', async () => {
    const a = await dial();
    const dispose = shutdownOnSignals([server], { exit: false, options: { deadlineMs: 60_000, transferTo: 'operator' } });
    try {
      const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
      const draining = new Promise((resolve) => server.once('draining', resolve));
      process.kill(process.pid, 'SIGTERM');
      await draining;
      expect(sim.channels.get(a.channel.uuid)?.profile.destinationNumber).toBe('8000');
      process.kill(process.pid, 'SIGTERM');
      await closed;
      expect(a.channel.profile.destinationNumber).toBe('operator');
      expect(hangupsSent()).toEqual([]);
    } finally {
      dispose();
    }
  });
});

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}
