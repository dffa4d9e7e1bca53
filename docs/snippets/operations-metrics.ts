import { createServer } from 'node:http';
import { EslPool, RealtimeSession, ScriptedProvider, createMetrics, createOutboundServer, healthHandlers, metricsHandler } from 'freeswitch-voice-ai';

const metrics = await createMetrics();                       // needs `npm install prom-client`
const pool = new EslPool();                                  // ESL_* from the environment
const server = createOutboundServer({}, async (call) => {
  const session = new RealtimeSession({ call, provider: new ScriptedProvider({ greeting: 'Hello' }), instructions: 'Be brief.' });
  metrics.observeSession(session);                           // sessions, first audio, barge-ins, tools, its frames
  await session.start();
});
metrics.observeServer(server);
metrics.observePool(pool);
await server.listen();

const { healthz, readyz } = healthHandlers({ servers: [server], pool });
const metricsRoute = metricsHandler(metrics);
createServer((req, res) => {
  if (req.url === '/metrics') return metricsRoute(req, res);
  if (req.url === '/healthz') return healthz(req, res);
  if (req.url === '/readyz') return readyz(req, res);      // 503 while shutting down or with no FreeSWITCH
  res.writeHead(404).end();
}).listen(9464);
