import { createOutboundServer, getDefaultConfig, loadConfig, setDefaultConfig } from 'freeswitch-voice-ai';

// From a secrets manager, a file, ...: in the variables' own names, here over process.env.
const settings: Record<string, string | undefined> = { ...process.env, RTP_PORT_MIN: '20000', RTP_PORT_MAX: '20999' };
setDefaultConfig(loadConfig(settings));                    // validated as the environment would be
console.log(getDefaultConfig().rtp.portMin);               // 20000: what RtpBridge and startCallMedia now use
const server = createOutboundServer({ allow: ['127.0.0.1'] }, async (call) => {
  await call.hangup();
});
await server.listen();                                     // ESL_SERVER_HOST:ESL_SERVER_PORT of `settings`
