import { createOutboundServer, hangupCallTool, loadConfig, OpenAIRealtimeProvider, RealtimeSession, ScriptedProvider } from 'freeswitch-voice-ai';

// OpenAI Realtime with OPENAI_API_KEY set; otherwise a scripted voice plays the model (no network).
const provider = () =>
  process.env.OPENAI_API_KEY
    ? new OpenAIRealtimeProvider()
    : new ScriptedProvider({
        greeting: 'Thanks for calling ACME. How can I help?',
        turns: [{ heard: 'When are you open?', say: 'Nine to five, Monday to Friday. Goodbye!', tool: { name: 'hangup_call' } }],
      });

const server = createOutboundServer(loadConfig().server, async (call) => {
  await call.answer();
  const session = new RealtimeSession({
    call,
    provider: provider(),
    instructions: 'You are the receptionist of ACME, open nine to five, Monday to Friday. Be brief. Hang up once the caller is done.',
    greeting: 'Greet the caller.',
    tools: [hangupCallTool()],                                 // the model may end the call, after its goodbye
  });
  session.on('transcript', (t) => console.log(`${t.role}: ${t.text}`));
  session.on('ended', ({ reason }) => console.log('session ended:', reason));
  await session.start();                                       // unicast + park, the provider, the greeting
});
const { address, port } = await server.listen();
console.log(`waiting for calls on ${address}:${port}`);
