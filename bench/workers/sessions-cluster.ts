/**
 * The SDK side of `bench/sessions.ts` with SESSIONS_WORKERS: an `OutboundCluster` primary whose
 * workers each run `sessions-sdk.ts` (worker i pinned to core i with `taskset` when asked),
 * behind one outbound port. The orchestrator's requests go to every worker; their answers are
 * merged: counts added, the window reported per worker and as the worst worker (each must meet
 * the per-core target on its own core).
 */
import { execFileSync } from 'node:child_process';
import cluster, { type Worker } from 'node:cluster';
import { OutboundCluster } from '../../src/process/outbound-cluster.js';
import { type Request, serveRequests } from './sessions-protocol.js';

let workers: OutboundCluster;
let ids = 0;

/** Sends a request to every worker and resolves with their answers, in worker order. */
function all<T>(request: Omit<Request, 'id'>, perWorker?: (index: number) => Record<string, unknown>): Promise<T[]> {
  const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  return Promise.all(
    live.map(
      (worker, index) =>
        new Promise<T>((resolve, reject) => {
          const id = ++ids;
          const onMessage = (m: { id?: number; result?: unknown; error?: string }): void => {
            if (m.id !== id) return;
            worker.off('message', onMessage);
            if (m.error !== undefined) reject(new Error(m.error));
            else resolve(m.result as T);
          };
          worker.on('message', onMessage);
          worker.send({ ...request, ...perWorker?.(index), id });
        }),
    ),
  );
}

type Window = Record<string, unknown> & { sample: Record<string, number>; clock: Record<string, number>; sessions: number; rssPerSession: number; heapPerSession: number };

serveRequests({
  async listen(r) {
    const setup = r.setup as { n: number; fsPortMin: number; workers: number; pin: boolean; execArgv: string[] };
    workers = new OutboundCluster({
      workers: setup.workers,
      exec: new URL('./sessions-sdk.ts', import.meta.url),
      execArgv: ['--import', 'tsx', ...setup.execArgv],
      rtp: { portMin: 40000, portMax: 40000 + setup.workers * 10 - 1 },
    });
    if (setup.pin) workers.on('listening', (w) => void execFileSync('taskset', ['-apc', String(w.index), String(w.pid)], { stdio: 'ignore' }));
    // Workers listen once they are set up: start the cluster and set every worker up at once.
    const started = workers.start();
    await new Promise<void>((resolve) => {
      let ready = 0;
      const onMessage = (_w: Worker, m: { childReady?: boolean }): void => {
        if (!m.childReady || ++ready < setup.workers) return;
        cluster.off('message', onMessage);
        resolve();
      };
      cluster.on('message', onMessage);
    });
    const per = Math.ceil(setup.n / setup.workers);
    await all({ cmd: 'listen' }, (i) => ({ setup: { ...(r.setup as object), n: per, fsPortMin: setup.fsPortMin + i * (per + 100) } }));
    const { port } = await started;
    return { port };
  },
  async sessions() {
    return (await all<number>({ cmd: 'sessions' })).reduce((a, b) => a + b, 0);
  },
  async startWindow(r) {
    await all({ cmd: 'startWindow', profile: r.profile });
  },
  async stopWindow(r) {
    const ws = await all<Window>({ cmd: 'stopWindow', profile: r.profile });
    const worst = (f: (w: Window) => number): number => Math.max(...ws.map(f));
    const sum = (f: (w: Window) => number): number => ws.reduce((a, w) => a + f(w), 0);
    const sessions = sum((w) => w.sessions);
    const clock = Object.fromEntries(Object.keys(ws[0]!.clock).map((k) => [k, /framesTimed|lateFrames|ticks/i.test(k) ? sum((w) => w.clock[k]!) : worst((w) => w.clock[k]!)]));
    const jitter = Object.fromEntries(Object.keys(ws[0]!.jitter as object).map((k) => [k, sum((w) => (w.jitter as Record<string, number>)[k]!)]));
    return {
      ...ws[0],
      sample: Object.fromEntries(Object.keys(ws[0]!.sample).map((k) => [k, worst((w) => w.sample[k]!)])),
      clock,
      jitter,
      sessions,
      messagesPerSecond: sum((w) => w.messagesPerSecond as number),
      rssPerSession: sum((w) => w.rssPerSession * w.sessions) / Math.max(1, sessions),
      heapPerSession: sum((w) => w.heapPerSession * w.sessions) / Math.max(1, sessions),
      kernelDrops: sum((w) => w.kernelDrops as number),
      warnings: sum((w) => w.warnings as number),
      workers: ws.map((w) => ({ cpu: w.sample.cpu, main: w.sample.main, sessions: w.sessions, p99FrameLatenessMs: w.clock.p99FrameLatenessMs, maxFrameLatenessMs: w.clock.maxFrameLatenessMs })),
    };
  },
  async counts() {
    const parts = await all<{ calls: unknown[] }>({ cmd: 'counts' });
    return { calls: parts.flatMap((p) => p.calls) };
  },
  async kernel() {
    const parts = await all<{ drops: number } | null>({ cmd: 'kernel' });
    return { drops: parts.reduce((a, p) => a + (p?.drops ?? 0), 0) };
  },
});
