/**
 * Load on loopback, end to end: several simulated FreeSWITCH nodes, an `EslPool` originating
 * calls over them at a steady rate (within each node's `sps`), an `OutboundCluster` of worker
 * processes taking the calls (`socket` in the nodes' dialplan) with their audio on each worker's
 * shared socket, each call held a while and hung up by its worker. Reports calls/s, the calls
 * held at once, and what was lost: every originated call must reach a worker, carry audio both
 * ways and end with the worker's hangup.
 *
 * Run alone: `node --import tsx bench/load.ts`; sizes from LOAD_NODES (2), LOAD_WORKERS (2),
 * LOAD_RATE calls/s (20), LOAD_HOLD_MS (3000), LOAD_DURATION_MS (5000). Take numbers on a quiet
 * machine: the simulators, the pool and the workers share its cores.
 */
import { EslPool } from '../src/esl/esl-pool.js';
import { OutboundCluster } from '../src/process/outbound-cluster.js';
import { FreeSwitchSimulator, defaultDialplan } from '../src/testing/index.js';
import { freeShiftedRange } from '../test/helpers/udp.js';
import { runIfMain } from './fixtures.js';

/** What to run. */
export interface LoadOptions {
  nodes: number;
  workers: number;
  /** Calls originated per second, over all nodes. */
  rate: number;
  /** Ms each call is held by its worker. */
  holdMs: number;
  /** Ms of originating. */
  durationMs: number;
  /** First of the UDP ports sliced among the workers (their shared sockets; FreeSWITCH's are +1000). Default: a free range. */
  portMin?: number;
}

/** What happened. */
export interface LoadReport {
  originated: number;
  /** Originates FreeSWITCH refused or that failed. */
  originateFailures: number;
  /** Calls that reached a worker. */
  handled: number;
  /** Calls that ended with their worker's hangup after the hold, audio seen both ways. */
  completed: number;
  /** Originated calls that did not complete. */
  lost: number;
  /** Calls per second actually originated. */
  callsPerSecond: number;
  /** Most calls up at once. */
  peakConcurrent: number;
  /** Calls by node and by worker. */
  byNode: Record<string, number>;
  byWorker: Record<string, number>;
  /** Caller frames the workers received / frames they sent, per completed call (median). */
  framesInPerCall: number;
  framesOutPerCall: number;
  workerRestarts: number;
}

