import { afterEach, describe, expect, it } from 'vitest';
import { EslClientPool } from '../../src/config/client-pool.js';
import { EslConnectionError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup(reconnect: { maxReconnectAttempts: number }): Promise<{ sim: FreeSwitchSimulator; pool: EslClientPool; port: number }> {
  const sim = new FreeSwitchSimulator();
  const { port } = await sim.start();
  const pool = new EslClientPool({ defaults: { host: '127.0.0.1', port, password: 'ClueCon', reconnectDelay: 5, maxReconnectDelay: 10, ...reconnect }, logger: silentLogger });
  cleanup.push(() => sim.stop(), () => pool.close());
  return { sim, pool, port };
}

describe('EslClientPool: a client that lost FreeSWITCH', () => {
  it('one that gave up reconnecting is connected again on the next request: same client, subscriptions restored', async () => {
    const { sim, pool } = await setup({ maxReconnectAttempts: 1 });
    const client = await pool.getDefault();
    await client.subscribe(['CHANNEL_ANSWER']);
    const gaveUp = new Promise<Error>((resolve) => client.once('error', resolve));
    await sim.stop();
    expect(await gaveUp).toBeInstanceOf(EslConnectionError);
    expect(client.isConnected).toBe(false);
    await sim.start();
    const again = await pool.getDefault();
    expect(again).toBe(client);
    expect(again.isConnected).toBe(true);
    expect(sim.commands.map((c) => c.line).slice(-2)).toEqual(['auth ClueCon', 'event plain CHANNEL_ANSWER']);
    expect(pool.size).toBe(1);
  });

  it('a request while the client reconnects waits for the reconnect instead of handing out a dead client', async () => {
    const { sim, pool } = await setup({ maxReconnectAttempts: 50 });
    const client = await pool.getDefault();
    const reconnecting = new Promise<void>((resolve) => client.once('reconnecting', () => resolve()));
    await sim.stop();
    await reconnecting;
    // What the caller gets, looked at the moment it gets it.
    const waiting = pool.getDefault().then((c) => ({ client: c, connected: c.isConnected }));
    await sim.start();
    const again = await waiting;
    expect(again).toEqual({ client, connected: true });
    expect(sim.connections).toBe(1);
  });
});
