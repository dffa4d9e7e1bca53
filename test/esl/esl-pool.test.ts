import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryTenantSource } from '../../src/config/tenants.js';
import { EslNoNodeError, OriginateError, OriginateRateLimitError } from '../../src/errors.js';
import type { EslEvent } from '../../src/esl/event.js';
import { EslNode } from '../../src/esl/esl-node.js';
import { EslPool, type EslPoolOptions, type PoolCommandInfo } from '../../src/esl/esl-pool.js';
import type { OutboundCall } from '../../src/esl/outbound-call.js';
import { createOutboundServer } from '../../src/esl/outbound-server.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function simulators(...names: string[]): Promise<FreeSwitchSimulator[]> {
  return Promise.all(
    names.map(async (hostname) => {
      const sim = new FreeSwitchSimulator({ hostname });
      await sim.start();
      cleanup.push(() => sim.stop());
      return sim;
    }),
  );
}

/** A pool over the simulators, nodes named after their host names, every node logged in. */
async function poolOver(sims: FreeSwitchSimulator[], options: Partial<EslPoolOptions> = {}): Promise<EslPool> {
  const pool = new EslPool({
    defaults: { host: '127.0.0.1', port: sims[0]!.port, password: 'ClueCon', reconnectDelay: 20, maxReconnectDelay: 50, maxReconnectAttempts: Infinity },
    nodes: sims.map((s) => ({ name: s.core.factory.hostname, host: '127.0.0.1', port: s.port })),
    ...options,
  });
  cleanup.push(() => pool.close());
  await Promise.all(pool.nodes.map((n) => n.ready()));
  // Each node learns its identity and subscribes to HEARTBEAT right after its login.
  await Promise.all(sims.map((s) => s.waitForCommand((c) => c.line.includes('HEARTBEAT'))));
  await until(() => pool.nodes.every((n) => n.identity.coreUuid !== undefined && n.identity.hostname !== undefined));
  return pool;
}

