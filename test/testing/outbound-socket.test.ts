import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FreeSwitchSimulator, parseSocketTargets } from '../../src/testing/index.js';
import { RawEslClient } from './raw-esl.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("the socket application's data, as socket_function reads it", () => {
  it('hosts separated by |, the port after the last colon (8084 when none), a path after it, the flags in any case', () => {
    expect(parseSocketTargets('127.0.0.1:8022 async full')).toEqual([{ host: '127.0.0.1', port: 8022, async: true, full: true }]);
    expect(parseSocketTargets('10.0.0.1|10.0.0.2:9000/voice ASYNC')).toEqual([
      { host: '10.0.0.1', port: 8084, async: true, full: false },
      { host: '10.0.0.2', port: 9000, path: 'voice', async: true, full: false },
    ]);
    expect(parseSocketTargets('[::1]:8022 full')).toEqual([{ host: '[::1]', port: 8022, async: false, full: true }]);
    expect(parseSocketTargets('  ')).toEqual([]);
  });
});

describe('the socket application in the simulated switch', () => {
  it('tries the next host when one refuses, sets socket_host to the one it tries, parks only once connect is read', async () => {
    const refused = createServer();
    await new Promise<void>((resolve) => refused.listen(0, '127.0.0.1', resolve));
    const closedPort = (refused.address() as AddressInfo).port;
    await new Promise((resolve) => refused.close(resolve));
    const app = createServer();
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => app.close(resolve)));
    const port = (app.address() as AddressInfo).port;
    const sim = new FreeSwitchSimulator({
      dialplan: () => [{ app: 'answer' }, { app: 'socket', data: `127.0.0.2:${closedPort}|127.0.0.1:${port} async full` }],
    });
    await sim.start();
    cleanups.push(() => sim.stop());
    const parks: string[] = [];
    sim.on('event', (e) => {
      if (e.name === 'CHANNEL_PARK') parks.push(e.name);
    });
    const accepted = once(app, 'connection') as Promise<[Socket]>;
    const call = sim.placeCall({ destination: '8000' });
    const outbound = RawEslClient.wrap((await accepted)[0]);
    cleanups.push(() => outbound.destroy());
    expect(call.variables.get('socket_host')).toBe('127.0.0.1');
    expect(parks).toEqual([]);
    const reply = await outbound.command('connect\n\n');
    expect(reply.head).toContain('\nvariable_socket_host: 127.0.0.1\n');
    expect(parks).toEqual(['CHANNEL_PARK']);
    expect(call.currentApp).toMatchObject({ name: 'socket', parked: true });
  });

  it('with no host answering, the application ends at once and the dialplan goes on', async () => {
    const refused = createServer();
    await new Promise<void>((resolve) => refused.listen(0, '127.0.0.1', resolve));
    const closedPort = (refused.address() as AddressInfo).port;
    await new Promise((resolve) => refused.close(resolve));
    const sim = new FreeSwitchSimulator({
      dialplan: () => [{ app: 'answer' }, { app: 'socket', data: `127.0.0.1:${closedPort} async full` }, { app: 'set', data: 'after_socket=yes' }, { app: 'park' }],
    });
    await sim.start();
    cleanups.push(() => sim.stop());
    const parked = new Promise<void>((resolve) => sim.on('event', (e) => e.name === 'CHANNEL_PARK' && resolve()));
    const call = sim.placeCall({ destination: '8000' });
    await parked;
    expect([call.variables.get('after_socket'), call.currentApp?.name]).toEqual(['yes', 'park']);
  });
});
