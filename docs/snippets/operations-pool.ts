import { EslPool, OriginateRateLimitError, createOutboundServer, loadConfig } from 'freeswitch-voice-ai';

const pool = new EslPool({
  defaults: loadConfig().esl,                                // password, timeouts, reconnect policy
  nodes: [
    { name: 'fs1', host: '10.0.0.11' },
    { name: 'fs2', host: '10.0.0.12', sps: 50 },             // this one's sessions-per-second is 50
  ],
  onLimit: 'fail',                                           // past a node's limits: fail at once
});
pool.on('nodeDown', (node, error) => console.log(`${node.name} down: ${error?.message}`));
pool.on('event', (event, node) => console.log(node.name, event.name, event.uuid));
await pool.subscribe(['CHANNEL_ANSWER', 'CHANNEL_HANGUP_COMPLETE']);

try {
  const { uuid, node } = await pool.originate({ dialString: 'user/1000', app: 'park' }); // least-loaded node
  console.log(`call ${uuid} on ${node}`);
  await pool.api(`uuid_broadcast ${uuid} ivr/ivr-welcome.wav aleg`, { uuid });           // to the node that owns it
} catch (error) {
  if (error instanceof OriginateRateLimitError) console.log(`${error.node} is full (${error.limit}): try later`);
  else throw error;
}

// Calls reach the outbound server from any node; each knows its own.
createOutboundServer({}, async (call) => {
  const node = pool.nodeForChannel(call.channel);          // by Core-UUID, then switch name
  if (node) pool.adopt(call.uuid, node);
  call.logger.info({ node: node?.name }, 'call arrived');   // call_uuid, domain_uuid, node on the line
  await call.answer();
}).listen();
