import { createOutboundServer, OpenAIRealtimeProvider, RealtimeSession, transferCallTool, hangupCallTool } from 'freeswitch-voice-ai';

await createOutboundServer({ allow: ['127.0.0.1'] }, async (call) => {
  const session = new RealtimeSession({
    call,
    provider: new OpenAIRealtimeProvider(),                // OPENAI_API_KEY; µ-law in and out on PCMU calls
    instructions: 'You are the receptionist of ACME. Transfer callers to the person they ask for.',
    greeting: 'Greet the caller.',
    tools: [transferCallTool({ allowed: ['1001', '1002'] }), hangupCallTool()],
    fallback: { transfer: 'operator' },                    // if the provider fails, at start or mid-call
  });
  session.on('transcript', (t) => console.log(t.role, t.text));
  await session.start();                                   // unicast + park + provider + greeting
}).listen();
