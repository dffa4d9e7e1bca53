/**
 * Prometheus metrics for a voice-AI deployment: calls, sessions, Event Socket nodes, media,
 * errors. Created on demand with prom-client (an optional peer dependency); everything is read
 * from the public events and counters of what you observe, so nothing in the call path runs
 * for metrics.
 *
 * @module
 */
import type * as Prom from 'prom-client';
import type { AsyncESLClient } from '../esl/client.js';
import type { EslPool } from '../esl/esl-pool.js';
import type { OutboundServer } from '../esl/outbound-server.js';
import type { MediaClock } from '../media/media-clock.js';
import type { MediaTransport } from '../media/media-transport.js';
import type { SharedMediaSocket } from '../media/shared-media-socket.js';
import type { OutboundCluster } from '../process/outbound-cluster.js';
import type { RealtimeSession } from '../realtime/session.js';
import { ClusterMetrics } from './cluster-metrics.js';
import { ErrorMetrics } from './error-metrics.js';
import { EslMetrics } from './esl-metrics.js';
import { MediaMetrics } from './media-metrics.js';
import { MetricFactory, type MetricsRegistry, loadPromClient } from './prom.js';
import { ServerMetrics } from './server-metrics.js';
import { SessionMetrics } from './session-metrics.js';

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** A prom-client `Registry` to add the metrics to (e.g. prom-client's global `register`). Default: a new one. */
  registry?: MetricsRegistry;
  /** Prefix of every metric name. Default `voiceai_`. */
  prefix?: string;
  /** Also export Node's process metrics (prom-client's `collectDefaultMetrics`: CPU, memory, event loop lag, GC). Default `false`. */
  processMetrics?: boolean;
  /** Export the process-wide media clock's pacing (`media_clock_*`). Default `true`. */
  mediaClock?: boolean;
}

/**
 * The metrics of a process. Observe what it runs; every `observe*` returns a function that
 * stops observing. Serve them with {@link metricsHandler}.
 *
 * ```ts
 * const metrics = await createMetrics();
 * metrics.observeServer(server);
 * metrics.observePool(pool);
 * createOutboundServer({}, async (call) => {
 *   const session = new RealtimeSession({ call, ... });
 *   metrics.observeSession(session);
 *   await session.start();
 * });
 * http.createServer(metricsHandler(metrics)).listen(9464);
 * ```
 */
export class VoiceAiMetrics {
  /** The registry the metrics are in. */
  readonly registry: MetricsRegistry;
  private readonly server: ServerMetrics;
  private readonly esl: EslMetrics;
  private readonly media: MediaMetrics;
  private readonly sessions: SessionMetrics;
  private readonly cluster: ClusterMetrics;
  private readonly disposers = new Set<() => void>();

  /** Creates the metrics (see {@link createMetrics}). */
  static async create(options: MetricsOptions = {}): Promise<VoiceAiMetrics> {
    return new VoiceAiMetrics(await loadPromClient(), options);
  }

  // Private: its parameter's type is prom-client's, which must stay out of the published types.
  private constructor(prom: Awaited<ReturnType<typeof loadPromClient>>, options: MetricsOptions) {
    const registry = (options.registry as Prom.Registry | undefined) ?? new prom.Registry();
    this.registry = registry;
    const f = new MetricFactory(prom, registry, options.prefix ?? 'voiceai_');
    this.server = new ServerMetrics(f);
    this.esl = new EslMetrics(f);
    this.media = new MediaMetrics(f);
    this.sessions = new SessionMetrics(f, this.media);
    this.cluster = new ClusterMetrics(f);
    this.keep(new ErrorMetrics(f).start((uuid) => this.server.handlerFailed(uuid)));
    if (options.mediaClock ?? true) this.keep(this.media.observeClock());
    if (options.processMetrics) prom.collectDefaultMetrics({ register: registry, prefix: options.prefix ?? 'voiceai_' });
  }

  /** Calls active / by outcome, connections, rejections of an outbound server. */
  observeServer(server: OutboundServer): () => void {
    return this.keep(this.server.observe(server));
  }

  /** Per node: connected, reconnects, command latency, originates, sessions. */
  observePool(pool: EslPool): () => void {
    return this.keep(this.esl.observePool(pool));
  }

  /** A lone inbound client, labelled `node`: connected, reconnects. */
  observeClient(client: AsyncESLClient, node: string): () => void {
    return this.keep(this.esl.observeClient(client, node));
  }

  /** A voice-AI session (and its audio bridge) until it ends. */
  observeSession(session: RealtimeSession): () => void {
    const off = this.keep(this.sessions.observe(session));
    session.once('ended', off);
    return off;
  }

  /**
   * A bridge not run by a session: frames in / out, late, lost, concealed, jitter delay; read
   * until it closes (then a last time).
   */
  observeBridge(bridge: MediaTransport): () => void {
    return this.media.observeBridge(bridge);
  }

  /** A media clock other than the process-wide one. */
  observeMediaClock(clock: MediaClock): () => void {
    return this.keep(this.media.observeClock(clock));
  }

  /** A shared media socket: the kernel's drops, unknown sources. */
  observeSharedSocket(socket: SharedMediaSocket): () => void {
    return this.keep(this.media.observeSharedSocket(socket));
  }

  /** An outbound cluster's primary: workers listening, restarts, calls per worker. */
  observeCluster(cluster: OutboundCluster): () => void {
    return this.keep(this.cluster.observe(cluster));
  }

  /** The text exposition of every metric (what {@link metricsHandler} serves). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Stops observing everything (the metrics stay registered). */
  close(): void {
    for (const dispose of [...this.disposers]) dispose();
    this.disposers.clear();
  }

  private keep(dispose: () => void): () => void {
    const once = (): void => {
      if (this.disposers.delete(once)) dispose();
    };
    this.disposers.add(once);
    return once;
  }
}

/**
 * Creates the metrics. Rejects with a `ConfigError` saying how to install prom-client when it
 * is not installed (it is an optional peer dependency: `npm install prom-client`).
 */
export function createMetrics(options: MetricsOptions = {}): Promise<VoiceAiMetrics> {
  return VoiceAiMetrics.create(options);
}
