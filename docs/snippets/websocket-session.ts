import { createOutboundServer, OpenAIRealtimeProvider, RealtimeSession } from 'freeswitch-voice-ai';

await createOutboundServer({ allow: ['127.0.0.1'] }, async (call) => {
  const session = new RealtimeSession({
    call,
    provider: new OpenAIRealtimeProvider(),
    instructions: 'You are the receptionist of ACME.',
    greeting: 'Greet the caller.',
    fallback: { transfer: 'operator' },                    // also when the stream dies mid-call
    media: {
      mode: 'websocket',                                   // or AUDIO_MODE=websocket
      websocket: { module: 'mod_audio_fork', bidirectional: true },   // jambonz's build: binary audio back
    },
  });
  await session.start();                                   // uuid_audio_fork start + park + provider + greeting
}).listen();
