import {
  type CallTransportOptions,
  createOutboundServer,
  hangupCallTool,
  type OutboundServer,
  type OutboundServerOptions,
  RealtimeSession,
  type RealtimeProvider,
  transferCallTool,
} from 'freeswitch-voice-ai';

/** What the bot takes from outside: everything a test replaces. */
export interface VoiceBotOptions {
  /** A provider per call: OpenAI in production, a `ScriptedProvider` in tests. */
  provider: () => RealtimeProvider;
  /** Where it listens (default: `ESL_SERVER_*`). */
  server?: OutboundServerOptions;
  /** The call's audio path (default: `AUDIO_MODE`, `RTP_PORT_*`). */
  media?: CallTransportOptions;
}

/** A receptionist that puts callers through to sales (1001) and hangs up when they are done. */
export function createVoiceBot({ provider, server, media }: VoiceBotOptions): OutboundServer {
  return createOutboundServer({ ...server, handlerFallback: { transfer: 'operator' } }, async (call) => {
    await call.answer();
    const session = new RealtimeSession({
      call,
      provider: provider(),
      media,
      instructions: 'You are the receptionist of ACME. Put callers who ask for sales through to 1001.',
      greeting: 'Greet the caller.',
      tools: [transferCallTool({ allowed: ['1001'] }), hangupCallTool()],
      fallback: { transfer: 'operator' },
    });
    await session.start();
  });
}
