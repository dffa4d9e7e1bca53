/**
 * The process around the calls: graceful shutdown on signals, and one worker process per core
 * behind one outbound port.
 *
 * @module
 */
export { type GracefulShutdownTarget, type ShutdownSignalOptions, shutdownOnSignals } from './shutdown-signals.js';
