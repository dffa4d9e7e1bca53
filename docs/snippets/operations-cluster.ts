import cluster from 'node:cluster';
import { execFile } from 'node:child_process';
import { OutboundCluster, createOutboundServer, serveClusterWorker, shutdownOnSignals } from 'freeswitch-voice-ai';

if (cluster.isPrimary) {
  const workers = new OutboundCluster({
    workers: 2,                                              // default: one per core
    execArgv: ['--single-threaded-gc', '--max-semi-space-size=2'], // pinned to one core below
    shutdown: { deadlineMs: 60_000, transferTo: 'operator' },
  });
  // Pin worker i (every thread: -a) to core i (Linux); with its GC on its own thread it keeps its core.
  workers.on('listening', (w) => execFile('taskset', ['-apc', String(w.index), String(w.pid)], () => {}));
  workers.on('exit', (w, { code, signal }) => console.log(`worker ${w.index} died (${signal ?? code}): restarting`));
  const { port } = await workers.start();
  console.log(`${workers.workers.length} workers on port ${port}`);
  shutdownOnSignals([workers]);                              // SIGTERM: every worker hands its calls back
} else {
  const server = createOutboundServer({}, async (call) => {
    await call.answer();
    await call.playback('ivr/ivr-welcome.wav');
    await call.hangup();
  });
  await serveClusterWorker(server);                          // listens on the shared port, obeys the primary
}
