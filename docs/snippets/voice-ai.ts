import { createOutboundServer, OpenAIRealtimeProvider, providerFactory, RealtimeSession, transferCallTool, hangupCallTool } from 'freeswitch-voice-ai';

const openai = providerFactory(() => new OpenAIRealtimeProvider()); // OPENAI_API_KEY is checked here, at startup

await createOutboundServer({ allow: ['127.0.0.1'], handlerFallback: { transfer: 'operator' } }, async (call) => {
  const session = new RealtimeSession({
    call,
    provider: openai(),                                    // a provider per call; µ-law in and out on PCMU calls
    instructions: 'You are the receptionist of ACME. Transfer callers to the person they ask for.',
    greeting: 'Greet the caller.',
    tools: [transferCallTool({ allowed: ['1001', '1002'] }), hangupCallTool()],
    fallback: { transfer: 'operator' },                    // if the provider fails, at start or mid-call
  });
  session.on('transcript', (t) => console.log(t.role, t.text));
  await session.start();                                   // unicast + park + provider + greeting
}).listen();
