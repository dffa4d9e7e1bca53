/**
 * SIGTERM (and SIGINT) as a graceful shutdown: what a process manager (systemd, Kubernetes,
 * Docker) sends before it kills a process.
 *
 * @module
 */
import { type Logger, silentLogger } from '../logger.js';

/** Anything that shuts down gracefully: an {@link OutboundServer}, an {@link OutboundCluster}, an {@link EslPool}'s `close`. */
export interface GracefulShutdownTarget<O = unknown> {
  /** Stops taking work and finishes (or hands back) what is in progress; `options.signal` says to hurry. */
  shutdown(options: O): Promise<unknown>;
}

/** Options of {@link shutdownOnSignals}. */
export interface ShutdownSignalOptions<O extends { signal?: AbortSignal }> {
  /** Signals that start the shutdown. Default `['SIGTERM', 'SIGINT']`. */
  signals?: readonly NodeJS.Signals[];
  /** Passed to every target's `shutdown` (e.g. `{ deadlineMs, transferTo }`); its `signal` is ours. */
  options?: Omit<O, 'signal'>;
  /**
   * Exit the process once every target has shut down (code 0, or 1 when one failed). Default
   * `true`; with `false` the process ends when nothing keeps it alive.
   */
  exit?: boolean;
  /** Runs after the targets shut down, before the exit (close pools, flush logs). */
  onShutdown?: () => Promise<void> | void;
  /** Where the signals and the outcome are logged. Default: silent. */
  logger?: Logger;
}

/**
 * Runs a graceful shutdown of `targets` on the first SIGTERM or SIGINT; a second signal moves
 * every deadline to now (calls are handed back at once, never dropped). Returns a function that
 * removes the signal handlers.
 *
 * ```ts
 * const server = createOutboundServer({}, handler);
 * await server.listen();
 * shutdownOnSignals([server], { options: { deadlineMs: 60_000, transferTo: 'operator' }, onShutdown: () => pool.close() });
 * ```
 */
export function shutdownOnSignals<O extends { signal?: AbortSignal }>(
  targets: readonly GracefulShutdownTarget<O>[],
  options: ShutdownSignalOptions<O> = {},
): () => void {
  const logger = options.logger ?? silentLogger;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const hurry = new AbortController();
  let running: Promise<void> | undefined;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (running) {
      logger.warn({ signal }, 'second shutdown signal: handing every call back now');
      hurry.abort();
      return;
    }
    logger.info({ signal }, 'shutdown signal: stopping gracefully');
    running = (async () => {
      const results = await Promise.allSettled(targets.map((t) => t.shutdown({ ...options.options, signal: hurry.signal } as O)));
      let failed = false;
      for (const r of results) {
        if (r.status === 'rejected') {
          failed = true;
          logger.error({ err: r.reason }, 'graceful shutdown failed');
        }
      }
      try {
        await options.onShutdown?.();
      } catch (error) {
        failed = true;
        logger.error({ err: error }, 'onShutdown failed');
      }
      if (options.exit ?? true) process.exit(failed ? 1 : 0);
    })();
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}
