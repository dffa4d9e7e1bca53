/**
 * One process per core behind one outbound port: a `node:cluster` primary that starts the
 * workers, gives each its own slice of `RTP_PORT_MIN..RTP_PORT_MAX`, restarts a worker that
 * dies, and shuts them all down gracefully.
 *
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { EventEmitter } from 'eventemitter3';
import { getDefaultConfig } from '../config/defaults.js';
import { ClusterWorkerError, ConfigError } from '../errors.js';
import type { OutboundShutdownOptions, OutboundShutdownReport } from '../esl/outbound-shutdown.js';
import { type Logger, silentLogger } from '../logger.js';
import {
  type PrimaryMessage,
  WORKER_COUNT_ENV,
  WORKER_INDEX_ENV,
  WORKER_SHUTDOWN_ENV,
  type WireShutdownOptions,
  type WorkerMessage,
  isVoiceAiMessage,
  portSlice,
} from './cluster-protocol.js';

/** Options of {@link OutboundCluster}. */
export interface OutboundClusterOptions {
  /** Worker processes. Default: `os.availableParallelism()` (one per core). */
  workers?: number;
  /**
   * The program each worker runs (it calls {@link serveClusterWorker}). Default: this process's
   * own main script, the usual `if (cluster.isPrimary) ... else ...` program.
   */
  exec?: string | URL;
  /**
   * Node flags of the workers. Default: this process's. For a worker pinned to one core add
   * `--single-threaded-gc --max-semi-space-size=2` (see docs/operations.md).
   */
  execArgv?: readonly string[];
  /** Arguments after the script. */
  args?: readonly string[];
  /** Extra environment of every worker (on top of this process's). */
  env?: Readonly<Record<string, string>>;
  /**
   * The UDP port range to slice among the workers (each gets `RTP_PORT_MIN`/`RTP_PORT_MAX` of
   * its own slice in its environment). Default: `getDefaultConfig().rtp` (`RTP_*`).
   */
  rtp?: { portMin: number; portMax: number };
  /** How workers shut down on their own SIGTERM or when the primary dies. Default `{}` (30 s, then the dialplan after `socket`). */
  shutdown?: Omit<OutboundShutdownOptions, 'signal'>;
  /** Ms before a dead worker is started again; doubles (to 30 s) while it keeps dying within a minute. Default 1000. */
  restartDelayMs?: number;
  /** Ms a worker has to report that it listens. Default 30 000. */
  startTimeoutMs?: number;
  /** A pino-compatible logger. Default: `defaultLogger`. */
  logger?: Logger;
}

/** One worker slot of an {@link OutboundCluster}. */
export interface ClusterWorkerState {
  /** The slot, 0-based: a restarted worker keeps it, and its port slice. */
  readonly index: number;
  /** Its `RTP_PORT_MIN..RTP_PORT_MAX`. */
  readonly ports: { min: number; max: number };
  /** The live process's pid, if any. */
  pid: number | undefined;
  /** Where the worker stands. */
  state: 'starting' | 'listening' | 'exited' | 'stopped';
  /** Times it was started again after dying. */
  restarts: number;
  /** Calls in progress and handled, as the worker last reported. */
  activeCalls: number;
  /** Calls handled since it started. */
  totalCalls: number;
}

/** Events of {@link OutboundCluster}. */
export interface OutboundClusterEvents {
  /** A worker listens (at start, and again after a restart). */
  listening: [worker: ClusterWorkerState, address: AddressInfo];
  /** A worker died (its calls went back to FreeSWITCH's dialplan); it will be restarted unless shutting down. */
  exit: [worker: ClusterWorkerState, info: { code: number | null; signal: string | null }];
  /** A dead worker is being started again. */
  restart: [worker: ClusterWorkerState];
  /** A worker reported its call counts. */
  calls: [worker: ClusterWorkerState];
}

interface Slot extends ClusterWorkerState {
  worker: Worker | undefined;
  startedAt: number;
  recentDeaths: number;
  timer: NodeJS.Timeout | undefined;
  report: OutboundShutdownReport | undefined;
}