const LOAD_EXTENSION = '9000';

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const portMin = options.portMin ?? (await freeShiftedRange(Math.max(options.workers * 4, Math.ceil(options.rate * (options.holdMs / 1000) * 2) + options.workers)));
  const portMax = portMin + Math.max(options.workers * 4, Math.ceil(options.rate * (options.holdMs / 1000) * 2) + options.workers) - 1;
  const cluster = new OutboundCluster({
    workers: options.workers,
    exec: new URL('./workers/load-worker.ts', import.meta.url),
    execArgv: ['--import', 'tsx'],
    rtp: { portMin, portMax },
    env: { RTP_SHARED_SOCKET: 'true', RTP_BIND_ADDRESS: '127.0.0.1', LOAD_HOLD_MS: String(options.holdMs) },
  });
  const { port } = await cluster.start();
  const sims: FreeSwitchSimulator[] = [];
  for (let i = 0; i < options.nodes; i++) {
    const sim = new FreeSwitchSimulator({
      hostname: `fs-${i}`,
      // Extension 9000 answers and hands the call to the cluster, as `socket` does.
      dialplan: (call) =>
        call.destination === LOAD_EXTENSION
          ? [{ app: 'answer' }, { app: 'socket', data: `127.0.0.1:${port} async full` }]
          : defaultDialplan(call),
    });
    await sim.start();
    sims.push(sim);
  }
  const pool = new EslPool({
    defaults: { host: '127.0.0.1', port: sims[0]!.port, password: 'ClueCon' },
    nodes: sims.map((s, i) => ({ name: `fs-${i}`, port: s.port })),
  });
  await Promise.all(pool.nodes.map((n) => n.ready()));
  await pool.subscribe(['CHANNEL_HANGUP_COMPLETE']);

  const up = new Set<string>();
  const report: LoadReport = {
    originated: 0, originateFailures: 0, handled: 0, completed: 0, lost: 0, callsPerSecond: 0, peakConcurrent: 0,
    byNode: {}, byWorker: {}, framesInPerCall: 0, framesOutPerCall: 0, workerRestarts: 0,
  };
  const framesIn: number[] = [];
  const framesOut: number[] = [];
  const ended = new Set<string>();
  let allEnded: (() => void) | undefined;
  pool.on('event', (event, node) => {
    const uuid = event.uuid;
    if (event.name !== 'CHANNEL_HANGUP_COMPLETE' || uuid === undefined || !up.delete(uuid)) return;
    ended.add(uuid);
    const worker = event.get('variable_load_worker');
    if (worker !== undefined) {
      report.handled++;
      report.byWorker[worker] = (report.byWorker[worker] ?? 0) + 1;
    }
    const fin = Number(event.get('variable_load_frames_in'));
    const fout = Number(event.get('variable_load_frames_out'));
    if (event.hangupCause === 'NORMAL_CLEARING' && fin > 0 && fout > 0) {
      report.completed++;
      framesIn.push(fin);
      framesOut.push(fout);
    }
    report.byNode[node.name] = (report.byNode[node.name] ?? 0) + 1;
    if (up.size === 0) allEnded?.();
  });
  cluster.on('restart', () => report.workerRestarts++);

  const started = performance.now();
  const total = Math.round((options.rate * options.durationMs) / 1000);
  const originates: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    originates.push(
      pool.originate({ dialString: 'user/load', extension: LOAD_EXTENSION, dialplan: 'XML', context: 'default' }).then(
        ({ uuid }) => {
          report.originated++;
          if (!ended.has(uuid)) up.add(uuid);
          report.peakConcurrent = Math.max(report.peakConcurrent, up.size);
        },
        () => void report.originateFailures++,
      ),
    );
  }
  await Promise.all(originates);
  report.callsPerSecond = report.originated / (Math.max(options.durationMs, performance.now() - started) / 1000);
  // Every call still up ends within its hold (plus slack); what does not is lost.
  if (up.size > 0) {
    await Promise.race([
      new Promise<void>((resolve) => (allEnded = resolve)),
      new Promise((r) => setTimeout(r, options.holdMs + 5000).unref()),
    ]);
  }
  report.lost = report.originated + report.originateFailures - report.completed;
  report.framesInPerCall = median(framesIn);
  report.framesOutPerCall = median(framesOut);

  await cluster.shutdown({ deadlineMs: 0 });
  await pool.close();
  await Promise.all(sims.map((s) => s.stop()));
  return report;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function run(): Promise<void> {
  const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
  const options: LoadOptions = {
    nodes: env('LOAD_NODES', 2),
    workers: env('LOAD_WORKERS', 2),
    rate: env('LOAD_RATE', 20),
    holdMs: env('LOAD_HOLD_MS', 3000),
    durationMs: env('LOAD_DURATION_MS', 5000),
  };
  process.stdout.write(`\nLoad on loopback: ${options.nodes} FreeSWITCH nodes (simulated), ${options.workers} workers, ${options.rate} calls/s for ${options.durationMs} ms, each held ${options.holdMs} ms\n`);
  const r = await runLoad(options);
  process.stdout.write(
    [
      `| originated | calls/s | peak concurrent | handled | completed | lost | by node | by worker | frames in / out per call | worker restarts |`,
      `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
      `| ${r.originated} (+${r.originateFailures} failed) | ${r.callsPerSecond.toFixed(1)} | ${r.peakConcurrent} | ${r.handled} | ${r.completed} | **${r.lost}** | ${JSON.stringify(r.byNode)} | ${JSON.stringify(r.byWorker)} | ${r.framesInPerCall} / ${r.framesOutPerCall} | ${r.workerRestarts} |`,
    ].join('\n') + '\n',
  );
}

runIfMain(import.meta.url, run);
