import { createOutboundServer, DeepgramVoiceAgentProvider, ElevenLabsAgentProvider, RealtimeSession, hangupCallTool, transferCallTool } from 'freeswitch-voice-ai';

await createOutboundServer({ allow: ['127.0.0.1'] }, async (call) => {
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
  // Deepgram's Voice Agent: listen, think and speak on one socket. DEEPGRAM_API_KEY.
  const session = new RealtimeSession({
    call,
    provider: new DeepgramVoiceAgentProvider({ region: 'eu', think: { type: 'open_ai', model: 'gpt-4o-mini' } }),
    instructions: 'You are the receptionist of ACME.',
    voice: 'aura-2-thalia-en',
    greeting: 'Greet the caller.',
    tools: [transferCallTool(), hangupCallTool()],         // held until the caller's turn is confirmed
  });
  await session.start();
}).listen();
