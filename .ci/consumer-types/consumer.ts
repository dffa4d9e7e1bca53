// A consumer of the packed tarball, type-checked by .ci/run with `strict` and `skipLibCheck: false`
// under every moduleResolution a user may have (node16, nodenext, bundler, node10), with and
// without the DOM lib, and no `types` list (TypeScript then loads every installed @types package).
// Copied as consumer.mts / consumer.cts / consumer.ts: ESM and CommonJS consumers alike.
import {
  AsyncESLClient,
  createOutboundServer,
  type EslEvent,
  type OutboundCall,
  type RtpBridgeStats,
  RealtimeSession,
  RtpBridge,
  ScriptedProvider,
  VoiceAiError,
} from 'freeswitch-voice-ai';
import { FreeSwitchSimulator, ManualClock, type SimulatedEvent } from 'freeswitch-voice-ai/testing';

export async function consumer(): Promise<number> {
  const clock = new ManualClock();
  const sim = new FreeSwitchSimulator({ clock, playback: { defaultMs: 3000 } });
  const { host, port } = await sim.start();
  sim.on('event', (event: SimulatedEvent) => event.name);
  const client = new AsyncESLClient({ host, port, password: 'ClueCon' });
  client.on('CHANNEL_ANSWER', (event: EslEvent) => event.uuid);
  const server = createOutboundServer({ host: '127.0.0.1', port: 0 }, async (call: OutboundCall) => {
    await call.answer();
    const session = new RealtimeSession({ call, provider: new ScriptedProvider({ greeting: 'Hello.' }), instructions: 'Be brief.' });
    await session.start();
  });
  const bridge = new RtpBridge({ framing: 'raw', codec: 'PCMU' });
  const stats: RtpBridgeStats = bridge.stats();
  try {
    await client.connect();
  } catch (error) {
    if (error instanceof VoiceAiError) return error.code.length;
  }
  clock.advance(3000);
  await server.close();
  await sim.stop();
  return stats.latchRejected;
}
