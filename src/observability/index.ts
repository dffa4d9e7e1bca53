/**
 * Operations: Prometheus metrics (prom-client, an optional peer dependency), `/metrics`,
 * `/healthz` and `/readyz` handlers, and the log fields of a call.
 *
 * @module
 */
export { type CallLike, type CallLogFields, callLogFields, callLogger, withLogFields } from './call-log.js';
export { type ReportedErrorObserver, tapReportedErrors } from './error-tap.js';
export {
  healthHandlers,
  type HttpHandler,
  metricsHandler,
  type Readiness,
  readiness,
  type ReadinessSources,
} from './http.js';
export { createMetrics, type MetricsOptions, VoiceAiMetrics } from './metrics.js';
export type { MetricsRegistry } from './prom.js';
export type { CallOutcome } from './server-metrics.js';