/**
 * The primary of a cluster of outbound servers: `workers` processes (default one per core)
 * listen on one port — the primary spreads FreeSWITCH's connections over them round-robin —
 * each with its own media clock and its own slice of `RTP_PORT_MIN..RTP_PORT_MAX` (or its own
 * shared socket on its slice's first port, with `RTP_SHARED_SOCKET=true`). A worker that dies
 * loses only its own calls (FreeSWITCH continues their dialplan after `socket`) and is started
 * again with the same slice.
 *
 * ```ts
 * import cluster from 'node:cluster';
 * if (cluster.isPrimary) {
 *   const workers = new OutboundCluster({ workers: 4, shutdown: { deadlineMs: 60_000, transferTo: 'operator' } });
 *   await workers.start();
 *   shutdownOnSignals([workers]);
 * } else {
 *   await serveClusterWorker(createOutboundServer({}, handler));
 * }
 * ```
 */
export class OutboundCluster extends EventEmitter<OutboundClusterEvents> {
  private readonly slots: Slot[] = [];
  private readonly logger: Logger;
  private readonly restartDelayMs: number;
  private started: Promise<AddressInfo> | undefined;
  private stopping: Promise<OutboundShutdownReport> | undefined;
  private address: AddressInfo | undefined;

  constructor(private readonly options: OutboundClusterOptions = {}) {
    super();
    this.logger = options.logger ?? silentLogger;
    this.restartDelayMs = options.restartDelayMs ?? 1000;
    const count = options.workers ?? availableParallelism();
    if (!(Number.isInteger(count) && count >= 1)) throw new ConfigError(`workers must be a positive integer, not ${count}`, 'workers', String(count));
    const rtp = options.rtp ?? getDefaultConfig().rtp;
    for (let index = 0; index < count; index++) {
      this.slots.push({
        index,
        ports: portSlice(rtp.portMin, rtp.portMax, count, index),
        pid: undefined,
        state: 'starting',
        restarts: 0,
        activeCalls: 0,
        totalCalls: 0,
        worker: undefined,
        startedAt: 0,
        recentDeaths: 0,
        timer: undefined,
        report: undefined,
      });
    }
  }

  /** The worker slots. */
  get workers(): readonly ClusterWorkerState[] {
    return this.slots;
  }

  /** Calls in progress over every worker, as they last reported. */
  get activeCalls(): number {
    return this.slots.reduce((n, s) => n + s.activeCalls, 0);
  }

  /**
   * Starts every worker; resolves with the shared outbound address once all of them listen.
   * Rejects with {@link ClusterWorkerError} (and stops the others) when one exits first.
   */
  start(): Promise<AddressInfo> {
    if (!cluster.isPrimary) return Promise.reject(new ConfigError('OutboundCluster.start() runs in the primary process only', 'cluster'));
    this.started ??= this.launch();
    return this.started;
  }

  private async launch(): Promise<AddressInfo> {
    const exec = this.options.exec;
    cluster.setupPrimary({
      ...(exec !== undefined && { exec: exec instanceof URL ? fileURLToPath(exec) : exec }),
      ...(this.options.execArgv && { execArgv: [...this.options.execArgv] }),
      ...(this.options.args && { args: [...this.options.args] }),
    });
    const ready = this.slots.map((slot) => this.fork(slot));
    try {
      const addresses = await Promise.all(ready);
      this.address = addresses[0];
      this.logger.info({ workers: this.slots.length, port: this.address?.port }, 'outbound cluster listening');
      return this.address!;
    } catch (error) {
      await this.shutdown({ deadlineMs: 0 }).catch(() => {});
      throw error;
    }
  }

