/**
 * A worker of `bench/load.ts`: an outbound server whose handler starts the call's audio (on the
 * worker's shared socket, `RTP_SHARED_SOCKET=true`), holds the call `LOAD_HOLD_MS`, records
 * what it saw in channel variables, and hangs up.
 */
// From the package's entry point, as a user's worker imports it: it wires the media defaults
// to this worker's environment (its `RTP_PORT_MIN..RTP_PORT_MAX` slice, `RTP_SHARED_SOCKET`).
import { type Logger, clusterWorkerInfo, createOutboundServer, serveClusterWorker, startCallMedia } from '../../src/index.js';

const hold = Number(process.env.LOAD_HOLD_MS ?? 5000);
const worker = String(clusterWorkerInfo()?.index ?? 0);

const noop = (): void => {};
const logger: Logger = { debug: noop, info: noop, warn: noop, error: (o: object | string, m?: string) => console.error(`load worker ${worker}:`, m ?? '', o) };

const server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 10_000, logger }, async (call) => {
  await call.setVariable('load_worker', worker);
  // Whatever the call's codec (the simulator's originated legs are L16): 8 kHz PCM both ways.
  const media = await startCallMedia(call);
  let frames = 0;
  media.bridge.on('audio', () => frames++);
  // The answer: one second of audio, paced out by the bridge.
  media.bridge.write(new Uint8Array(16_000));
  media.bridge.endOfAnswer();
  const timer = new Promise((resolve) => setTimeout(resolve, hold));
  const ended = await Promise.race([timer.then(() => false), call.ended().then(() => true)]);
  if (ended) return; // the caller left first: the load test counts it as lost
  await call.setVariable('load_frames_in', String(frames));
  await call.setVariable('load_frames_out', String(media.bridge.stats().framesSent));
  await call.hangup('NORMAL_CLEARING');
});
await serveClusterWorker(server);
