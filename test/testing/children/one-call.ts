/**
 * A child process for the simulator's shutdown tests. `SCENARIO=call` (default): one full call
 * through the simulator — an inbound client, a caller handed to an outbound server that answers,
 * plays, starts `unicast` audio and hangs up (the SDK closes the lingering socket first) — then
 * `stop()`. `SCENARIO=dialing`: `stop()` while the `socket` application is still connecting.
 *
 * It prints one JSON line per step on stdout, the last `{"step":"stopped","before":[],"after":[]}`
 * once everything is closed: the active resources before the simulator existed and after it
 * stopped. Nothing should keep the process alive after that line.
 */
import { createServer } from 'node:net';
import { AsyncESLClient } from '../../../src/esl/client.js';
import { createOutboundServer } from '../../../src/esl/outbound-server.js';
import { startCallMedia } from '../../../src/media/call-media.js';
import { PortAllocator } from '../../../src/media/port-allocator.js';
import { FreeSwitchSimulator } from '../../../src/testing/index.js';

const say = (step: string, extra: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ step, ...extra })}\n`);
};

/** Active handles and requests by type (what keeps the event loop alive), stdio left out. */
const resources = (): string[] => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap').sort();

async function fullCall(simulator: FreeSwitchSimulator): Promise<void> {
  const { host, port } = await simulator.start();
  const client = new AsyncESLClient({ host, port, password: 'child-only', maxReconnectAttempts: 0 });
  await client.connect();
  await client.subscribe(['CHANNEL_HANGUP_COMPLETE']);
  const mediaPort = Number(process.env.MEDIA_PORT);
  const ports = new PortAllocator({ min: mediaPort, max: mediaPort + 1, bindAddress: '127.0.0.1' });
  const server = createOutboundServer({ host: '127.0.0.1', port: 0 }, async (call) => {
    await call.answer();
    await call.playback('silence_stream://20');
    const media = await startCallMedia(call, { ports, freeswitchPort: (p) => p + 1 });
    await new Promise<void>((resolve) => media.bridge.once('audio', () => resolve()));
    await call.hangup('NORMAL_CLEARING');
  });
  const { port: serverPort } = await server.listen();
  const ended = new Promise<void>((resolve) => server.once('call', (call) => call.once('end', () => resolve())));
  const hungUp = client.waitForEvent({ names: 'CHANNEL_HANGUP_COMPLETE', timeout: 10_000 });
  simulator.callSocket({ port: serverPort }, { codec: 'PCMU' });
  await hungUp;
  await ended;
  say('call-ended');
  await server.close();
  await client.close();
  await simulator.stop();
}

async function stopWhileDialing(simulator: FreeSwitchSimulator): Promise<void> {
  await simulator.start();
  const app = createServer((socket) => socket.on('error', () => {}));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const { port } = app.address() as { port: number };
  simulator.callSocket({ port });
  await simulator.stop();
  await new Promise<void>((resolve) => app.close(() => resolve()));
}

const before = resources();
const simulator = new FreeSwitchSimulator({ password: 'child-only' });
await (process.env.SCENARIO === 'dialing' ? stopWhileDialing(simulator) : fullCall(simulator));
// Handles closed during stop() are released in the loop's close phase: look after it.
setImmediate(() => setImmediate(() => say('stopped', { before, after: resources() })));
