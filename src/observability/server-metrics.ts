/**
 * Outbound server metrics: calls in progress, calls by how they ended, connections turned away.
 *
 * @module
 */
import type { OutboundCall } from '../esl/outbound-call.js';
import type { OutboundServer } from '../esl/outbound-server.js';
import type { MetricFactory } from './prom.js';

/**
 * How a call left us: FreeSWITCH reported its hangup; its socket closed with the channel up
 * (handed back to the dialplan, transferred); or its handler failed (a `CallHandlerError` was
 * reported for it).
 */
export type CallOutcome = 'hangup' | 'released' | 'handler_failed';

/** The metrics of {@link OutboundServer}s. */
export class ServerMetrics {
  private readonly servers = new Set<OutboundServer>();
  /** Calls whose handler failed (from the reported `CallHandlerError`s), until they end. */
  private readonly failed = new Set<string>();
  private readonly callsTotal;
  private readonly rejected;

  constructor(f: MetricFactory) {
    const servers = this.servers;
    f.gauge('calls_active', 'Calls in progress on the outbound servers', [], function () {
      let n = 0;
      for (const s of servers) n += s.activeCalls.size;
      this.set(n);
    });
    f.gauge('outbound_connections', 'Open outbound connections (calls, and peers still in the handshake)', [], function () {
      let n = 0;
      for (const s of servers) n += s.connections;
      this.set(n);
    });
    f.gauge('outbound_draining', '1 while an outbound server shuts down (it takes no new calls)', [], function () {
      this.set([...servers].some((s) => s.isClosing) ? 1 : 0);
    });
    this.callsTotal = f.counter('calls_total', 'Calls handled, by how they ended: hangup, released (handed back to the dialplan), handler_failed', ['outcome']);
    this.rejected = f.counter('calls_rejected_total', 'Outbound connections turned away, by reason', ['reason']);
  }

  /** @internal A `CallHandlerError` was reported for this call. */
  handlerFailed(uuid: string): void {
    this.failed.add(uuid);
  }

  /** Counts `server`'s calls until the returned function is called. */
  observe(server: OutboundServer): () => void {
    this.servers.add(server);
    const onCall = (call: OutboundCall): void => {
      call.once('end', ({ cause }) => {
        const outcome: CallOutcome = this.failed.delete(call.uuid) ? 'handler_failed' : cause !== undefined ? 'hangup' : 'released';
        this.callsTotal.inc({ outcome });
      });
    };
    // No `error` listener: one would take the failures away from the server's log.
    const onReject = ({ reason }: { reason: string }): void => void this.rejected.inc({ reason });
    server.on('call', onCall);
    server.on('rejected', onReject);
    return () => {
      server.off('call', onCall);
      server.off('rejected', onReject);
      this.servers.delete(server);
    };
  }
}
