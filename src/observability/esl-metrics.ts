/**
 * Event Socket metrics per FreeSWITCH node: connection state, reconnects, command latency,
 * originates and their limits, the sessions FreeSWITCH reports.
 *
 * @module
 */
import type { AsyncESLClient } from '../esl/client.js';
import type { EslPool, PoolCommandInfo } from '../esl/esl-pool.js';
import type { MetricFactory } from './prom.js';

/** Command round trips, seconds: 1 ms (loopback) to 10 s (a slow `api`). */
const COMMAND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The metrics of {@link EslPool}s and lone {@link AsyncESLClient}s. */
export class EslMetrics {
  private readonly pools = new Set<EslPool>();
  private readonly clients = new Map<AsyncESLClient, string>();
  private readonly reconnects;
  private readonly commands;
  private readonly originates;

  constructor(f: MetricFactory) {
    const { pools, clients } = this;
    f.gauge('esl_connected', '1 while the inbound Event Socket connection to a FreeSWITCH node is logged in', ['node'], function () {
      this.reset();
      for (const pool of pools) for (const n of pool.nodes) this.set({ node: n.name }, n.isReady ? 1 : 0);
      for (const [client, node] of clients) this.set({ node }, client.isConnected ? 1 : 0);
    });
    f.gauge('esl_node_sessions', 'Sessions the FreeSWITCH node last reported (status at login, then each HEARTBEAT)', ['node'], function () {
      this.reset();
      for (const pool of pools) for (const n of pool.nodes) {
        const count = n.health().sessionCount;
        if (count !== undefined) this.set({ node: n.name }, count);
      }
    });
    f.gauge('esl_originates_in_flight', 'Originates running on a node (sent, not answered or failed yet)', ['node'], function () {
      this.reset();
      for (const pool of pools) for (const n of pool.nodes) this.set({ node: n.name }, n.limiter.inFlight);
    });
    f.gauge('esl_originates_waiting', "Originates waiting for room in a node's sps / concurrency limits", ['node'], function () {
      this.reset();
      for (const pool of pools) for (const n of pool.nodes) this.set({ node: n.name }, n.limiter.waiting);
    });
    this.reconnects = f.counter('esl_reconnects_total', 'Reconnect attempts to a FreeSWITCH node', ['node']);
    this.commands = f.histogram('esl_command_duration_seconds', 'Round trip of commands sent through the pool, by node and command (first word)', COMMAND_BUCKETS, ['node', 'command', 'ok']);
    this.originates = f.counter('esl_originates_total', 'Originates by node and result (answered, or the hangup cause / error code)', ['node', 'result']);
  }

  /** Observes a pool until the returned function is called. */
  observePool(pool: EslPool): () => void {
    this.pools.add(pool);
    const onReconnect = (node: { name: string }): void => void this.reconnects.inc({ node: node.name });
    const onCommand = (c: PoolCommandInfo): void => this.commands.observe({ node: c.node, command: c.command, ok: String(c.ok) }, c.durationMs / 1000);
    const onOriginate = (o: { node: string; ok: boolean; cause?: string }): void => void this.originates.inc({ node: o.node, result: o.ok ? 'answered' : (o.cause ?? 'failed') });
    pool.on('nodeReconnecting', onReconnect);
    pool.on('command', onCommand);
    pool.on('originate', onOriginate);
    return () => {
      pool.off('nodeReconnecting', onReconnect);
      pool.off('command', onCommand);
      pool.off('originate', onOriginate);
      this.pools.delete(pool);
    };
  }

  /** Observes a lone client under a node name until the returned function is called. */
  observeClient(client: AsyncESLClient, node: string): () => void {
    this.clients.set(client, node);
    const onReconnect = (): void => void this.reconnects.inc({ node });
    client.on('reconnecting', onReconnect);
    return () => {
      client.off('reconnecting', onReconnect);
      this.clients.delete(client);
    };
  }
}
