import { afterEach, beforeEach } from 'vitest';
import { type OutboundServer, createOutboundServer } from '../../src/esl/outbound-server.js';
import { WebSocketMediaServer } from '../../src/media/ws-media-server.js';
import { FreeSwitchSimulator, SimulatedAudioStreamModules, type SimulatedAudioStreamOptions } from '../../src/testing/index.js';

/** A simulator with the audio-stream modules loaded, an outbound server and a WebSocket media server, fresh for each test. */
export interface WsHarness {
  sim: FreeSwitchSimulator;
  modules: SimulatedAudioStreamModules;
  server: OutboundServer;
  media: WebSocketMediaServer;
}

/** Registers the hooks that build and tear down a {@link WsHarness} around every test. */
export function useWsHarness(options: SimulatedAudioStreamOptions & { bindTimeoutMs?: number } = {}): WsHarness {
  const h = {} as WsHarness;
  beforeEach(async () => {
    h.modules = new SimulatedAudioStreamModules(options);
    h.sim = new FreeSwitchSimulator({ api: h.modules.api, playback: h.modules.playback() });
    h.modules.attach(h.sim);
    await h.sim.start();
    h.server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 10 });
    await h.server.listen();
    h.media = new WebSocketMediaServer({ host: '127.0.0.1', port: 0, bindTimeoutMs: options.bindTimeoutMs ?? 2000 });
    await h.media.listen();
  });
  afterEach(async () => {
    h.modules.cleanup();
    await h.media.close();
    await h.server.close();
    await h.sim.stop();
  });
  return h;
}
