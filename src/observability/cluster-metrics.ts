/**
 * Cluster metrics, in the primary: workers listening, restarts, calls per worker as they report.
 * (Each worker's own metrics live in its process: aggregate them with prom-client's
 * `AggregatorRegistry`, see docs/operations.md.)
 *
 * @module
 */
import type { OutboundCluster } from '../process/outbound-cluster.js';
import type { MetricFactory } from './prom.js';

/** The metrics of an {@link OutboundCluster}'s primary. */
export class ClusterMetrics {
  private readonly clusters = new Set<OutboundCluster>();
  private readonly restarts;

  constructor(f: MetricFactory) {
    const clusters = this.clusters;
    f.gauge('cluster_workers_listening', 'Cluster workers listening on the outbound port', [], function () {
      let n = 0;
      for (const c of clusters) n += c.workers.filter((w) => w.state === 'listening').length;
      this.set(n);
    });
    f.gauge('cluster_worker_calls_active', 'Calls in progress per cluster worker, as each last reported', ['worker'], function () {
      this.reset();
      for (const c of clusters) for (const w of c.workers) this.set({ worker: String(w.index) }, w.activeCalls);
    });
    this.restarts = f.counter('cluster_worker_restarts_total', 'Cluster workers started again after dying', ['worker']);
  }

  /** Observes a cluster until the returned function is called. */
  observe(cluster: OutboundCluster): () => void {
    this.clusters.add(cluster);
    const onRestart = (w: { index: number }): void => void this.restarts.inc({ worker: String(w.index) });
    cluster.on('restart', onRestart);
    return () => {
      cluster.off('restart', onRestart);
      this.clusters.delete(cluster);
    };
  }
}
