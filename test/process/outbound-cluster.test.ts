import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { portSlice } from '../../src/process/cluster-protocol.js';
import { type ClusterWorkerState, OutboundCluster } from '../../src/process/outbound-cluster.js';
import { FreeSwitchSimulator, type SimulatedChannel } from '../../src/testing/index.js';

const WORKER = new URL('../helpers/cluster-worker.ts', import.meta.url);

describe('portSlice', () => {
  it('cuts the range into consecutive slices, as equal as possible, covering every port once', () => {
    expect([0, 1, 2].map((i) => portSlice(10000, 10100, 3, i))).toEqual([
      { min: 10000, max: 10033 },
      { min: 10034, max: 10067 },
      { min: 10068, max: 10100 },
    ]);
    expect(portSlice(10000, 10000, 1, 0)).toEqual({ min: 10000, max: 10000 });
    expect(() => portSlice(10000, 10002, 4, 0)).toThrow(ConfigError);
  });
});

describe('OutboundCluster', () => {
  let sim: FreeSwitchSimulator;
  let workers: OutboundCluster;
  let port: number;

  beforeAll(async () => {
    sim = new FreeSwitchSimulator();
    await sim.start();
    workers = new OutboundCluster({
      workers: 2,
      exec: WORKER,
      execArgv: ['--import', 'tsx'],
      rtp: { portMin: 30000, portMax: 30099 },
      restartDelayMs: 50,
      // What a worker does on its own SIGTERM.
      shutdown: { deadlineMs: 0, transferTo: 'operator' },
    });
    ({ port } = await workers.start());
  }, 60_000);

  afterAll(async () => {
    await workers?.shutdown({ deadlineMs: 0 });
    await sim?.stop();
  });

  /** Places a call on the cluster's port; resolves with its channel once a worker tagged it. */
  async function dial(): Promise<{ channel: SimulatedChannel; worker: number; pid: number; ports: string }> {
    const channel = sim.callSocket({ port });
    await until(() => channel.variables.has('handled_by'));
    const [worker, pid, ports] = channel.variables.get('handled_by')!.split(':');
    return { channel, worker: Number(worker), pid: Number(pid), ports: ports! };
  }

  it(
    'spreads calls over the workers, each on its own port slice; a killed worker loses only its calls, is restarted and serves again; SIGTERM hands calls back',
    async () => {
      expect(workers.workers.map((w) => [w.state, w.ports])).toEqual([
        ['listening', { min: 30000, max: 30049 }],
        ['listening', { min: 30050, max: 30099 }],
      ]);
      const calls = [await dial(), await dial(), await dial(), await dial()];
      expect(new Set(calls.map((c) => c.worker))).toEqual(new Set([0, 1]));
      for (const c of calls) expect(c.ports).toBe(c.worker === 0 ? '30000-30049' : '30050-30099');
      await until(() => workers.activeCalls === 4);

      const victim = workers.workers[0]!;
      const oldPid = victim.pid!;
      const restarted = new Promise<ClusterWorkerState>((resolve) => workers.once('restart', resolve));
      const listening = new Promise<void>((resolve) => workers.on('listening', (w) => w.index === 0 && resolve()));
      process.kill(oldPid, 'SIGKILL');

      // Its calls go back to FreeSWITCH (their socket closed; nothing follows `socket` here: they end).
      const lost = calls.filter((c) => c.worker === 0);
      const kept = calls.filter((c) => c.worker === 1);
      await until(() => lost.every((c) => !sim.channels.has(c.channel.uuid)));
      expect(kept.every((c) => sim.channels.has(c.channel.uuid))).toBe(true);
      expect(kept.every((c) => sim.connectionList.some((l) => l.sessionUuid === c.channel.uuid))).toBe(true);

      expect((await restarted).index).toBe(0);
      await listening;
      expect(victim.restarts).toBe(1);
      expect(victim.pid).not.toBe(oldPid);
      expect(victim.ports).toEqual({ min: 30000, max: 30049 });

      // New calls are served, by the new worker too (connections go round-robin).
      const fresh: Awaited<ReturnType<typeof dial>>[] = [];
      while (!fresh.some((c) => c.pid === victim.pid) && fresh.length < 6) fresh.push(await dial());
      expect(fresh.some((c) => c.pid === victim.pid)).toBe(true);
      expect(kept.every((c) => sim.channels.has(c.channel.uuid))).toBe(true);

      // A worker's own SIGTERM (a process manager stopping it): it hands its calls back, exits,
      // and the primary, which is not shutting down, starts it again.
      const up = [...kept, ...fresh];
      const other = workers.workers[1]!;
      const onOther = up.filter((c) => c.pid === other.pid);
      const otherBack = new Promise<void>((resolve) => workers.on('listening', (w) => w.index === 1 && resolve()));
      process.kill(other.pid!, 'SIGTERM');
      await otherBack;
      for (const c of onOther) expect(sim.channels.get(c.channel.uuid)?.profile.destinationNumber).toBe('operator');
      expect(other.restarts).toBe(1);

      // A graceful shutdown hands every call still up back to the dialplan: transferred, none hung up.
      const rest = up.filter((c) => !onOther.includes(c));
      const report = await workers.shutdown({ deadlineMs: 0, transferTo: 'operator' });
      expect(report).toEqual({ finished: 0, transferred: rest.length, released: 0, transferFailures: 0 });
      for (const c of up) expect(sim.channels.get(c.channel.uuid)?.profile.destinationNumber).toBe('operator');
      expect(sim.commands.some((c) => c.headers['call-command'] === 'hangup')).toBe(false);
      expect(workers.workers.every((w) => w.state === 'stopped')).toBe(true);
    },
    60_000,
  );
});

async function until(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
