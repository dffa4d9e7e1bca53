/**
 * HTTP endpoints for operations: `/metrics` for Prometheus, `/healthz` (the process is alive)
 * and `/readyz` (it can take calls: listening, not shutting down, and at least one FreeSWITCH
 * node connected). Plain `(req, res)` handlers: mount them on `node:http`, Express, Fastify's
 * raw handler, or anything else.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AsyncESLClient } from '../esl/client.js';
import type { EslPool } from '../esl/esl-pool.js';
import type { OutboundServer } from '../esl/outbound-server.js';
import type { OutboundCluster } from '../process/outbound-cluster.js';
import type { VoiceAiMetrics } from './metrics.js';

/** A `node:http`-style request handler. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Serves {@link VoiceAiMetrics} in Prometheus's text format (any path: mount it where you want). */
export function metricsHandler(metrics: Pick<VoiceAiMetrics, 'registry'>): HttpHandler {
  return (_req, res) => {
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
        res.end(text);
      },
      (error: Error) => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`metrics failed: ${error.message}\n`);
      },
    );
  };
}

/** What {@link readiness} checks. */
export interface ReadinessSources {
  /** Outbound servers: each must be listening and not shutting down. */
  servers?: readonly OutboundServer[];
  /** An outbound cluster's primary: at least one worker listening, not shutting down. */
  cluster?: OutboundCluster;
  /** The pool: at least one FreeSWITCH node connected. */
  pool?: EslPool;
  /** A lone inbound client: connected. */
  client?: AsyncESLClient;
}

/** The result of {@link readiness}. */
export interface Readiness {
  /** Every check that applies passes. */
  ready: boolean;
  /** Each check, `true` when it passes (only those that apply). */
  checks: { listening?: boolean; eslConnected?: boolean };
  /** FreeSWITCH nodes connected, when a pool or client is checked. */
  eslNodesConnected?: number;
}

/**
 * Whether the process can take calls: its outbound server listens (and is not shutting down),
 * and at least one FreeSWITCH node is connected (pool or client), for whichever are given.
 */
export function readiness(sources: ReadinessSources): Readiness {
  const checks: Readiness['checks'] = {};
  let eslNodesConnected: number | undefined;
  if (sources.servers || sources.cluster) {
    const servers = (sources.servers ?? []).every((s) => s.address() !== undefined && !s.isClosing);
    const cluster = sources.cluster ? sources.cluster.workers.some((w) => w.state === 'listening') : true;
    checks.listening = servers && cluster;
  }
  if (sources.pool || sources.client) {
    eslNodesConnected = (sources.pool?.connectedNodes ?? 0) + (sources.client?.isConnected ? 1 : 0);
    checks.eslConnected = eslNodesConnected > 0;
  }
  const ready = Object.values(checks).every(Boolean);
  return eslNodesConnected === undefined ? { ready, checks } : { ready, checks, eslNodesConnected };
}

/**
 * `/healthz` and `/readyz` handlers: `healthz` answers 200 while the event loop runs; `readyz`
 * answers 200 when {@link readiness} passes and 503 otherwise (a shutting-down server stops
 * being ready at once, so a load balancer stops sending it work), both with a JSON body.
 */
export function healthHandlers(sources: ReadinessSources): { healthz: HttpHandler; readyz: HttpHandler } {
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(`${JSON.stringify(body)}\n`);
  };
  return {
    healthz: (_req, res) => json(res, 200, { status: 'ok' }),
    readyz: (_req, res) => {
      const r = readiness(sources);
      json(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', ...r });
    },
  };
}
