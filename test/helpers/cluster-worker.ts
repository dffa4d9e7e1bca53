/**
 * A worker of the cluster tests: an outbound server on port 0 (the cluster shares one) whose
 * handler tags each call with the worker that took it, then keeps it until it ends.
 */
import { createOutboundServer } from '../../src/esl/outbound-server.js';
import { clusterWorkerInfo, serveClusterWorker } from '../../src/process/cluster-worker.js';

const info = clusterWorkerInfo();
const server = createOutboundServer({ host: '127.0.0.1', port: 0, maxConnections: 50 }, async (call) => {
  await call.setVariable('handled_by', `${info?.index}:${process.pid}:${process.env.RTP_PORT_MIN}-${process.env.RTP_PORT_MAX}`);
  await call.ended();
});
await serveClusterWorker(server);
