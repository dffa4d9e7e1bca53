/**
 * The worker side of an {@link OutboundCluster}: listen on the shared outbound port, tell the
 * primary, and shut down gracefully when the primary, a signal or the primary's death says so.
 *
 * @module
 */
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { OutboundServer } from '../esl/outbound-server.js';
import { type Logger, silentLogger } from '../logger.js';
import {
  type PrimaryMessage,
  WORKER_COUNT_ENV,
  WORKER_INDEX_ENV,
  WORKER_SHUTDOWN_ENV,
  type WireShutdownOptions,
  type WorkerMessage,
  isVoiceAiMessage,
} from './cluster-protocol.js';

/** Which worker this process is. */
export interface ClusterWorkerInfo {
  /** The slot, 0-based; the same after a restart. */
  index: number;
  /** How many workers the cluster has. */
  count: number;
}

/** This process's slot in an {@link OutboundCluster}, or `undefined` when it is not one of its workers. */
export function clusterWorkerInfo(): ClusterWorkerInfo | undefined {
  const index = Number(process.env[WORKER_INDEX_ENV]);
  const count = Number(process.env[WORKER_COUNT_ENV]);
  if (!cluster.isWorker || !Number.isInteger(index) || !Number.isInteger(count)) return undefined;
  return { index, count };
}

/** Options of {@link serveClusterWorker}. */
export interface ClusterWorkerOptions {
  /**
   * Shut down gracefully on SIGTERM / SIGINT (a process manager signals the whole process
   * group, workers included), with the cluster's `shutdown` options. Default `true`.
   */
  handleSignals?: boolean;
  /** A pino-compatible logger. Default: `defaultLogger`. */
  logger?: Logger;
}

/**
 * Runs `server` as a worker of an {@link OutboundCluster}: listens (all workers share the
 * cluster's port; the primary spreads connections over them), reports to the primary, and on the
 * primary's `shutdown`, a SIGTERM/SIGINT, or the primary's death runs `server.shutdown()` —
 * calls are handed back to the dialplan, never dropped — then exits. Outside a cluster it only
 * listens, so the same program runs with or without workers.
 *
 * ```ts
 * if (cluster.isPrimary) await new OutboundCluster({ workers: 4 }).start();
 * else await serveClusterWorker(createOutboundServer({}, handler));
 * ```
 */
export async function serveClusterWorker(server: OutboundServer, options: ClusterWorkerOptions = {}): Promise<AddressInfo> {
  const address = await server.listen();
  if (!cluster.isWorker || !process.send) return address;
  const logger = options.logger ?? silentLogger;
  const send = (message: WorkerMessage, then?: () => void): void => {
    if (process.connected) process.send!(message, undefined, {}, () => then?.());
    else then?.();
  };
  let total = 0;
  server.on('call', (call) => {
    total++;
    send({ voiceAi: 'calls', active: server.activeCalls.size, total });
    call.once('end', () => send({ voiceAi: 'calls', active: server.activeCalls.size, total }));
  });

  const hurry = new AbortController();
  let stopping = false;
  const stop = (wire: WireShutdownOptions, why: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ why, calls: server.activeCalls.size }, 'cluster worker shutting down');
    server.shutdown({ ...wire, signal: hurry.signal }).then(
      (report) => send({ voiceAi: 'shutdown-report', report }, () => process.exit(0)),
      (error: unknown) => {
        logger.error({ err: error }, 'cluster worker shutdown failed');
        process.exit(1);
      },
    );
  };
  const defaults = readShutdownDefaults();
  process.on('message', (message: unknown) => {
    if (!isVoiceAiMessage<PrimaryMessage>(message) || message.voiceAi !== 'shutdown') return;
    if (message.hurry) hurry.abort();
    stop(message.options, 'primary');
  });
  // The primary is gone: nobody will restart us or route new calls here; hand ours back.
  process.once('disconnect', () => stop(defaults, 'primary disconnected'));
  if (options.handleSignals ?? true) {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) hurry.abort();
      else stop(defaults, signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  send({ voiceAi: 'listening', address });
  return address;
}

function readShutdownDefaults(): WireShutdownOptions {
  try {
    const parsed: unknown = JSON.parse(process.env[WORKER_SHUTDOWN_ENV] ?? '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as WireShutdownOptions) : {};
  } catch {
    return {};
  }
}
