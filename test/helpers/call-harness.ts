import { afterEach, beforeEach } from 'vitest';
import { type OutboundServer, createOutboundServer } from '../../src/esl/outbound-server.js';
import { PortAllocator } from '../../src/media/port-allocator.js';
import { FreeSwitchSimulator } from '../../src/testing/index.js';
import { freeUdpRange } from './udp.js';

/** A simulator, an outbound server on it and a small UDP port range, fresh for each test. */
export interface CallHarness {
  sim: FreeSwitchSimulator;
  server: OutboundServer;
  ports: PortAllocator;
}

/** Registers the hooks that build and tear down a {@link CallHarness} around every test. */
export function useCallHarness(): CallHarness {
  const h = {} as CallHarness;
  beforeEach(async () => {
    h.sim = new FreeSwitchSimulator();
    await h.sim.start();
    h.server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 10 });
    await h.server.listen();
    const min = await freeUdpRange(8);
    h.ports = new PortAllocator({ min, max: min + 3, bindAddress: '127.0.0.1' });
  });
  afterEach(async () => {
    await h.server.close();
    await h.sim.stop();
  });
  return h;
}