describe('EslPool: nodes, routing, events', () => {
  it('keeps one client per node, knows each node identity and routes commands by node name', async () => {
    const [a, b] = await simulators('fs-a', 'fs-b');
    const pool = await poolOver([a!, b!]);
    expect(pool.connectedNodes).toBe(2);
    expect([a!.connections, b!.connections]).toEqual([1, 1]);
    expect(pool.node('fs-a').identity).toEqual({ coreUuid: a!.core.factory.coreUuid, hostname: 'fs-a', switchname: undefined });
    expect((await pool.api('hostname', { node: 'fs-b' })).text).toBe('fs-b');
    expect((await pool.api('hostname', { node: 'fs-a' })).text).toBe('fs-a');
    expect(() => pool.node('fs-c')).toThrow(EslNoNodeError);
    expect(pool.health().map((h) => [h.name, h.state, h.connected])).toEqual([
      ['fs-a', 'ready', true],
      ['fs-b', 'ready', true],
    ]);
  });

  it('merges the events of every node, each with its node, also after a node reconnects', async () => {
    const [a, b] = await simulators('fs-a', 'fs-b');
    const pool = await poolOver([a!, b!]);
    const seen: [string, string][] = [];
    pool.on('event', (e: EslEvent, node) => seen.push([node.name, e.get('Caller-Destination-Number') ?? '']));
    await pool.subscribe(['CHANNEL_CREATE']);
    a!.placeCall({ destination: '100' });
    b!.placeCall({ destination: '200' });
    await until(() => seen.length === 2);
    expect(seen.sort()).toEqual([
      ['fs-a', '100'],
      ['fs-b', '200'],
    ]);

    // Node b restarts: only b goes down; it comes back with its subscription restored.
    const down = new Promise((resolve) => pool.once('nodeDown', (node) => resolve(node.name)));
    const back = new Promise((resolve) => pool.once('nodeReady', (node) => resolve(node.name)));
    await b!.stop();
    expect(await down).toBe('fs-b');
    expect(pool.node('fs-a').isReady).toBe(true);
    expect(pool.connectedNodes).toBe(1);
    await b!.start();
    expect(await back).toBe('fs-b');
    expect(pool.node('fs-b').health().reconnects).toBeGreaterThan(0);
    seen.length = 0;
    await b!.waitForCommand((c) => c.line === 'event plain CHANNEL_CREATE' && c.connectionId === b!.connectionList[0]?.id);
    b!.placeCall({ destination: '201' });
    await until(() => seen.length === 1);
    expect(seen).toEqual([['fs-b', '201']]);
  });

  it('sends a command about a call to the node that owns it: from its originate, or by asking every node', async () => {
    const [a, b] = await simulators('fs-a', 'fs-b');
    const pool = await poolOver([a!, b!]);
    const { uuid, node } = await pool.originate({ dialString: 'user/1000', app: 'park', node: 'fs-b' });
    expect(node).toBe('fs-b');
    expect(pool.nodeOf(uuid)?.name).toBe('fs-b');
    await pool.api(`uuid_kill ${uuid}`, { uuid });
    expect(b!.commands.some((c) => c.line === `api uuid_kill ${uuid}`)).toBe(true);
    expect(a!.commands.some((c) => c.line.includes(uuid))).toBe(false);

    // A call the pool never saw: found with uuid_exists.
    const channel = a!.placeCall({ destination: '300' });
    expect(pool.nodeOf(channel.uuid)).toBeUndefined();
    expect((await pool.ownerOf(channel.uuid)).name).toBe('fs-a');
    expect((await pool.api(`uuid_getvar ${channel.uuid} uuid`, { uuid: channel.uuid })).text).toBe(channel.uuid);
    await expect(pool.ownerOf('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(EslNoNodeError);
  });

  it('originates on the least-loaded connected node (FreeSWITCH HEARTBEAT session counts, plus its own originates)', async () => {
    const [a, b] = await simulators('fs-a', 'fs-b');
    const pool = await poolOver([a!, b!]);
    a!.emitEvent('HEARTBEAT', { 'Session-Count': '40' });
    b!.emitEvent('HEARTBEAT', { 'Session-Count': '37' });
    await until(() => pool.node('fs-a').health().sessionCount === 40 && pool.node('fs-b').health().sessionCount === 37);
    const nodes: string[] = [];
    for (let i = 0; i < 6; i++) nodes.push((await pool.originate({ dialString: 'user/1000', app: 'park' })).node);
    // b takes the first three (37, 38, 39 < 40); from 40 each they share.
    expect(nodes.slice(0, 3)).toEqual(['fs-b', 'fs-b', 'fs-b']);
    expect(nodes.slice(3).filter((n) => n === 'fs-a').length).toBeGreaterThanOrEqual(1);
    expect(pool.node('fs-a').load + pool.node('fs-b').load).toBe(40 + 37 + 6);
    await b!.stop();
    await until(() => !pool.node('fs-b').isReady);
    expect((await pool.originate({ dialString: 'user/1000', app: 'park' })).node).toBe('fs-a');
  });

  it('reports every routed command with its latency, and originate failures with their cause', async () => {
    const [a] = await simulators('fs-a');
    const pool = await poolOver([a!]);
    const commands: PoolCommandInfo[] = [];
    const originates: { ok: boolean; cause?: string }[] = [];
    pool.on('command', (c) => commands.push(c));
    pool.on('originate', (o) => originates.push(o));
    await pool.api('status', { node: 'fs-a' });
    await expect(pool.originate({ dialString: 'error/user_busy', app: 'park' })).rejects.toBeInstanceOf(OriginateError);
    expect(commands.map((c) => [c.node, c.command, c.ok])).toEqual([
      ['fs-a', 'status', true],
      ['fs-a', 'originate', false],
    ]);
    expect(commands.every((c) => c.durationMs >= 0)).toBe(true);
    expect(originates).toMatchObject([{ ok: false, cause: 'USER_BUSY' }]);
  });

  it('finds the node of an outbound call from its channel data', async () => {
    const [a, b] = await simulators('fs-a', 'fs-b');
    const pool = await poolOver([a!, b!]);
    const server = createOutboundServer({ host: '127.0.0.1', port: 0 });
    cleanup.push(() => server.close());
    const { port } = await server.listen();
    const calls: OutboundCall[] = [];
    server.on('call', (c) => calls.push(c));
    a!.callSocket({ port });
    b!.callSocket({ port });
    await until(() => calls.length === 2);
    const byNode = Object.fromEntries(calls.map((c) => [pool.nodeForChannel(c.channel)?.name, c]));
    expect(byNode['fs-a']!.channel.freeswitch).toMatchObject({ coreUuid: a!.core.factory.coreUuid, hostname: 'fs-a' });
    expect(byNode['fs-b']!.channel.freeswitch.coreUuid).toBe(b!.core.factory.coreUuid);
    // Adopted, its commands go to its node.
    pool.adopt(byNode['fs-b']!.uuid, 'fs-b');
    expect(pool.nodeOf(byNode['fs-b']!.uuid)?.name).toBe('fs-b');
  });

  it('adds the node of a tenant on its own FreeSWITCH on first use, sharing a configured node with the same endpoint', async () => {
    const [a, b] = await simulators('fs-a', 'fs-b');
    const pool = await poolOver([a!], {
      tenants: new InMemoryTenantSource([{ domainUuid: 't-a' }, { domainUuid: 't-b', esl: { port: b!.port } }]),
    });
    expect((await pool.nodeForDomain('t-b')).name).toBe(`127.0.0.1:${b!.port}`);
    expect((await pool.forDomain('t-b')).isConnected).toBe(true);
    // t-a lives on the defaults' endpoint, which is node fs-a's.
    expect(await pool.nodeForDomain('t-a')).toBe(pool.node('fs-a'));
    expect(pool.size).toBe(2);
  });

  it('keeps retrying a node that never answered, and reports it down meanwhile', async () => {
    const [a] = await simulators('fs-a');
    const port = a!.port;
    await a!.stop();
    const pool = new EslPool({ defaults: { host: '127.0.0.1', port, password: 'ClueCon', connectTimeout: 500 }, nodes: [{ name: 'late', port }] });
    cleanup.push(() => pool.close());
    const down = new Promise<Error | undefined>((resolve) => pool.once('nodeDown', (_n, e) => resolve(e)));
    expect(await down).toBeInstanceOf(Error);
    expect(pool.node('late').health()).toMatchObject({ state: 'down', connected: false });
    await expect(pool.originate({ dialString: 'user/1000', app: 'park' })).rejects.toBeInstanceOf(EslNoNodeError);
    await a!.start();
    // The node retries on its own (1 s, then doubling): it logs in once FreeSWITCH is back.
    await until(() => pool.node('late').isReady, 14_000);
    expect(pool.connectedNodes).toBe(1);
  });
});

describe('EslPool: originate limits (p-queue)', () => {
  it('starts at most sps originates per rolling second on a node; fail-fast refuses the rest, typed, sending nothing', async () => {
    const [a] = await simulators('fs-a');
    const pool = await poolOver([a!], { sps: 2 });
    const originate = (): Promise<unknown> => pool.originate({ dialString: 'user/1000', app: 'park', onLimit: 'fail' });
    const results = await Promise.allSettled([originate(), originate(), originate(), originate()]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    const error = (results[2] as PromiseRejectedResult).reason as OriginateRateLimitError;
    expect(error).toBeInstanceOf(OriginateRateLimitError);
    expect([error.code, error.node, error.limit]).toEqual(['ORIGINATE_RATE_LIMITED', 'fs-a', 'sps']);
    expect(a!.commands.filter((c) => c.line.startsWith('bgapi originate'))).toHaveLength(2);
  });

  it('waits for room by default: the third of sps=2 goes out a second after the first', async () => {
    const [a] = await simulators('fs-a');
    const pool = await poolOver([a!], { sps: 2 });
    const sentAt: number[] = [];
    a!.on('command', (c) => c.line.startsWith('bgapi originate') && sentAt.push(performance.now()));
    const all = await Promise.all([1, 2, 3].map(() => pool.originate({ dialString: 'user/1000', app: 'park' })));
    expect(all).toHaveLength(3);
    expect(sentAt).toHaveLength(3);
    expect(sentAt[1]! - sentAt[0]!).toBeLessThan(900);
    expect(sentAt[2]! - sentAt[0]!).toBeGreaterThanOrEqual(950);
  });

  it('caps originates in flight per node (maxConcurrent), per node and not across nodes', async () => {
    const [a, b] = await simulators('fs-a', 'fs-b');
    const pool = await poolOver([a!, b!], { maxConcurrent: 1 });
    // FreeSWITCH takes 300 ms to accept each originate on node a.
    a!.onCommand((c) => (c.line.startsWith('bgapi originate') ? { delayMs: 300 } : undefined));
    const first = pool.originate({ dialString: 'user/1000', app: 'park', node: 'fs-a' });
    const second = pool.originate({ dialString: 'user/1000', app: 'park', node: 'fs-a', onLimit: 'fail' });
    await expect(second).rejects.toMatchObject({ limit: 'concurrency', node: 'fs-a' });
    expect((await pool.originate({ dialString: 'user/1000', app: 'park', node: 'fs-b', onLimit: 'fail' })).node).toBe('fs-b');
    await first;
    expect((await pool.originate({ dialString: 'user/1000', app: 'park', node: 'fs-a', onLimit: 'fail' })).node).toBe('fs-a');
  });

  it('rejects originates still waiting when the pool closes (never sent)', async () => {
    const [a] = await simulators('fs-a');
    const pool = await poolOver([a!], { sps: 1 });
    await pool.originate({ dialString: 'user/1000', app: 'park' });
    const waiting = expect(pool.originate({ dialString: 'user/1000', app: 'park' })).rejects.toThrow(/closed before the originate was sent/);
    await pool.close();
    await waiting;
    expect(a!.commands.filter((c) => c.line.startsWith('bgapi originate'))).toHaveLength(1);
  });
});

describe('EslNode', () => {
  it('is an AsyncESLClient kept connected, with a name', async () => {
    const [a] = await simulators('fs-a');
    const node = new EslNode({ name: 'n', port: a!.port });
    cleanup.push(() => node.close());
    await node.ready();
    expect((await node.client.api('hostname')).text).toBe('fs-a');
    expect(node.address).toBe(`127.0.0.1:${a!.port}`);
  });
});

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
