/**
 * The process around the calls: graceful shutdown on signals, and one worker process per core
 * behind one outbound port.
 *
 * @module
 */
export { portSlice } from './cluster-protocol.js';
export { type ClusterWorkerInfo, type ClusterWorkerOptions, clusterWorkerInfo, serveClusterWorker } from './cluster-worker.js';
export {
  type ClusterWorkerState,
  OutboundCluster,
  type OutboundClusterEvents,
  type OutboundClusterOptions,
} from './outbound-cluster.js';
export { type GracefulShutdownTarget, type ShutdownSignalOptions, shutdownOnSignals } from './shutdown-signals.js';