  /** Forks the worker of `slot`; resolves when it listens, rejects if it exits (or stays silent) first. */
  private fork(slot: Slot): Promise<AddressInfo> {
    slot.state = 'starting';
    slot.startedAt = Date.now();
    slot.report = undefined;
    const worker = cluster.fork({
      ...this.options.env,
      RTP_PORT_MIN: String(slot.ports.min),
      RTP_PORT_MAX: String(slot.ports.max),
      [WORKER_INDEX_ENV]: String(slot.index),
      [WORKER_COUNT_ENV]: String(this.slots.length),
      [WORKER_SHUTDOWN_ENV]: JSON.stringify(this.options.shutdown ?? {}),
    });
    slot.worker = worker;
    slot.pid = worker.process.pid;
    return new Promise<AddressInfo>((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.process.kill('SIGKILL');
        reject(new ClusterWorkerError(slot.index, 'no listening report in time'));
      }, this.options.startTimeoutMs ?? 30_000);
      timer.unref();
      worker.on('message', (message: unknown) => {
        if (!isVoiceAiMessage<WorkerMessage>(message)) return;
        if (message.voiceAi === 'listening') {
          clearTimeout(timer);
          slot.state = 'listening';
          slot.activeCalls = 0;
          this.logger.info({ worker: slot.index, pid: slot.pid, port: message.address.port }, 'cluster worker listening');
          this.emit('listening', slot, message.address);
          resolve(message.address);
        } else if (message.voiceAi === 'calls') {
          slot.activeCalls = message.active;
          slot.totalCalls = message.total;
          this.emit('calls', slot);
        } else if (message.voiceAi === 'shutdown-report') {
          slot.report = message.report;
        }
      });
      worker.once('exit', (code, signal) => {
        clearTimeout(timer);
        const wasListening = slot.state === 'listening';
        if (slot.worker === worker) slot.worker = undefined;
        slot.pid = undefined;
        slot.activeCalls = 0;
        if (this.stopping) {
          slot.state = 'stopped';
          return;
        }
        slot.state = 'exited';
        this.logger.warn({ worker: slot.index, code, signal }, 'cluster worker died: its calls went back to the dialplan; restarting it');
        this.emit('exit', slot, { code, signal });
        if (!wasListening) {
          reject(new ClusterWorkerError(slot.index, signal ?? code));
          // A worker that dies before listening during start() fails the start; later on it is retried.
          if (this.address === undefined) return;
        }
        this.scheduleRestart(slot);
      });
    });
  }

  private scheduleRestart(slot: Slot): void {
    // A worker that keeps dying soon after its start waits longer each time (no restart storm).
    slot.recentDeaths = Date.now() - slot.startedAt < 60_000 ? slot.recentDeaths + 1 : 0;
    const delay = Math.min(30_000, this.restartDelayMs * 2 ** Math.max(0, slot.recentDeaths - 1));
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (this.stopping) return;
      slot.restarts++;
      this.emit('restart', slot);
      this.fork(slot).catch((error: Error) => this.logger.error({ worker: slot.index, err: error.message }, 'cluster worker failed to restart'));
    }, delay);
  }

  /**
   * Graceful shutdown of every worker ({@link OutboundServer.shutdown} in each: stop accepting,
   * let calls finish until `deadlineMs`, hand the rest back to the dialplan), no restarts;
   * resolves with the workers' reports added up once all have exited. Aborting `signal` moves
   * the deadline to now.
   */
  shutdown(options: OutboundShutdownOptions = {}): Promise<OutboundShutdownReport> {
    this.stopping ??= this.stopAll(options);
    return this.stopping;
  }

  private async stopAll(options: OutboundShutdownOptions): Promise<OutboundShutdownReport> {
    const { signal, ...wire } = options;
    const merged: WireShutdownOptions = { ...this.options.shutdown, ...wire };
    for (const slot of this.slots) {
      clearTimeout(slot.timer);
      slot.timer = undefined;
    }
    const live = this.slots.filter((s) => s.worker !== undefined);
    const tell = (message: PrimaryMessage): void => {
      for (const slot of live) if (slot.worker?.isConnected()) slot.worker.send(message);
    };
    const onAbort = (): void => tell({ voiceAi: 'shutdown', options: merged, hurry: true });
    signal?.addEventListener('abort', onAbort, { once: true });
    const exited = live.map((slot) => new Promise<void>((resolve) => (slot.worker ? slot.worker.once('exit', () => resolve()) : resolve())));
    tell({ voiceAi: 'shutdown', options: merged, hurry: signal?.aborted });
    // A worker that does not finish long after its deadline is killed (its calls still go back to the dialplan).
    const limit = (merged.deadlineMs ?? 30_000) + (merged.closeTimeoutMs ?? 5000) + 10_000;
    const killer = setTimeout(() => {
      for (const slot of live) slot.worker?.process.kill('SIGKILL');
    }, limit);
    killer.unref();
    await Promise.all(exited);
    clearTimeout(killer);
    signal?.removeEventListener('abort', onAbort);
    const total: OutboundShutdownReport = { finished: 0, transferred: 0, released: 0, transferFailures: 0 };
    for (const slot of this.slots) {
      slot.state = 'stopped';
      for (const k of Object.keys(total) as (keyof OutboundShutdownReport)[]) total[k] += slot.report?.[k] ?? 0;
    }
    this.logger.info(total, 'outbound cluster shut down');
    return total;
  }
}
