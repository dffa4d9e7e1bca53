import { createOutboundServer, DeepgramVoiceAgentProvider, ElevenLabsAgentProvider, providerFactory, RealtimeSession, hangupCallTool, transferCallTool } from 'freeswitch-voice-ai';

// Deepgram's Voice Agent: listen, think and speak on one socket (DEEPGRAM_API_KEY, checked here).
const deepgram = providerFactory(() => new DeepgramVoiceAgentProvider({ region: 'eu', think: { type: 'open_ai', model: 'gpt-4o-mini' } }));

await createOutboundServer({ allow: ['127.0.0.1'], handlerFallback: { transfer: 'operator' } }, async (call) => {
  if (call.channel.destinationNumber === '8100') {
    // An agent built on ElevenLabs: its prompt, voice, first message and client tools are set
    // there (give it µ-law 8000 Hz in and out: passthrough on PCMU calls). ELEVENLABS_AGENT_ID,
    // and ELEVENLABS_API_KEY for a private agent (a signed URL is fetched per call).
    const provider = new ElevenLabsAgentProvider({
      location: 'eu-residency',                            // or 'global', 'us', 'in-residency', 'sg-residency'
      dynamicVariables: { caller_id: call.channel.callerIdNumber ?? '' },
    });
    const session = new RealtimeSession({ call, provider, instructions: '', tools: [transferCallTool(), hangupCallTool()] });
    await session.start();                                 // the agent's end_call hangs up after its farewell
    return;
  }
  const session = new RealtimeSession({
    call,
    provider: deepgram(),                                  // µ-law 8 kHz in and out on PCMU calls
    instructions: 'You are the receptionist of ACME.',
    voice: 'aura-2-thalia-en',
    greeting: 'Greet the caller.',
    tools: [transferCallTool(), hangupCallTool()],         // held until the caller's turn is confirmed
    fallback: { transfer: 'operator' },
  });
  await session.start();
}).listen();
